/**
 * Ctrl-C during `rolecall apply --github` (a cancelled workflow run sends SIGINT): stopped
 * before the first write, nothing is written to FreshBooks, the pull request's comment says
 * "interrupted" and does not record the merge as applied, so a re-run applies it.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  loadDefaultSeed,
  startEmulator,
  type RunningEmulator,
} from '../../../src/emulator/index.js';
import { addStandardTokens } from '../../support/fake-github/client.js';
import { startFakeGitHub, type FakeGitHub } from '../../support/fake-github/index.js';
import { Flow } from '../apply-github/harness.js';

let emulator: RunningEmulator;
let gh: FakeGitHub;
let flow: Flow;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  gh = await startFakeGitHub();
  addStandardTokens(gh);
  gh.world.addTeam('acme/owners', ['olivia-gh', 'ben-gh']);
});
afterAll(async () => {
  await emulator.close();
  await gh.close();
});
beforeEach(async () => {
  emulator.control.loadState(loadDefaultSeed());
  emulator.control.resetRequests();
  gh.clearRequests();
  flow = await Flow.create(gh, emulator);
});
afterEach(() => flow.close());

const writes = () => emulator.control.requests().log.filter((e) => e.applied !== undefined);

describe('apply --github interrupted', () => {
  it('at the gate: exit 130, nothing written, the comment says interrupted; a re-run applies', async () => {
    const pr = await flow.openPullRequest({ plan: 'cli' });
    flow.approve(pr, 'ben-gh');
    flow.approve(pr, 'olivia-gh');
    const merge = await flow.merge(pr);
    emulator.control.resetRequests();

    // The gate approves, then marks the comment "applying" before the first write: hold that
    // mark, and press Ctrl-C while it is in flight.
    const listeners = process.listenerCount('SIGINT');
    const mark = gh.hold('POST', /\/issues\/\d+\/comments$/);
    const running = flow.apply(merge);
    await mark.arrived;
    // What the signal does, delivered to the handler `apply` installed (no real signal is sent
    // to the test worker).
    process.emit('SIGINT', 'SIGINT');
    mark.release();
    const result = await running;

    expect(result.code, result.err).toBe(130);
    expect(result.err).toContain('SIGINT received');
    expect(result.out).toContain(
      'Interrupted: stopped by SIGINT before any write, so nothing was changed.',
    );
    expect(writes()).toEqual([]);
    const [comment, ...more] = flow.comments(pr, 'apply');
    expect(more).toHaveLength(0);
    expect(comment?.body).toContain('### rolecall apply — interrupted');
    // The handler is gone with the command.
    expect(process.listenerCount('SIGINT')).toBe(listeners);

    const again = await flow.apply(merge);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toContain('Apply complete: 6 applied');
    expect(writes().filter((e) => e.applied)).toHaveLength(6);
  });
});
