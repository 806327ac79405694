/**
 * What the one request issue a bot-made pull request names can vouch for
 * (flows/github/requesters.ts `readRequestEvidence`), read from the fake GitHub: the link in a
 * commit or a body is whatever a workflow wrote, so only an open `access-request` issue a person
 * opened, whose form parses against the approved policies, vouches — and its author is read from
 * GitHub, never from the link.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRequestEvidence } from '../../../src/flows/github/requesters.js';
import { loadDesiredState } from '../../../src/policy/load-desired-state.js';
import type { DesiredState } from '../../../src/types.js';
import { addStandardTokens, fakeClient, TOKENS } from '../../support/fake-github/client.js';
import {
  startFakeGitHub,
  type FakeGitHub,
  type FakeRepo,
} from '../../support/fake-github/index.js';
import { createTempRepo, type TempRepo } from '../../support/temp-repo.js';
import { formBody, GOOD_ANSWERS } from '../../unit/jit/request-form.js';
import { baseYaml, NOW } from './harness.js';

const REPO = { owner: 'acme', repo: 'evidence' };
let gh: FakeGitHub;
let repo: FakeRepo;
let checkout: TempRepo;
let approved: DesiredState;

beforeAll(async () => {
  gh = await startFakeGitHub();
  addStandardTokens(gh);
  repo = gh.world.repo(REPO.owner, REPO.repo);
  checkout = await createTempRepo();
  await checkout.write('policies/acme-books.yaml', baseYaml());
  const loaded = await loadDesiredState('policies', { cwd: checkout.dir, now: new Date(NOW) });
  if (!loaded.value) throw new Error('the base policy does not validate');
  approved = loaded.value;
});
afterAll(async () => {
  await gh.close();
  await checkout.cleanup();
});

const read = (issues: number[], policies: DesiredState | null = approved) =>
  readRequestEvidence(fakeClient(gh, TOKENS.actions), REPO, issues, policies);
const request = (extra: Partial<Parameters<FakeRepo['addIssue']>[0]> = {}) =>
  repo.addIssue({
    author: 'temp-gh',
    title: 'Access request',
    labels: ['access-request'],
    body: formBody(GOOD_ANSWERS),
    ...extra,
  });

describe('readRequestEvidence', () => {
  it('an open form a person opened: who asked (from GitHub) and what for', async () => {
    const issue = request();
    expect(await read([issue])).toEqual({
      issue,
      requester: 'temp-gh',
      requested: { businessId: 240340, email: 'temp@contractors.example', role: 'contractor' },
      roleBefore: null,
      problem: null,
    });
  });

  it('the person’s role in the approved policies, for an extension that keeps it', async () => {
    const issue = request({
      body: formBody({ ...GOOD_ANSWERS, email: 'bob@contractors.example' }),
    });
    expect((await read([issue])).roleBefore).toBe('contractor');
  });

  it.each([
    [
      'opened by a bot',
      { author: 'github-actions[bot]' },
      'it was opened by @github-actions[bot], a bot',
    ],
    ['not labelled', { labels: [] }, 'it is not labelled access-request'],
    ['closed', { state: 'closed' as const }, 'it is closed (a closed request is withdrawn)'],
    [
      'not a form',
      { body: 'Please give me admin.' },
      'its form is not a valid request (the body has text outside the form’s sections: make the issue from the form)',
    ],
  ])('cannot vouch when %s', async (_name, extra, problem) => {
    const issue = request(extra);
    expect(await read([issue])).toMatchObject({ issue, requested: null, problem });
  });

  it('cannot vouch for several issues, an unreadable one, a pull request, or without approved policies', async () => {
    const a = request();
    const b = request();
    expect((await read([a, b])).problem).toBe(
      `it names 2 request issues (#${a}, #${b}); a request pull request comes from one`,
    );
    expect((await read([4242])).problem).toMatch(/^it cannot be read \(cannot read issue #4242/);
    const pull = repo.addPullRequest({ author: 'temp-gh', headSha: 'a'.repeat(40) });
    expect((await read([pull])).problem).toBe(`#${pull} is a pull request, not a request issue`);
    expect((await read([a], null)).problem).toBe(
      'the last approved policies are unknown, so its form cannot be read',
    );
  });
});
