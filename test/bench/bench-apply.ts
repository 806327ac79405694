/**
 * 4. Apply throughput: a 500-change plan (250 invitations, 150 role changes, 100 removals)
 * applied through `runApply` against the emulator at 20 requests/s, 20 ms latency, with
 * seeded faults, the client's rate budget set to the server's. Planning happens first,
 * unthrottled and untimed; only the apply is timed (re-sync, guards, writes, re-reads).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { yesGate } from '../../src/apply/approval-gates.js';
import { runApply } from '../../src/apply/run-apply.js';
import { startEmulator, type EmulatorSeed, type SeedMember } from '../../src/emulator/index.js';
import { connectFreshBooks } from '../../src/freshbooks/connect.js';
import { toolVersion } from '../../src/paths.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { formatDiagnostic, loadDesiredState } from '../../src/policy/load-desired-state.js';
import { apiRoleOf } from '../../src/roles.js';
import { syncLiveState } from '../../src/sync/sync-live-state.js';
import { figure, median, type Figure } from './figures.js';
import {
  countRequests,
  emulatorEnv,
  memoryTokenStore,
  progress,
  quietIo,
  timed,
} from './support.js';
import { BENCH_CLIENT, IDENTITY, businessId, emailOf, policyYaml, roleOf } from './synthetic.js';

const SECTION = '4. Apply throughput';
export const APPLY_RATE = 20;
const LATENCY_MS = 20;
export const APPLY_FAULTS = '429=0.05,500=0.01,503-after=0.01,reset=0.005,reset-after=0.005';
export const APPLY_FAULTS_WITHOUT_429 = '500=0.01,503-after=0.01,reset=0.005,reset-after=0.005';
const BUSINESS = businessId(0);
const UNCHANGED = 100;
const CHANGES = 150;
const GRANTS = 250;
const REVOKES = 100;
/** alice, then people 2 … 501. */
const POLICY_SIZE = 1 + UNCHANGED + CHANGES + GRANTS;

function applySeed(): EmulatorSeed {
  const members: SeedMember[] = [
    { email: emailOf(BUSINESS, 0), role: 'owner' },
    { email: IDENTITY.email, role: 'business_partner', identity_id: IDENTITY.id },
  ];
  for (let i = 2; i < 2 + UNCHANGED + CHANGES; i++) {
    const desired = roleOf(i);
    const role = i < 2 + UNCHANGED ? desired : desired === 'employee' ? 'manager' : 'employee';
    members.push({ email: emailOf(BUSINESS, i), role: apiRoleOf(role) });
  }
  for (let k = 0; k < REVOKES; k++) {
    members.push({ email: `gone${k}@b${BUSINESS}.example`, role: 'business_employee' });
  }
  return {
    identities: [{ id: IDENTITY.id, email: IDENTITY.email, first_name: 'Alice' }],
    businesses: [{ id: BUSINESS, name: 'Apply Co.', account_id: 'Ap0001', members }],
    clients: [BENCH_CLIENT],
  };
}

interface ApplyRunResult {
  ms: number;
  operations: number;
  outcomes: Record<string, number>;
  requests: number;
  writes: number;
  /** Requests for pages of a team listing (the re-sync, invitations re-read by email). */
  listingPages: number;
  byStatus: Record<string, number>;
  /** Failed, manual and unconfirmed operations, with what the applier said about each. */
  problems: string[];
}

