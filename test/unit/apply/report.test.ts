import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyPlan, type ApplyRun } from '../../../src/apply/apply-plan.js';
import { refusingGate, terminalGate, yesGate } from '../../../src/apply/approval-gates.js';
import {
  renderApplyResultMarkdown,
  renderApplyResultText,
} from '../../../src/apply/render-apply-result.js';
import { resolveActor } from '../../../src/apply/resolve-actor.js';
import { runApply } from '../../../src/apply/run-apply.js';
import type { Plan } from '../../../src/types.js';
import { bufferIo } from '../../support/buffer-io.js';
import {
  ACME_DESIRED,
  acmeFake,
  BUSINESS,
  desiredOf,
  optionsFor,
  planFor,
  policyOf,
  tempStateDir,
  tickingClock,
} from './scenario.js';

let state: { dir: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  state = await tempStateDir();
});
afterEach(async () => {
  await state.cleanup();
});

const plan = { digest: 'sha256:x' } as Plan;

describe('approval gates', () => {
  it('--yes says where it was given', async () => {
    expect(await yesGate({}).decide(plan)).toEqual({ approved: true, reason: '--yes at terminal' });
    expect(await yesGate({ GITHUB_ACTIONS: 'true', GITHUB_RUN_ID: '42' }).decide(plan)).toEqual({
      approved: true,
      reason: '--yes in GitHub Actions run 42',
    });
  });

  it.each([
    ['yes', true],
    [' yes\n', true],
    ['y', false],
    ['YES please', false],
    ['', false],
  ])('the terminal prompt answered %j → approved %s', async (answer, approved) => {
    const shown: string[] = [];
    const gate = terminalGate({
      prompt: async () => answer,
      show: () => shown.push('plan'),
      question: () => 'Apply?',
    });
    expect((await gate.decide(plan)).approved).toBe(approved);
    expect(shown).toEqual(['plan']);
  });

  it('without a terminal the prompt gate refuses and names --yes', async () => {
    const gate = terminalGate({ prompt: undefined, show: () => undefined, question: () => '' });
    expect(await gate.decide(plan)).toMatchObject({
      approved: false,
      reason: expect.stringContaining('--yes'),
    });
  });

  it('the actor is GITHUB_ACTOR when set, else the OS user', () => {
    expect(resolveActor({ GITHUB_ACTOR: 'octocat' })).toBe('github:octocat');
    expect(resolveActor({})).not.toBe('');
  });
});

async function appliedRun(extra: Parameters<typeof optionsFor>[4] = {}): Promise<ApplyRun> {
  const fake = acmeFake();
  fake.fault = (call) =>
    call.email === 'zoe@acme.example'
      ? 'not-offered'
      : call.email === 'eli@acme.example'
        ? 'rejected'
        : undefined;
  const desired = desiredOf(policyOf(ACME_DESIRED));
  return applyPlan(optionsFor(fake, desired, await planFor(fake, desired), state.dir, extra));
}

describe('the report', () => {
  it('text: a verdict, one line per operation, and the manual checklist', async () => {
    const run = await appliedRun();
    const text = renderApplyResultText(run, {
      plan: {
        businesses: [{ businessId: BUSINESS, name: 'Acme Books Inc.' }] as Plan['businesses'],
      },
    });
    expect(text).toContain('\nAcme Books Inc. (240340)\n');
    expect(text).toMatch(
      /^Apply partly done: 4 applied, 0 already in place, 1 manual, 1 failed\. 4 confirmed by FreshBooks \(read back after the write\)\. Fix what is listed below/,
    );
    expect(text).toMatch(
      / {2}failed {3}grant {2}eli@acme\.example +— → accountant {2}invite eli@acme\.example → 422: Unprocessable/,
    );
    expect(text).toMatch(/ {2}applied {2}change grace@acme\.example +manager → employee/);
    expect(text).toContain('Manual tasks (1)');
    expect(text).toContain('where: Settings → Team Members → zoe@acme.example → Remove');
  });

  it('text: a refusal lists its reasons and says nothing was written', async () => {
    const text = renderApplyResultText(await appliedRun({ gate: refusingGate('nope') }));
    expect(text).toBe('Refused: not approved: nope. Nothing was written.\n');
  });

  it('markdown: a table, the checklist, the plan digest; degrades under a size limit and says so', async () => {
    const run = await appliedRun();
    const full = renderApplyResultMarkdown(run);
    expect(full).toContain('### rolecall apply — partly done');
    expect(full).toContain('| ❌ failed | 240340 | eli@acme.example | grant | — | accountant |');
    expect(full).toContain('- [ ] **zoe@acme.example**');
    expect(full).toContain(`Plan \`${run.planDigest}\``);

    const smaller = renderApplyResultMarkdown(run, full.length - 1);
    expect(smaller.length).toBeLessThan(full.length);
    expect(smaller).toContain('showing the 2 operation(s) that need attention');
    expect(smaller).not.toContain('grace@acme.example');
    const tiny = renderApplyResultMarkdown(run, 600);
    expect(tiny.length).toBeLessThanOrEqual(600);
    expect(tiny).toContain('see the audit log');
  });
});

describe('runApply (the command core)', () => {
  it('applies only what `only` accepts, prints progress on stderr and the report on stdout', async () => {
    const fake = acmeFake();
    const desired = desiredOf(policyOf(ACME_DESIRED));
    const planned = await planFor(fake, desired);
    const io = bufferIo({ cwd: state.dir, env: { GITHUB_ACTOR: 'octocat' } });
    const run = await runApply({
      plan: planned,
      desired,
      connection: fake,
      gate: yesGate({}),
      io,
      stateDir: state.dir,
      clock: tickingClock(),
      only: (change) => change.action === 'revoke',
      retry: { attempts: 2, backoffMs: 0, sleep: async () => undefined },
    });
    expect(run.exitCode).toBe(0);
    expect(fake.effective.map((c) => `${c.kind} ${c.email}`)).toEqual([
      'remove sam@oldfirm.example',
      'remove zoe@acme.example',
    ]);
    expect(io.err()).toBe(
      '  applied  revoke sam@oldfirm.example\n  applied  revoke zoe@acme.example\n',
    );
    expect(io.out()).toContain(
      'Apply complete: 2 applied, 0 already in place, 0 manual, 0 failed.',
    );
    expect(io.out()).toMatch(
      /Audit log: audit\/\d{4}-\d\d-\d\d\.jsonl \(2 operation record\(s\) and a summary\)/,
    );
    expect(io.out()).toMatch(/Journal: journal\/[0-9a-f]{64}\.jsonl/);
    expect(fake.members(BUSINESS).find((m) => m.email === 'grace@acme.example')?.apiRole).toBe(
      'business_manager',
    );
  });
});

describe('printable', () => {
  it('neutralises terminal escape sequences but keeps newlines', async () => {
    const { printable } = await import('../../../src/apply/render-apply-result.js');
    expect(printable('a\u001b[31mred\u009b\nb\tc')).toBe('a\ufffd[31mred\ufffd\nb\ufffdc');
  });
});
