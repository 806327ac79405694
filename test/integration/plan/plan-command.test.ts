/**
 * `rolecall plan` against the real emulator over loopback: the example policy against the
 * default seed, exit codes, formats, the plan file, offline snapshots, and invalid policies
 * never reaching the API.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  loadDefaultSeed,
  startEmulator,
  type RunningEmulator,
} from '../../../src/emulator/index.js';
import { serializePlan } from '../../../src/plan/plan-file.js';
import {
  ACME,
  DEFAULT_SEED_CHANGES,
  brief,
  exampleYaml,
  readPlan,
  rolecall,
  workspace,
  type Workspace,
} from './plan-harness.js';

const ESC = '\u001b';
let emulator: RunningEmulator;
let ws: Workspace;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(() => emulator.close());
beforeEach(async () => {
  emulator.control.loadState(loadDefaultSeed());
  emulator.control.resetRequests();
  ws = await workspace(emulator, { 'policies/acme-books.yaml': await exampleYaml() });
});
afterEach(() => ws.close());

/** The example policy edited to say what the default seed has (COMMON.md's "live" column). */
function matchLive(yaml: string): string {
  const edits: Array<[string, string]> = [
    ['      - eli@acme.example\n', ''],
    [
      '  - email: maya@acme.example\n    role: manager',
      '  - email: maya@acme.example\n    role: employee',
    ],
    [
      '  - email: grace@acme.example\n    role: employee',
      '  - email: grace@acme.example\n    role: manager',
    ],
    ['  - email: jules@acme.example\n    role: unassigned\n    reason: Seasonal help\n', ''],
    ['cpa-partners.example]', 'cpa-partners.example, oldfirm.example]'],
    [
      '  # Contractors',
      '  - email: zoe@acme.example\n    role: employee\n    reason: Sales assistant\n\n' +
        '  - email: sam@oldfirm.example\n    role: accountant\n    reason: Former bookkeeper, invited\n\n  # Contractors',
    ],
  ];
  let out = yaml;
  for (const [from, to] of edits) {
    expect(out, `edit ${JSON.stringify(from)}`).toContain(from);
    out = out.replace(from, to);
  }
  return out;
}

