/**
 * The chaos suite: seeded runs of a real apply (real client, real emulator over loopback) with
 * random faults — 429, 5xx before and after the write took effect, connection resets, slow
 * answers past the client's timeout, access tokens dying early — and a random kill point
 * (at an operation boundary, or between an intent and its write), followed by reruns until the
 * apply completes. After each run: live state equals desired (a re-plan is empty), no
 * operation took effect twice (so no duplicate invitation), nobody already invited was invited
 * again, the owner and an unknown-role member are untouched, and the journal and the audit log
 * agree with the emulator's request log. Some writes are acknowledged without effect (the `ack`
 * fault: 2xx, the usual body, nothing changed): the run that sent one reports that operation
 * `unconfirmed` and exits non-zero, no run reports as applied a write that did not take effect,
 * and the rerun converges. Then a few real SIGKILLs of `node dist/cli/main.js`.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPlan } from '../../../src/apply/apply-plan.js';
import { yesGate } from '../../../src/apply/approval-gates.js';
import type { Operation } from '../../../src/apply/order-operations.js';
import {
  loadDefaultSeed,
  startEmulator,
  type RunningEmulator,
  type TeamMemberJson,
} from '../../../src/emulator/index.js';
import { connectFreshBooks } from '../../../src/freshbooks/connect.js';
import { packagePath } from '../../../src/paths.js';
import { buildPlan } from '../../../src/plan/build-plan.js';
import type { ApplyRun } from '../../../src/apply/apply-plan.js';
import { syncLiveState } from '../../../src/sync/sync-live-state.js';
import type { DesiredState, Plan } from '../../../src/types.js';
import {
  CHAOS_BUSINESS,
  OWNER,
  STRANGER,
  chaosPolicy,
  chaosSeed,
  consistencyProblems,
  faultSpec,
  mulberry32,
  opOfRequest,
  readAllAudit,
  readJournalFile,
} from '../../support/chaos.js';
import {
  FAST_TMP,
  fastConnect,
  loadPolicies,
  workspace,
  writePlanFile,
  type Workspace,
} from './apply-harness.js';

const RUNS = Number(process.env['ROLECALL_CHAOS_RUNS'] ?? 100);
const SIGKILL_RUNS = 5;
const MAX_RERUNS = 8;
const NOW = new Date('2026-11-29T10:00:00.000Z');
const POLICY = chaosPolicy(14);
const CLIENT = loadDefaultSeed().clients[0];
if (!CLIENT) throw new Error('the default seed has no OAuth client');

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(() => emulator.close());

interface Scenario {
  ws: Workspace;
  desired: DesiredState;
  plan: Plan;
  pendingCorrect: string[];
  owner: TeamMemberJson | null;
  stranger: TeamMemberJson | null;
}

async function setUp(seedNumber: number, rng: () => number): Promise<Scenario> {
  const { seed, pendingCorrect } = chaosSeed(rng, POLICY.members, CLIENT!);
  emulator.control.configure({ faults: '', latencyMs: 0, jitterMs: 0 });
  emulator.control.loadState(seed);
  const ws = await workspace(emulator, POLICY.yaml, FAST_TMP);
  ws.env['ROLECALL_CHAOS_SEED'] = String(seedNumber);
  const desired = await loadPolicies(ws, NOW);
  const connection = await connectFreshBooks(fastConnect(ws));
  try {
    const live = await syncLiveState(connection, [CHAOS_BUSINESS], { now: NOW });
    const plan = buildPlan({ desired, live, now: NOW, toolVersion: '0.1.0' });
    return {
      ws,
      desired,
      plan,
      pendingCorrect,
      owner: emulator.control.member(CHAOS_BUSINESS, OWNER),
      stranger: emulator.control.member(CHAOS_BUSINESS, STRANGER),
    };
  } finally {
    await connection.close();
  }
}

/** One in-process apply; `kill` aborts it at a hook, like `kill -9` at that instant. */
async function applyOnce(
  s: Scenario,
  kill?: { where: 'beforeOperation' | 'afterIntent'; nth: number },
) {
  const connection = await connectFreshBooks(fastConnect(s.ws));
  const controller = new AbortController();
  let seen = 0;
  const hook = (_op: Operation) => {
    seen += 1;
    if (kill && seen === kill.nth) controller.abort(new Error('killed'));
  };
  try {
    return await applyPlan({
      plan: s.plan,
      desired: s.desired,
      reader: connection,
      writer: connection,
      gate: yesGate({}),
      stateDir: s.ws.stateDir,
      clock: { now: () => new Date() },
      actor: 'chaos',
      resync: (ids) => syncLiveState(connection, ids, { now: NOW }),
      retry: { attempts: 4, backoffMs: 1, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
      signal: controller.signal,
      ...(kill ? { hooks: { [kill.where]: hook } } : {}),
    });
  } catch (error) {
    if (controller.signal.aborted) return 'killed' as const;
    throw error;
  } finally {
    await connection.close();
  }
}

/**
 * What one finished run said against what FreshBooks saw during it: every write acknowledged
 * without effect is reported `unconfirmed` (so the run exits non-zero), and every operation the
 * run reports `applied` has a write that took effect (in this run or an earlier one).
 */
function runProblems(s: Scenario, run: ApplyRun, firstSeq: number): string[] {
  const problems: string[] = [];
  const log = emulator.control.requests().log;
  const effective = new Set(
    log.filter((e) => e.applied === true).map((e) => opOfRequest(e, s.plan)),
  );
  const acked = log.filter(
    (e) => e.seq > firstSeq && e.fault === 'ack' && e.status >= 200 && e.status < 300,
  );
  const outcome = new Map(run.operations.map((o) => [o.op, o]));
  for (const entry of acked) {
    const op = opOfRequest(entry, s.plan);
    const reported = op === null ? undefined : outcome.get(op);
    if (reported?.outcome !== 'unconfirmed')
      problems.push(
        `${op}: acknowledged without effect, reported ${reported?.outcome ?? 'nothing'}`,
      );
  }
  if (acked.length > 0 && run.exitCode === 0) problems.push('unconfirmed writes, yet exit 0');
  for (const o of run.operations) {
    if (o.outcome === 'applied' && !effective.has(o.op))
      problems.push(`${o.op}: reported applied, but no write of it took effect`);
  }
  return problems;
}

/**
 * The highest request sequence number the emulator logged. Requests are numbered as they start
 * and logged as they end, so the log's last entry is not always the newest: a run's reads and
 * writes go side by side, and a killed run's last write, logged before its last read, would
 * otherwise count as the next run's.
 */
function lastSeq(): number {
  return emulator.control.requests().log.reduce((max, entry) => Math.max(max, entry.seq), 0);
}

/**
 * The request log once every request numbered after `firstSeq` has been logged. A `slow`
 * answer is logged when it is finally sent, after the client gave up on it: the write it
 * carried already happened, so the log must not be read before it is complete.
 */
async function completeLog(firstSeq: number) {
  for (let waited = 0; ; waited += 10) {
    const log = emulator.control.requests().log;
    const seqs = new Set(log.map((e) => e.seq));
    const max = Math.max(firstSeq, ...seqs);
    let complete = true;
    for (let seq = firstSeq + 1; seq <= max && complete; seq += 1) complete = seqs.has(seq);
    if (complete || waited > 3_000) return log;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function checkInvariants(s: Scenario, label: string, firstSeq: number): Promise<void> {
  emulator.control.configure({ faults: '', latencyMs: 0, jitterMs: 0 });
  const connection = await connectFreshBooks(fastConnect(s.ws));
  try {
    const live = await syncLiveState(connection, [CHAOS_BUSINESS], { now: NOW });
    const replan = buildPlan({ desired: s.desired, live, now: NOW, toolVersion: '0.1.0' });
    expect(
      replan.businesses[0]?.changes.map((c) => `${c.action} ${c.email}`),
      `${label}: re-plan`,
    ).toEqual([]);
  } finally {
    await connection.close();
  }
  const log = await completeLog(firstSeq);
  expect(emulator.control.member(CHAOS_BUSINESS, OWNER), `${label}: owner`).toEqual(s.owner);
  expect(emulator.control.member(CHAOS_BUSINESS, STRANGER), `${label}: unknown role`).toEqual(
    s.stranger,
  );
  const problems = consistencyProblems({
    plan: s.plan,
    journal: await readJournalFile(s.ws.stateDir, s.plan),
    audit: await readAllAudit(s.ws.stateDir),
    log,
    pendingCorrect: s.pendingCorrect,
  });
  expect(problems, label).toEqual([]);
}

describe('chaos: faults and kills, then rerun', () => {
  it(
    `${RUNS} seeded runs converge, never duplicate a write, and keep journal, audit and FreshBooks consistent`,
    { timeout: 120_000 },
    async () => {
      const stats = { kills: 0, reruns: 0, faults: 0, ops: 0, acked: 0, unconfirmed: 0 };
      for (let run = 1; run <= RUNS; run += 1) {
        const rng = mulberry32(run * 7919);
        const s = await setUp(run, rng);
        const label = `chaos run ${run}`;
        try {
          stats.ops += s.plan.businesses[0]?.changes.length ?? 0;
          const ops = Math.max(1, s.plan.businesses[0]?.changes.length ?? 1);
          const mode = rng();
          const kill =
            mode < 0.2
              ? undefined
              : {
                  where: mode < 0.6 ? ('beforeOperation' as const) : ('afterIntent' as const),
                  nth: 1 + Math.floor(rng() * ops),
                };
          const firstSeq = lastSeq();
          emulator.control.resetRequests();
          emulator.control.configure({
            // Up to 6% of writes acknowledged without effect, on top of the other faults.
            faults: `${faultSpec(rng, true)},ack=${Math.round(rng() * 60) / 1000}`,
            faultSeed: run,
            latencyMs: 0,
            jitterMs: 2,
          });
          const once = async (k?: typeof kill) => {
            const from = lastSeq();
            const outcome = await applyOnce(s, k);
            if (outcome !== 'killed') {
              expect(runProblems(s, outcome, from), label).toEqual([]);
              stats.unconfirmed += outcome.operations.filter(
                (o) => o.outcome === 'unconfirmed',
              ).length;
            }
            return outcome;
          };
          let result = await once(kill);
          if (result === 'killed') stats.kills += 1;
          for (
            let rerun = 0;
            rerun < MAX_RERUNS && (result === 'killed' || result.exitCode !== 0);
            rerun += 1
          ) {
            stats.reruns += 1;
            result = await once();
          }
          const log = emulator.control.requests().log;
          stats.faults += log.filter((e) => e.fault !== undefined).length;
          stats.acked += log.filter((e) => e.fault === 'ack').length;
          expect(result === 'killed' ? 'killed' : result.exitCode, `${label}: converged`).toBe(0);
          await checkInvariants(s, label, firstSeq);
        } finally {
          await s.ws.close();
        }
      }
      // The suite is only worth something if the chaos actually happened.
      expect(stats.kills).toBeGreaterThan(RUNS * 0.5);
      expect(stats.faults).toBeGreaterThan(RUNS * 3);
      expect(stats.ops).toBeGreaterThan(RUNS * 5);
      // Which writes the ack fault hits depends on the order concurrent writes reach the
      // emulator, so these counts vary from run to run (about 0.3 and 0.2 per run): the bounds
      // only prove the fault happened, with room for a busy machine's ordering.
      expect(stats.acked).toBeGreaterThan(RUNS * 0.15);
      expect(stats.unconfirmed).toBeGreaterThan(RUNS * 0.1);
    },
  );
});

const CLI = packagePath('dist', 'cli', 'main.js');
const built = existsSync(CLI) && existsSync(packagePath('dist', 'apply', 'apply-plan.js'));

/** Spawns `rolecall apply`; resolves with its exit code or signal. */
function spawnApply(s: Scenario, planFile: string, killWhen?: () => boolean) {
  const child = spawn(
    process.execPath,
    [CLI, 'apply', planFile, '--yes', '--policies', s.ws.policiesDir, '--rate', '1000'],
    {
      cwd: s.ws.cwd,
      env: { PATH: process.env['PATH'] ?? '', ...s.ws.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const timer = killWhen
    ? setInterval(() => {
        if (killWhen()) {
          child.kill('SIGKILL');
          clearInterval(timer);
        }
      }, 1)
    : undefined;
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>(
    (resolve) => {
      child.on('close', (code, signal) => {
        if (timer) clearInterval(timer);
        resolve({ code, signal, output });
      });
    },
  );
}

describe.skipIf(!built)('chaos: real SIGKILL of `node dist/cli/main.js apply`', () => {
  it(
    `${SIGKILL_RUNS} runs killed mid-apply, then rerun: same end state, no duplicate invitation`,
    { timeout: 60_000 },
    async () => {
      let killed = 0;
      for (let run = 1; run <= SIGKILL_RUNS; run += 1) {
        const rng = mulberry32(run * 104_729);
        const s = await setUp(1000 + run, rng);
        try {
          const planFile = await writePlanFile(s.ws, s.plan);
          const ops = s.plan.businesses[0]?.changes.length ?? 0;
          const target = 1 + Math.floor(rng() * Math.max(1, ops - 1));
          const firstSeq = lastSeq();
          emulator.control.resetRequests();
          // Latency so that the kill lands mid-apply. No injected faults here: the CLI backs off for
          // real (250 ms and up), and the faults are the in-process suite's job; this one is
          // about a process that really dies at a random instant.
          emulator.control.configure({ faults: '', latencyMs: 4, jitterMs: 4 });
          const writesSeen = () =>
            emulator.control.requests().log.filter((e) => e.applied !== undefined).length >= target;
          const first = await spawnApply(s, planFile, writesSeen);
          if (first.signal === 'SIGKILL') killed += 1;
          // The rerun resumes from what the killed process left on disk (journal, lock, audit
          // log, rotated credentials); in-process, because a second process start only costs time.
          let last = await applyOnce(s);
          for (
            let rerun = 0;
            rerun < MAX_RERUNS && (last === 'killed' || last.exitCode !== 0);
            rerun += 1
          ) {
            last = await applyOnce(s);
          }
          expect(
            last === 'killed' ? 'killed' : last.exitCode,
            `sigkill run ${run}: ${first.output}`,
          ).toBe(0);
          await checkInvariants(s, `sigkill run ${run}`, firstSeq);
        } finally {
          await s.ws.close();
        }
      }
      expect(killed).toBeGreaterThanOrEqual(SIGKILL_RUNS - 1);
    },
  );
});
