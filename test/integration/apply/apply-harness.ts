/**
 * Shared set-up for the apply integration tests: the real emulator, the real FreshBooks
 * client, the real policy loader and planner. A "workspace" is a temporary working directory
 * with a policies/ folder, its own .rolecall/ (journal, audit log, credentials).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningEmulator } from '../../../src/emulator/index.js';
import { connectFreshBooks, type ConnectOptions } from '../../../src/freshbooks/connect.js';
import { realSleep } from '../../../src/freshbooks/rate-budget.js';
import { toolVersion, packagePath } from '../../../src/paths.js';
import { buildPlan } from '../../../src/plan/build-plan.js';
import { serializePlan } from '../../../src/plan/plan-file.js';
import { formatDiagnostic, loadDesiredState } from '../../../src/policy/load-desired-state.js';
import { syncLiveState } from '../../../src/sync/sync-live-state.js';
import type { DesiredState, LiveState, Plan } from '../../../src/types.js';

export const ACME = 240340;

export interface Workspace {
  cwd: string;
  env: Record<string, string>;
  policiesDir: string;
  stateDir: string;
  close(): Promise<void>;
}

/**
 * Memory-backed when the machine has one (Linux `/dev/shm`): the chaos suite fsyncs thousands
 * of journal records, and what it tests is the order of records, not the disk.
 */
export const FAST_TMP = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

/** A fresh working directory whose credentials point at `emulator`. */
export async function workspace(
  emulator: RunningEmulator,
  policyYaml?: string,
  base: string = tmpdir(),
): Promise<Workspace> {
  const cwd = await mkdtemp(join(base, 'rolecall-apply-'));
  const policiesDir = join(cwd, 'policies');
  await mkdir(policiesDir);
  const yaml = policyYaml ?? (await readFile(packagePath('policies', 'acme-books.yaml'), 'utf8'));
  await writeFile(join(policiesDir, 'acme-books.yaml'), yaml);
  return {
    cwd,
    policiesDir,
    stateDir: join(cwd, '.rolecall'),
    env: {
      FRESHBOOKS_API_URL: emulator.url,
      FRESHBOOKS_CLIENT_ID: emulator.credentials.clientId,
      FRESHBOOKS_CLIENT_SECRET: emulator.credentials.clientSecret,
      FRESHBOOKS_REFRESH_TOKEN: emulator.credentials.refreshToken,
    },
    close: () => rm(cwd, { recursive: true, force: true }),
  };
}

/** No real multi-second waits in tests; a generous rate budget; a fixed jitter. */
export function fastConnect(ws: Workspace, extra: Partial<ConnectOptions> = {}): ConnectOptions {
  return {
    env: ws.env,
    cwd: ws.cwd,
    rate: 10_000,
    backoffBaseMs: 1,
    backoffCapMs: 4,
    maxRetries: 8,
    timeoutMs: 2_000,
    random: () => 0.5,
    sleep: (ms) => realSleep(Math.min(ms, 3)),
    ...extra,
  };
}

export async function loadPolicies(ws: Workspace, now: Date): Promise<DesiredState> {
  const loaded = await loadDesiredState(ws.policiesDir, { now, cwd: ws.cwd });
  if (!loaded.value) throw new Error(loaded.errors.map(formatDiagnostic).join('\n'));
  return loaded.value;
}

export async function syncNow(ws: Workspace, businessIds: number[], now: Date): Promise<LiveState> {
  const connection = await connectFreshBooks(fastConnect(ws));
  try {
    return await syncLiveState(connection, businessIds, { now });
  } finally {
    await connection.close();
  }
}

/** What `rolecall plan --out` does: load, sync, plan (in-process, the planner's own code). */
export async function planNow(
  ws: Workspace,
  now: Date,
): Promise<{ plan: Plan; desired: DesiredState }> {
  const desired = await loadPolicies(ws, now);
  const live = await syncNow(
    ws,
    desired.businesses.map((b) => b.businessId),
    now,
  );
  return { plan: buildPlan({ desired, live, now, toolVersion: toolVersion() }), desired };
}

export async function writePlanFile(
  ws: Workspace,
  plan: Plan,
  name = 'plan.json',
): Promise<string> {
  const path = join(ws.cwd, name);
  await writeFile(path, serializePlan(plan));
  return path;
}

/** Write requests the emulator saw (optionally only those that took effect). */
export function writeLog(emulator: RunningEmulator, onlyApplied = false) {
  return emulator.control
    .requests()
    .log.filter((e) => e.applied !== undefined && (!onlyApplied || e.applied));
}