describe('rolecall plan against the default seed', () => {
  it('shows exactly the changes of COMMON.md’s table: grants, changes, revokes; the owner and pat untouched', async () => {
    const result = await rolecall(ws, ['plan', '--format', 'json']);
    expect(result.err).not.toContain('rolecall:');
    expect(result.code).toBe(0);
    const plan = readPlan(result.out);
    expect(plan.businesses.map((b) => b.businessId)).toEqual([ACME]);
    const business = plan.businesses[0];
    expect(business?.changes.map(brief).sort()).toEqual([...DEFAULT_SEED_CHANGES].sort());
    expect(business?.applyable).toBe(true);
    expect(business?.unmanaged.map((m) => `${m.email} ${m.role}`)).toEqual([
      'pat@acme.example time_tracking_admin',
    ]);
    expect(business?.changes.some((c) => c.email === 'olivia@acme.example')).toBe(false);
    expect(business?.changes.some((c) => c.email === 'hana@acme.example')).toBe(false);
    expect(plan.createdAt).toBe('2026-11-29T10:00:00.000Z');
  });

  it('prints the text plan with a footer saying how to save and apply it', async () => {
    const result = await rolecall(ws, ['plan']);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/\+ eli@acme\.example\s+grant accountant/);
    expect(result.out).toMatch(/~ grace@acme\.example\s+change manager → employee \(downgrade\)/);
    expect(result.out).toMatch(/- zoe@acme\.example\s+revoke employee/);
    expect(result.out).toContain('Plan: 2 to grant, 2 to change, 2 to revoke.');
    expect(result.out).toContain('This plan was not saved.');
    expect(result.out).toContain('  rolecall plan --out plan.json\n  rolecall apply plan.json\n');
    expect(result.out).not.toContain(ESC);
    expect(existsSync(join(ws.cwd, '.rolecall', 'plan.json'))).toBe(false);
  });

  it('colours the text on a terminal, and not with NO_COLOR', async () => {
    expect((await rolecall(ws, ['plan'], {}, true)).out).toContain(`${ESC}[32m+ eli`);
    const plain = await rolecall(ws, ['plan'], { NO_COLOR: '1' }, true);
    expect(plain.out).not.toContain(ESC);
  });

  it('--detailed-exitcode: 2 with changes, 0 once the policy says what FreshBooks has', async () => {
    expect((await rolecall(ws, ['plan', '--detailed-exitcode'])).code).toBe(2);
    await ws.write('policies/acme-books.yaml', matchLive(await exampleYaml()));
    const result = await rolecall(ws, ['plan', '--detailed-exitcode']);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain('No changes. Acme Books Inc. matches the policy.');
    expect(result.out).toContain('No changes. FreshBooks matches the policies.');
    expect((await rolecall(ws, ['plan'])).code).toBe(0);
  });

  it('--out writes a plan file that parsePlan reads back, and the footer names it', async () => {
    const result = await rolecall(ws, ['plan', '--out', 'out/plan.json', '--format', 'json']);
    expect(result.code).toBe(0);
    const text = await ws.read('out/plan.json');
    const plan = readPlan(text);
    expect(text).toBe(serializePlan(plan));
    // --format json prints exactly the file's bytes; the footer goes to stderr.
    expect(result.out).toBe(text);
    expect(result.err).toContain('rolecall apply out/plan.json');
    expect(plan.businesses[0]?.changes.map(brief).sort()).toEqual([...DEFAULT_SEED_CHANGES].sort());
  });

  it('--format markdown: a summary table and a diff block per change', async () => {
    const result = await rolecall(ws, ['plan', '--format', 'markdown']);
    expect(result.code).toBe(0);
    expect(result.out).toContain('## rolecall plan');
    expect(result.out).toContain('### Acme Books Inc. (240340)');
    expect(result.out).toMatch(/\| ➕ grant \|.*\| 2 \|/);
    expect(result.out).toContain(
      '```diff\n email: grace@acme.example\n-role: manager\n+role: employee',
    );
    expect(result.out).not.toContain('This plan was not saved');
    expect(result.err).toContain('This plan was not saved');
  });

  it('--live FILE plans offline: no request reaches FreshBooks, no credentials needed', async () => {
    const sync = await rolecall(ws, ['sync', '--out', 'live.json']);
    expect(sync.code).toBe(0);
    emulator.control.resetRequests();
    const offline = await rolecall(
      { cwd: ws.cwd, env: { ROLECALL_NOW: ws.env.ROLECALL_NOW ?? '' } },
      ['plan', '--live', 'live.json', '--format', 'json'],
    );
    expect(offline.err).not.toContain('rolecall:');
    expect(offline.code).toBe(0);
    expect(emulator.control.requests().total).toBe(0);
    expect(readPlan(offline.out).businesses[0]?.changes.map(brief).sort()).toEqual(
      [...DEFAULT_SEED_CHANGES].sort(),
    );
  });

  it('an invalid policy exits 1 with file:line:col, and no request reaches the API', async () => {
    await ws.write(
      'policies/acme-books.yaml',
      (await exampleYaml()).replace(
        '    role: manager\n    reason: Operations',
        '    role: boss\n    reason: Operations',
      ),
    );
    const result = await rolecall(ws, ['plan', '--detailed-exitcode']);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^policies\/acme-books\.yaml:\d+:\d+: error /m);
    expect(result.err).toContain('nothing was planned');
    expect(result.out).toBe('');
    expect(emulator.control.requests().total).toBe(0);
    expect(existsSync(join(ws.cwd, '.rolecall', 'credentials.json'))).toBe(false);
  });

  it('a plan a guard blocks exits 1 (even without --detailed-exitcode), says so, and is still saved', async () => {
    await ws.write(
      'policies/acme-books.yaml',
      (await exampleYaml()).replace(
        'maxRevokes: { count: 5, fraction: 0.25 }',
        'maxRevokes: { count: 1 }',
      ),
    );
    const result = await rolecall(ws, ['plan', '--out', 'plan.json']);
    expect(result.code).toBe(1);
    expect(result.out).toContain('✗ NOT APPLYABLE: guard maxRevokes failed');
    expect(result.out).toContain('This plan cannot be applied');
    expect(result.out).not.toContain('rolecall apply plan.json');
    expect(readPlan(await ws.read('plan.json')).businesses[0]?.applyable).toBe(false);
  });

  it('--business selects a business the policies name and refuses others', async () => {
    expect((await rolecall(ws, ['plan', '--business', String(ACME)])).code).toBe(0);
    const unknown = await rolecall(ws, ['plan', '--business', '999']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('business 999 is not named by any policy');
    const both = await rolecall(ws, [
      'plan',
      '--business',
      String(ACME),
      '--changed-since',
      'main',
    ]);
    expect(both.code).toBe(1);
    expect(both.err).toContain('--business and --changed-since');
    expect(emulator.control.requests().log.filter((e) => e.path.includes('/999'))).toEqual([]);
  });

  it('rejects a bad --format and prints --help', async () => {
    const bad = await rolecall(ws, ['plan', '--format', 'yaml']);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('--format must be text, markdown or json');
    const help = await rolecall(ws, ['plan', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('--detailed-exitcode');
    expect(emulator.control.requests().total).toBe(0);
  });
});
