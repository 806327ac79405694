/**
 * `apply --github` runs on a fresh runner each time: no `.rolecall/journal/`. Against a
 * FreshBooks that does not list pending invitations, the invitations a run sent are kept in
 * the pull request's apply comment, so re-running the workflow for the same merge does not
 * send them again.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
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
  emulator.control.configure({ listPendingInvitations: true });
  emulator.control.resetRequests();
  gh.clearRequests();
  flow = await Flow.create(gh, emulator);
});
afterEach(() => flow.close());

/**
 * Every invitation request to the two people rolecall invites, answered or refused (the
 * emulator refuses a duplicate). (hana's invitation predates rolecall: FreshBooks refuses the
 * grant as a duplicate each run.)
 */
const invitations = () =>
  emulator.control
    .requests()
    .log.filter(
      (e) =>
        e.route === 'POST /auth/api/v1/users/invitation' &&
        (e.body as { to_email: string }).to_email !== 'hana@acme.example',
    )
    .map((e) => `${(e.body as { to_email: string }).to_email} ${e.status}`)
    .sort();

describe('apply --github with pending invitations FreshBooks does not list', () => {
  it('a re-run of the workflow on a fresh runner does not invite anyone again', async () => {
    // jules is a new invitee here (not a deactivated member re-invited: once pending, an
    // unlisted re-invitation would drop out of the listing and change the plan's effect).
    const seed = loadDefaultSeed();
    const acme = seed.businesses.find((b) => b.id === 240340)!;
    acme.members = (acme.members ?? []).filter((m) => m.email !== 'jules@acme.example');
    emulator.control.loadState(seed);
    emulator.control.configure({ listPendingInvitations: false });
    const pr = await flow.openPullRequest({ plan: 'cli' });
    flow.approve(pr, 'ben-gh');
    flow.approve(pr, 'olivia-gh');
    const merge = await flow.merge(pr);
    emulator.control.resetRequests();

    const first = await flow.apply(merge);
    expect(first.code, first.err).toBe(3);
    expect(invitations()).toEqual(['eli@acme.example 200', 'jules@acme.example 200']);
    const comment = flow.comments(pr, 'apply')[0];
    expect(comment?.body).toContain('### rolecall apply — partly done');
    expect(comment?.body).toMatch(/⚠️ unconfirmed \| 240340 \| eli@acme\.example/);

    // A new runner: the checkout has no journal; only the comment remembers.
    await rm(join(flow.git.dir, '.rolecall'), { recursive: true, force: true });
    const again = await flow.apply(merge);
    expect(again.out).toMatch(/unconfirmed grant +eli@acme\.example .*not sent again: /);
    expect(invitations()).toEqual(['eli@acme.example 200', 'jules@acme.example 200']);
  });
});
