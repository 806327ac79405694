/**
 * Who asked for a request pull request, as the approval gate finds them (flows/github/
 * requesters.ts) from the fake GitHub: each source alone is enough, so editing the pull
 * request's body does not let the requester approve; a source only ever adds people. And the
 * pure rule: a requester's approval is not counted, with the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findRequesters } from '../../../src/flows/github/requesters.js';
import { evaluateApprovals, type CommitInput } from '../../../src/github/approvals.js';
import { hiddenRecord } from '../../../src/github/hidden-record.js';
import { requestTrailers } from '../../../src/jit/request-link.js';
import { addStandardTokens, fakeClient, TOKENS } from '../../support/fake-github/client.js';
import {
  startFakeGitHub,
  type FakeGitHub,
  type FakeRepo,
} from '../../support/fake-github/index.js';

let gh: FakeGitHub;
let repo: FakeRepo;
beforeAll(async () => {
  gh = await startFakeGitHub();
  addStandardTokens(gh);
  repo = gh.world.repo('acme', 'access');
});
afterAll(() => gh.close());

const REPO = { owner: 'acme', repo: 'access' };
const commit = (message: string): CommitInput => ({
  sha: 'c'.repeat(40),
  author: { login: 'github-actions[bot]' },
  committer: { login: 'github-actions[bot]' },
  commit: { message },
});

describe('findRequesters', () => {
  it('the commit trailers alone: a body edited to drop the record still excludes who asked', async () => {
    const issue = repo.addIssue({ author: 'temp-gh', title: 'Access request' });
    const message = `rolecall: grant contractor\n\n${requestTrailers({ issue, requester: 'temp-gh', editors: ['maya'] })}`;
    const found = await findRequesters(
      fakeClient(gh, TOKENS.actions),
      REPO,
      { number: 99, body: 'Edited by a maintainer: no record here.' },
      [commit(message)],
    );
    expect(found).toEqual({
      requesters: [
        { login: 'temp-gh', why: `asked for this access in #${issue}` },
        { login: 'maya', why: 'asked for this access (commit ccccccc names them)' },
      ],
      issues: [issue],
      notes: [],
    });
  });

  it('the body record alone, and the issue author read from GitHub even when the record names someone else', async () => {
    const issue = repo.addIssue({ author: 'real-author', title: 'Access request' });
    const body = `${hiddenRecord('request', 'issue', { v: 1, issue, requester: 'someone-else', editors: [] })}\nbody`;
    const found = await findRequesters(fakeClient(gh, TOKENS.actions), REPO, { number: 98, body }, [
      commit('a commit without trailers'),
    ]);
    expect(found.requesters.map((r) => r.login)).toEqual(['real-author', 'someone-else']);
  });

  it('an issue GitHub will not show is a note, and the requester the commit names still counts', async () => {
    const message = requestTrailers({ issue: 4242, requester: 'temp-gh', editors: [] });
    const found = await findRequesters(
      fakeClient(gh, TOKENS.actions),
      REPO,
      { number: 97, body: '' },
      [commit(message)],
    );
    expect(found.requesters.map((r) => r.login)).toEqual(['temp-gh']);
    expect(found.notes).toEqual([
      expect.stringMatching(
        /^could not read request issue #4242 \(cannot read issue #4242: GitHub answered 404/,
      ),
    ]);
  });

  it('an ordinary pull request has no requester and costs no request', async () => {
    gh.clearRequests();
    const found = await findRequesters(
      fakeClient(gh, TOKENS.actions),
      REPO,
      { number: 1, body: 'x' },
      [commit('Promote Maya')],
    );
    expect(found).toEqual({ requesters: [], issues: [], notes: [] });
    expect(gh.requests).toEqual([]);
  });
});

describe('evaluateApprovals with requesters', () => {
  it('does not count the requester’s approval, and says why', () => {
    const result = evaluateApprovals({
      rules: { required: 1 },
      reviews: [
        { id: 1, user: { login: 'temp-gh' }, state: 'APPROVED', commit_id: 'h', submitted_at: '1' },
      ],
      headSha: 'h',
      author: 'github-actions[bot]',
      subjects: ['temp@contractors.example'],
      changes: [{ action: 'grant', email: 'temp@contractors.example', to: { role: 'contractor' } }],
      requesters: [{ login: 'Temp-GH', why: 'asked for this access in #1' }],
    });
    expect(result.approved).toBe(false);
    expect(result.ignored).toEqual([{ login: 'temp-gh', reason: 'asked for this access in #1' }]);
    // Anyone else's approval counts as before.
    const other = evaluateApprovals({
      rules: { required: 1 },
      reviews: [
        { id: 2, user: { login: 'ben-gh' }, state: 'APPROVED', commit_id: 'h', submitted_at: '2' },
      ],
      headSha: 'h',
      author: 'github-actions[bot]',
      subjects: ['temp@contractors.example'],
      changes: [],
      requesters: [{ login: 'temp-gh', why: 'asked for this access in #1' }],
    });
    expect(other.counted).toEqual(['ben-gh']);
  });
});