export async function applyOnce(
  faults: string | undefined,
  faultSeed: number,
): Promise<ApplyRunResult> {
  const emulator = await startEmulator({ seed: applySeed() });
  const cwd = await mkdtemp(join(tmpdir(), 'rolecall-bench-apply-'));
  try {
    // Real time: the applier stamps its journal and audit log with the system clock.
    const now = new Date();
    const expires = new Date(now.getTime() + 90 * 86_400_000).toISOString().slice(0, 10);
    await mkdir(join(cwd, 'policies'));
    await writeFile(
      join(cwd, 'policies', 'apply-co.yaml'),
      policyYaml({
        business: BUSINESS,
        size: POLICY_SIZE,
        maxRevokeFraction: 0.5,
        contractorExpires: expires,
      }),
    );
    const loaded = await loadDesiredState('policies', { now, cwd });
    if (!loaded.value) throw new Error(loaded.errors.map(formatDiagnostic).join('\n'));
    const desired = loaded.value;
    const store = memoryTokenStore();
    const env = emulatorEnv(emulator);
    const planning = await connectFreshBooks({ env, cwd, store, rate: 100_000 });
    const live = await syncLiveState(planning, [BUSINESS], { now }).finally(() => planning.close());
    const plan = buildPlan({ desired, live, now, toolVersion: toolVersion() });
    const changes = plan.businesses.reduce((n, b) => n + b.changes.length, 0);
    if (changes !== GRANTS + CHANGES + REVOKES || !plan.businesses.every((b) => b.applyable)) {
      throw new Error(`apply bench: expected an applyable plan of 500 changes, got ${changes}`);
    }

    emulator.control.configure({
      rate: APPLY_RATE,
      latencyMs: LATENCY_MS,
      faults: faults ?? {},
      faultSeed,
    });
    emulator.control.resetRequests();
    const connection = await connectFreshBooks({ env, cwd, store, rate: APPLY_RATE });
    const io = quietIo(cwd, {});
    try {
      const { value: run, ms } = await timed(() =>
        runApply({
          plan,
          desired,
          connection,
          gate: yesGate({}),
          io,
          stateDir: join(cwd, '.rolecall'),
          actor: 'benchmark',
        }),
      );
      const outcomes: Record<string, number> = {};
      const problems: string[] = [];
      for (const op of run.operations) {
        outcomes[op.outcome] = (outcomes[op.outcome] ?? 0) + 1;
        if (op.outcome === 'failed' || op.outcome === 'manual' || op.outcome === 'unconfirmed') {
          problems.push(`${op.outcome} ${op.action} ${op.email}: ${op.detail ?? ''}`);
        }
      }
      const counts = countRequests(emulator);
      const writes = Object.entries(counts.byRoute)
        .filter(([route]) => !route.startsWith('GET ') && !route.startsWith('POST /auth/oauth/'))
        .reduce((n, [, c]) => n + c, 0);
      const listingPages = Object.entries(counts.byRoute)
        .filter(([route]) => /^GET \S*\/team_members$/.test(route))
        .reduce((n, [, c]) => n + c, 0);
      return {
        ms,
        operations: run.operations.length,
        outcomes,
        requests: counts.total,
        writes,
        listingPages,
        byStatus: counts.byStatus,
        problems,
      };
    } finally {
      await connection.close();
    }
  } finally {
    await emulator.close();
    await rm(cwd, { recursive: true, force: true });
  }
}

export interface ApplyBenchDetail {
  faults: string;
  faultsWithout429: string;
  clean: ApplyRunResult;
  without429: ApplyRunResult;
  faulty: ApplyRunResult[];
}

const opsPerS = (r: ApplyRunResult) => r.operations / (r.ms / 1000);
const reqPerS = (r: ApplyRunResult) => r.requests / (r.ms / 1000);
const badOps = (r: ApplyRunResult) =>
  (r.outcomes['failed'] ?? 0) + (r.outcomes['manual'] ?? 0) + (r.outcomes['unconfirmed'] ?? 0);

