/**
 * Ctrl-C during `rolecall apply`, on the built CLI against the emulator. A holding proxy keeps
 * the second write in flight for as long as the test needs, so the signal lands at a known
 * point with no timing guess: after the first operation is journaled, during the second.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readJournal } from '../../../src/apply/journal.js';
import { main } from '../../../src/cli/main.js';
import {
  loadDefaultSeed,
  startEmulator,
  type RunningEmulator,
} from '../../../src/emulator/index.js';
import { packagePath } from '../../../src/paths.js';
import { bufferIo } from '../../support/buffer-io.js';
import { planNow, workspace, writeLog, writePlanFile, type Workspace } from './apply-harness.js';
import { startHoldProxy, type HoldProxy } from './hold-proxy.js';

const CLI = packagePath('dist', 'cli', 'main.js');
const built = existsSync(CLI) && existsSync(packagePath('dist', 'cli', 'interrupt.js'));
const NOW = new Date('2026-11-29T10:00:00.000Z');

let emulator: RunningEmulator;
let proxy: HoldProxy;
let ws: Workspace;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(() => emulator.close());
beforeEach(async () => {
  emulator.control.loadState(loadDefaultSeed());
  emulator.control.configure({ faults: '', disabledWrites: [] });
  ws = await workspace(emulator);
  proxy = await startHoldProxy(emulator.url);
  // Every run of the test talks through the proxy (the credentials belong to one API URL).
  ws.env['FRESHBOOKS_API_URL'] = proxy.url;
});
afterEach(async () => {
  await proxy.release();
  await proxy.close();
  await ws.close();
});

const isWrite = (method: string, path: string) =>
  method !== 'GET' && !path.startsWith('/auth/oauth/');

interface Running {
  child: ChildProcessWithoutNullStreams;
  out: () => string;
  err: () => string;
  /** Resolves once stderr holds `text`. */
  stderrHas: (text: string) => Promise<void>;
  /** Resolves once the proxy holds a write; fails at once if the command ended instead. */
  writeHeld: () => Promise<void>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `rolecall apply PLAN --yes --concurrency 1` (FreshBooks reached through the proxy). */
function spawnApply(planFile: string): Running {
  const child = spawn(
    process.execPath,
    [CLI, 'apply', planFile, '--yes', '--policies', ws.policiesDir, '--concurrency', '1'],
    {
      cwd: ws.cwd,
      env: { PATH: process.env['PATH'] ?? '', ...ws.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  const waiters: Array<{ text: string; wake: () => void }> = [];
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
    for (const w of waiters.filter((w) => err.includes(w.text))) w.wake();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    out: () => out,
    err: () => err,
    stderrHas: (text) =>
      err.includes(text) ? Promise.resolve() : new Promise((wake) => waiters.push({ text, wake })),
    exit,
    writeHeld: () =>
      Promise.race([
        proxy.whenHeld(1),
        exit.then(() => {
          throw new Error(`apply ended before its second write:\n${out}${err}`);
        }),
      ]),
  };
}

/** The same plan again, in-process. */
async function applyAgain(planFile: string) {
  const io = bufferIo({ env: ws.env, cwd: ws.cwd });
  const code = await main(['apply', planFile, '--yes', '--policies', ws.policiesDir], io);
  return { code, out: io.out(), err: io.err() };
}

/** Every write that took effect in FreshBooks, by route and target: each must appear once. */
function appliedWrites(): string[] {
  return writeLog(emulator, true).map((e) => `${e.method} ${e.path} ${JSON.stringify(e.body)}`);
}

describe.skipIf(!built)('Ctrl-C during `rolecall apply` (the built CLI)', () => {
  it('finishes the write in flight, starts no other, says how far it got, exits 130; a re-run completes', async () => {
    const { plan } = await planNow(ws, NOW);
    const file = await writePlanFile(ws, plan);
    emulator.control.resetRequests();
    proxy.holdMatching(isWrite, 1); // the first write passes; the second waits

    const run = spawnApply(file);
    await run.writeHeld();
    // The first operation is journaled (concurrency 1: the second starts after it is recorded).
    const journaled = (await readJournal(ws.stateDir, plan.digest)).records;
    expect(journaled.filter((r) => r.type === 'outcome')).toHaveLength(1);

    run.child.kill('SIGINT');
    await run.stderrHas('SIGINT received');
    await proxy.release(); // the write in flight now reaches FreshBooks and is answered
    const { code } = await run.exit;

    expect(code, run.err()).toBe(130);
    expect(run.err()).toContain(
      'rolecall: SIGINT received — letting the operations in flight finish, starting no new ones (Ctrl-C again to stop at once)',
    );
    expect(run.out()).toMatch(
      /^Interrupted \(SIGINT\) — 2 of 6 operations done; run the same command again to resume\.\n/,
    );
    expect(run.out()).toContain('(run the same plan again to resume)');
    const records = (await readJournal(ws.stateDir, plan.digest)).records;
    expect(records.filter((r) => r.type === 'outcome')).toHaveLength(2);
    expect(records.filter((r) => r.type === 'intent')).toHaveLength(2);
    expect(appliedWrites()).toHaveLength(2);

    const again = await applyAgain(file);
    expect(again.code).toBe(0);
    expect(again.err).toContain('Resuming: 2 of 6 operation(s) were done by an earlier run');
    expect(again.out).toMatch(/^Apply complete: 6 applied/);
    // Nothing done twice: six distinct writes in all, and nothing left to do.
    const writes = appliedWrites();
    expect(writes).toHaveLength(6);
    expect(new Set(writes).size).toBe(6);
    const { plan: after } = await planNow(ws, NOW);
    expect(after.businesses[0]?.changes).toEqual([]);
  });

  it('a second Ctrl-C stops at once (130); the write it abandoned is not made twice', async () => {
    const { plan } = await planNow(ws, NOW);
    const file = await writePlanFile(ws, plan);
    emulator.control.resetRequests();
    proxy.holdMatching(isWrite, 1);

    const run = spawnApply(file);
    await run.writeHeld();
    run.child.kill('SIGINT');
    await run.stderrHas('SIGINT received');
    run.child.kill('SIGINT');
    const { code } = await run.exit;
    expect(code).toBe(130);
    expect(run.err()).toContain(
      'rolecall: stopped at once (SIGINT); the journal keeps what was done — run the same command again to resume',
    );
    // No report: it stopped without waiting for the write in flight.
    expect(run.out()).not.toMatch(/Interrupted|Apply complete/);
    expect(proxy.held()).toBe(1);

    // The abandoned write reaches FreshBooks after all, with nobody to hear the answer.
    await proxy.release();
    expect(appliedWrites()).toHaveLength(2);
    const again = await applyAgain(file);
    expect(again.code, again.out + again.err).toBe(0);
    const writes = appliedWrites();
    expect(writes).toHaveLength(6);
    expect(new Set(writes).size).toBe(6);
    // The re-run found that write done by re-reading, and did not send it again.
    expect(again.out).toContain('confirmed by re-reading the member');
  });

  it('SIGTERM: the same graceful stop, exit 143', async () => {
    const { plan } = await planNow(ws, NOW);
    const file = await writePlanFile(ws, plan);
    proxy.holdMatching(isWrite, 1);

    const run = spawnApply(file);
    await run.writeHeld();
    run.child.kill('SIGTERM');
    await run.stderrHas('SIGTERM received');
    await proxy.release();
    const { code } = await run.exit;
    expect(code).toBe(143);
    expect(run.out()).toMatch(/^Interrupted \(SIGTERM\) — 2 of 6 operations done/);
  });
});
