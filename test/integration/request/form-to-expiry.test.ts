/**
 * Issue 19's "Done when", end to end with real parts: an issue made from the request form →
 * request.yml opens the request pull request (validated, linked, planned) → the requester's own
 * approval does not count → another approval → merge → apply.yml grants it and the issue says
 * "granted until …" → the clock passes the expiry → expire.yml revokes it, the issue says
 * "revoked by expiry" and closes → a second run writes nothing, to GitHub or FreshBooks.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readHiddenRecord } from '../../../src/github/hidden-record.js';
import { ACME, REQUESTER, RequestWorld, TEMP, POLICY_FILE } from './request-harness.js';
import { GOOD_ANSWERS } from '../../unit/jit/request-form.js';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

let world: RequestWorld;
beforeAll(async () => {
  world = await RequestWorld.create();
});
afterAll(() => world.close());

const temp = () => world.emulator.control.member(ACME, TEMP);

it('form → pull request → approvals → merge → granted → expired → revoked → closed; a second run writes nothing', async () => {
  // 1. The requester fills in the form; request.yml runs for `opened`.
  const issue = world.openIssue(GOOD_ANSWERS);
  const requested = await world.request(issue, { action: 'opened', now: at(0) });
  expect(requested.code, requested.err).toBe(0);
  const [number] = world.pulls();
  const pr = world.repo.issue(number as number);
  const pull = world.repo.pull(pr.number);
  expect(pull.headRef).toBe(`rolecall/request/issue-${issue}`);
  expect(pr.user.login).toBe('github-actions[bot]');
  expect(pr.title).toBe(
    `Grant contractor to ${TEMP} in Acme Books Inc. (240340) until 2026-03-02 17:00 UTC`,
  );
  // Linked both ways: the body names the issue and the requester (visibly and in its record)…
  expect(pr.body).toContain(`| **Requested by** | @${REQUESTER} in #${issue}`);
  expect(readHiddenRecord(pr.body, 'request', 'issue')).toEqual({
    v: 1,
    issue,
    requester: REQUESTER,
    editors: [],
  });
  // …the commit carries trailers, and is the exact edit `rolecall request` makes.
  expect(await world.remote.show(pull.headRef, POLICY_FILE)).toContain(
    `  - email: ${TEMP}\n    role: contractor\n    expires: 2026-03-02T17:00:00Z\n    reason: Quarter close\n    ticket: FIN-99\n`,
  );
  const message = await world.remote.git.raw(['log', '-1', '--format=%an%n%B', pull.headRef]);
  expect(message).toContain('github-actions[bot]\nrolecall: grant contractor to');
  expect(message).toContain(`Rolecall-Request: #${issue}\nRolecall-Requested-By: ${REQUESTER}\n`);
  // The plan is on the pull request, as plan.yml comments it.
  const planComments = world.repo
    .commentsOn(pr.number)
    .filter((c) => c.body.includes('<!-- rolecall:plan:pr '));
  expect(planComments).toHaveLength(1);
  expect(planComments[0]?.user.login).toBe('github-actions[bot]');
  // The issue: one status comment with the plan and the approval it needs.
  const waiting = world.status(issue);
  expect(waiting).toContain('### ⏳ Waiting for approval');
  expect(waiting).toContain(`#${pr.number} proposes this change to the policy.`);
  expect(waiting).toContain(`- \`+ ${TEMP}: grant contractor\``);
  expect(waiting).toContain('- 1 approving review (approvals.required)');
  expect(world.repo.issue(issue).labels).toEqual(['access-request']);

  // 2. The requester approves their own request; merged. The gate does not count them.
  world.approve(pr.number, REQUESTER);
  const merge = await world.merge(pr.number, at(30));
  const refused = await world.apply(merge, at(31));
  expect(refused.code).toBe(1);
  const applyComment = world.repo
    .commentsOn(pr.number)
    .find((c) => c.body.includes('<!-- rolecall:apply:pr '));
  expect(`${refused.out}\n${applyComment?.body}`).toContain(
    `@${REQUESTER} (asked for this access in #${issue})`,
  );
  expect(temp()).toBeNull();
  const notApplied = world.status(issue);
  expect(notApplied).toContain('### ❌ Merged, but not applied');
  expect(notApplied).toContain(`#${pr.number} was merged (merge \`${merge.sha.slice(0, 12)}\`)`);

  // 3. Someone else approves; the apply workflow is re-run: granted.
  world.approve(pr.number, 'ben-gh');
  const applied = await world.apply(merge, at(40));
  expect(applied.code, applied.err).toBe(0);
  expect(temp()).toMatchObject({ business_role_name: 'contractor' });
  const granted = world.status(issue);
  expect(granted).toContain('### ✅ Granted');
  expect(granted).toContain(
    `**Granted until 2026-03-02 17:00 UTC.** #${pr.number} was approved, merged (merge \`${merge.sha.slice(0, 12)}\`) and applied.`,
  );
  expect(granted).toContain('| **Approved by** | @ben-gh |');
  // The audit log names who asked, with who approved.
  const grants = (await world.audit()).filter(
    (r) => r.type === 'operation' && r.email === TEMP && r.action === 'grant',
  );
  expect(grants).toHaveLength(1);
  expect(grants[0]).toMatchObject({
    outcome: 'applied',
    approval: expect.stringMatching(
      new RegExp(
        `^approved on #${pr.number} by @ben-gh; .*; requested by @${REQUESTER} in #${issue}`,
      ),
    ) as unknown,
  });
  world.emulator.control.acceptInvitation(ACME, temp()?.uuid as string);

  // 4. Past the expiry: expire.yml revokes, the issue says so and closes.
  const late = await world.expire(at(9 * 60));
  expect(late.code, late.err).toBe(0);
  expect(temp()?.active).toBe(false);
  const revoked = world.status(issue);
  expect(revoked).toContain('### 🔒 Ended: revoked by expiry');
  expect(revoked).toContain(
    '**Revoked by expiry** at 2026-03-02 18:00 UTC (the access ended 2026-03-02 17:00 UTC).',
  );
  expect(world.repo.issue(issue).state).toBe('closed');
  expect(world.repo.issue(issue).stateReason).toBe('completed');
  expect(late.out).toContain(`Request issue #${issue} closed`);

  // 5. A second run writes nothing: not to GitHub, not to FreshBooks.
  const writes = world.freshbooksWrites().length;
  world.gh.clearRequests();
  const again = await world.expire(at(10 * 60));
  expect(again.code, again.err).toBe(0);
  expect(world.gh.writes()).toEqual([]);
  expect(world.freshbooksWrites()).toHaveLength(writes);
  expect(world.statusComments(issue)).toHaveLength(1);
});