export async function benchApply(
  repetitions: number,
): Promise<{ figures: Figure[]; detail: ApplyBenchDetail }> {
  progress(`apply 500 changes at ${APPLY_RATE} req/s, no faults`);
  const clean = await applyOnce(undefined, 1);
  progress(`apply 500 changes at ${APPLY_RATE} req/s, 5xx and resets only`);
  const without429 = await applyOnce(APPLY_FAULTS_WITHOUT_429, 301);
  const faulty: ApplyRunResult[] = [];
  for (let rep = 0; rep < repetitions; rep++) {
    progress(
      `apply 500 changes at ${APPLY_RATE} req/s with 429s too, run ${rep + 1} of ${repetitions}`,
    );
    faulty.push(await applyOnce(APPLY_FAULTS, 201 + rep));
  }
  const runs = [clean, without429, ...faulty];
  const failed = runs.reduce((n, r) => n + badOps(r), 0);
  const faultyOps = median(faulty.map(opsPerS));
  const faultyRequests = median(faulty.map((r) => r.requests));
  const faulty429 = median(faulty.map((r) => r.byStatus['429'] ?? 0));
  const faultyWall = median(faulty.map((r) => r.ms / 1000));
  const faultyPages = median(faulty.map((r) => r.listingPages));
  const rateCompare = { label: 'rate limit', value: APPLY_RATE };
  const perOp = clean.requests / clean.operations;
  const figures: Figure[] = [
    figure({
      id: 'apply.clean.requestsPerS',
      section: SECTION,
      label: '500 changes, no faults: requests/s',
      value: reqPerS(clean),
      unit: 'req/s',
      compare: rateCompare,
      goal: { on: 'ratio', op: '>=', target: 0.9 },
      note: `${clean.requests} requests for ${clean.operations} operations (${perOp.toFixed(2)} per operation: every write is read back before it counts, and the re-sync), ${opsPerS(clean).toFixed(1)} operations/s, ${(clean.ms / 1000).toFixed(1)} s; the bucket's initial burst of ${APPLY_RATE} lets a run beat the rate slightly`,
    }),
    figure({
      id: 'apply.no429.requestsPerS',
      section: SECTION,
      label: '500 changes, 2% 5xx + 1% resets: requests/s',
      value: reqPerS(without429),
      unit: 'req/s',
      compare: rateCompare,
      goal: { on: 'ratio', op: '>=', target: 0.9 },
      note: `${without429.requests} requests, ${opsPerS(without429).toFixed(1)} operations/s: each unknown outcome costs a re-read and a retry from the same budget`,
    }),
    figure({
      id: 'apply.faults.opsPerS',
      section: SECTION,
      label: '500 changes, 5% 429 + 2% 5xx + 1% resets: operations/s',
      value: faultyOps,
      unit: 'ops/s',
      compare: { label: 'what the rate allows (no faults)', value: opsPerS(clean) },
      goal: { on: 'ratio', op: '>=', target: 0.8 },
      samples: faulty.map(opsPerS),
      note: `${faultyRequests} requests, ${faulty429} answered 429 (median), each with Retry-After: 1, which only that request waits, and each owing the shared budget one request (${faultyRequests} + ${faulty429} request times at ${APPLY_RATE}/s is ${((faultyRequests + faulty429) / APPLY_RATE).toFixed(1)} s against ${faultyWall.toFixed(1)} s taken); a write waiting on its 429 steps out of its business's lane, a read-back of single members lets writes go (src/apply/business-scheduler.ts), and a listing page waiting on its 429 lets them go too, the listing starting over if any went; ${faultyPages} of the requests (median; ${clean.listingPages} without faults) are pages of team listings: an invitation whose answer was lost can only be found by email, in a listing of the whole team`,
    }),
    figure({
      id: 'apply.faults.requestsPerS',
      section: SECTION,
      label: 'same runs: all requests/s (writes, read-backs, retries, re-reads, re-sync)',
      value: median(faulty.map(reqPerS)),
      unit: 'req/s',
      compare: rateCompare,
      samples: faulty.map(reqPerS),
    }),
    figure({
      id: 'apply.faults.vsRetryAfter',
      section: SECTION,
      label: 'same runs: wall time vs the silence Retry-After asks for',
      value: faultyWall,
      unit: 's',
      compare: { label: `${faulty429} × 429 × 1 s`, value: faulty429 },
      note: 'the requests that got a 429 wait their second each; whether the others go on meanwhile is up to the applier',
    }),
    figure({
      id: 'apply.failed',
      section: SECTION,
      label: `failed, manual or unconfirmed operations (${runs.length} runs × 500)`,
      value: failed,
      unit: 'ops',
      goal: { on: 'value', op: '=', target: 0 },
      ...(failed > 0
        ? {
            note: runs
              .flatMap((r) => r.problems)
              .slice(0, 3)
              .join(' | '),
          }
        : {}),
    }),
  ];
  return {
    figures,
    detail: {
      faults: APPLY_FAULTS,
      faultsWithout429: APPLY_FAULTS_WITHOUT_429,
      clean,
      without429,
      faulty,
    },
  };
}
