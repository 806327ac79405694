/**
 * `rolecall import` against the emulator: the imported file validates with `rolecall validate`,
 * and planning it against the same FreshBooks finds no changes — for the default seed's second
 * business (240341, which no policy names) and for Acme Books with all its drift.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  loadDefaultSeed,
  startEmulator,
  type RunningEmulator,
} from '../../../src/emulator/index.js';
import { policySchemaUrl } from '../../../src/schemas.js';
import {
  ACME,
  HOLDINGS,
  readPlan,
  rolecall,
  workspace,
  type Workspace,
} from '../plan/plan-harness.js';

let emulator: RunningEmulator;
let ws: Workspace;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(() => emulator.close());
beforeEach(async () => {
  emulator.control.loadState(loadDefaultSeed());
  emulator.control.resetRequests();
  ws = await workspace(emulator);
});
afterEach(() => ws.close());

describe('rolecall import', () => {
  it('imports both businesses; the files validate and the plan finds no changes (round trip)', async () => {
    const holdings = await rolecall(ws, [
      'import',
      '--business',
      String(HOLDINGS),
      '--out',
      'policies/acme-holdings.yaml',
    ]);
    expect(holdings.code).toBe(0);
    expect(holdings.err).toContain(
      'Imported Acme Holdings LLC (240341) into policies/acme-holdings.yaml: 2 member(s), 1 owner(s) protected.',
    );
    const acme = await rolecall(ws, [
      'import',
      '--business',
      String(ACME),
      '--out',
      'policies/acme-books.yaml',
    ]);
    expect(acme.code).toBe(0);
    expect(acme.err).toContain('13 member(s), 1 owner(s) protected, 2 not imported');

    const text = await ws.read('policies/acme-books.yaml');
    // The workspace has no schemas/ and rolecall runs from its checkout, outside it: the
    // release's URL (schema-ref.test.ts covers the relative paths).
    expect(text.split('\n')[0]).toBe(`# yaml-language-server: $schema=${policySchemaUrl()}`);
    expect(text).toContain('mode: authoritative');
    expect(text).toContain('protected: [olivia@acme.example]');
    expect(text).toContain('  - email: sam@oldfirm.example');
    expect(text).toContain('# review: why does grace@acme.example need manager?');
    expect(text).toContain('#   jules@acme.example: deactivated');
    expect(text).toContain('#   pat@acme.example: has the role "time_tracking_admin"');
    expect(text).not.toMatch(/email: (olivia|jules|pat|client)@/);

    const validate = await rolecall(ws, ['validate']);
    expect(validate.out).toContain('0 errors');
    expect(validate.code).toBe(0);

    const plan = await rolecall(ws, ['plan', '--format', 'json', '--detailed-exitcode']);
    expect(plan.code).toBe(0);
    const parsed = readPlan(plan.out);
    expect(parsed.businesses.map((b) => [b.businessId, b.changes.length, b.applyable])).toEqual([
      [ACME, 0, true],
      [HOLDINGS, 0, true],
    ]);
    expect(parsed.businesses[0]?.unmanaged.map((m) => m.email)).toEqual(['pat@acme.example']);
  });

  it('prints to stdout without --out, never overwrites a file without --force, and writes nothing to FreshBooks', async () => {
    const printed = await rolecall(ws, ['import', '--business', String(HOLDINGS)]);
    expect(printed.code).toBe(0);
    expect(printed.out).toMatch(
      /^# yaml-language-server: \$schema=https:\/\/raw\.githubusercontent\.com\/rolecall-dev\/rolecall\/v\d+\.\d+\.\d+[^/]*\/schemas\/policy\.schema\.json\n/,
    );
    expect(printed.out).toContain('business: 240341 # FreshBooks business_id (account Hd7Lm3)');
    expect(printed.out).toContain(
      '  - email: tom@acme.example # Tom Berg, active since 2022-10-03',
    );

    await ws.write('policies/h.yaml', 'business: 1\n');
    const refused = await rolecall(ws, [
      'import',
      '--business',
      String(HOLDINGS),
      '--out',
      'policies/h.yaml',
    ]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('policies/h.yaml exists');
    expect(await ws.read('policies/h.yaml')).toBe('business: 1\n');
    const forced = await rolecall(ws, [
      'import',
      '--business',
      String(HOLDINGS),
      '--out',
      'policies/h.yaml',
      '--force',
    ]);
    expect(forced.code).toBe(0);
    expect(await ws.read('policies/h.yaml')).toContain('business: 240341');
    expect(
      emulator.control
        .requests()
        .log.filter((e) => e.method !== 'GET' && !e.path.includes('/token')),
    ).toEqual([]);
  });

  it('needs --business, and a business the token cannot reach is an error', async () => {
    const missing = await rolecall(ws, ['import']);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('import needs the business');
    const unknown = await rolecall(ws, ['import', '--business', '999999']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/rolecall: .*999999/);
  });
});
