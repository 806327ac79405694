/**
 * The plan of a request pull request, made by the request workflow itself and posted exactly as
 * plan.yml posts it (the same sticky plan comment, the same salted digest that apply checks
 * after the merge). A pull request that `GITHUB_TOKEN` opens starts no workflow — GitHub's rule
 * against loops — so without this the request would sit without a plan and apply would refuse
 * it. The policies are read from the pushed commit's objects, as plan.yml reads a pull
 * request's head; the plan covers only the business the request changes. It is made before
 * the pull request is opened (its body shows the seat line) and commented once it exists.
 */
import { RolecallError } from '../../errors.js';
import type { GitHubSession } from '../../github/session.js';
import { describeChange, planIsApplyable } from '../../plan/describe.js';
import { renderPlanMarkdown } from '../../plan/render-markdown.js';
import type { Console } from '../../ports.js';
import { redact } from '../../redact.js';
import type { PolicyReview } from '../../plan/render-policy-review.js';
import type { Plan } from '../../types.js';
import { upsertPlanComment } from '../github/plan-comment.js';
import type { ChangedScope } from '../plan/changed-scope.js';
import { makePlan } from '../plan/make-plan.js';
import { planReview } from '../plan/policy-review.js';
import { blockedMessage, commentFooter } from '../plan/pull-request-text.js';

export interface RequestPlanInput {
  session: Pick<GitHubSession, 'octokit' | 'repo' | 'identity'>;
  policiesDir: string;
  now: Date;
  /** The request commit, pushed (the pull request's head once it is opened). */
  headSha: string;
  baseSha: string;
  tokenStore?: string | undefined;
  rate?: number | undefined;
}

/** The request's plan, made before its pull request is opened or updated, or why there is none. */
export type PlannedRequest =
  | {
      ok: true;
      plan: Plan;
      scope: ChangedScope | null;
      review: PolicyReview & { problem: string | null };
      headSha: string;
    }
  | { ok: false; note: string };

export interface RequestPlan {
  /** One line per FreshBooks change: `+ grant temp@contractors.example contractor`. */
  lines: string[];
  /** Why there is no plan, or why it cannot be applied; null when all is well. */
  note: string | null;
  /** The plan comment's address on the pull request. */
  commentUrl: string | null;
}

const SYMBOL = { grant: '+', change: '~', revoke: '-' } as const;

export function planLines(plan: Plan): string[] {
  return plan.businesses.flatMap((b) =>
    b.changes.map((c) => `${SYMBOL[c.action]} ${c.email}: ${describeChange(c)}`),
  );
}

function notPlanned(io: Console, error: RolecallError): { ok: false; note: string } {
  const message = redact(error.message);
  io.stderr.write(`rolecall: warning: could not plan the request: ${message}\n`);
  return {
    ok: false,
    note: `not planned yet (${message}); the plan workflow plans the pull request on its next push, or edit this issue to try again`,
  };
}

/**
 * Plans the pushed request commit against live FreshBooks — before the pull request is opened
 * or updated, so that its body can say what the grant does to the paid seats. A failure
 * (FreshBooks unreachable, no credentials in this job) does not stop the request: it becomes the
 * note, and the next push or edit plans again.
 */
export async function planRequest(io: Console, input: RequestPlanInput): Promise<PlannedRequest> {
  try {
    const made = await makePlan(io, {
      policiesDir: input.policiesDir,
      now: input.now,
      changedSince: input.baseSha,
      policiesAt: {
        sha: input.headSha,
        missing: 'the request commit is made in this clone; run in the checkout that pushed it',
      },
      tokenStore: input.tokenStore,
      rate: input.rate,
    });
    const { plan, scope } = made;
    const review = await planReview(io.cwd, {
      session: input.session,
      policiesDir: input.policiesDir,
      baseSha: input.baseSha,
      headSha: input.headSha,
      desired: made.desired,
      plan,
      now: input.now,
      touchedPolicies: true,
    });
    if (review.problem) io.stderr.write(`rolecall: warning: ${redact(review.problem)}\n`);
    return { ok: true, plan, scope, review, headSha: input.headSha };
  } catch (error) {
    if (!(error instanceof RolecallError)) throw error;
    return notPlanned(io, error);
  }
}

/**
 * Comments the plan on the request's pull request, exactly as plan.yml comments it. A plan
 * made for another head than the pull request's is not posted (upsertPlanComment's rule).
 */
export async function commentRequestPlan(
  io: Console,
  input: {
    session: Pick<GitHubSession, 'octokit' | 'repo' | 'identity'>;
    pullRequest: { number: number; htmlUrl: string };
    planned: PlannedRequest;
  },
): Promise<RequestPlan> {
  const { session, pullRequest, planned } = input;
  if (!planned.ok) return { lines: [], note: planned.note, commentUrl: null };
  const { plan, scope, review } = planned;
  try {
    const comment = await upsertPlanComment(session.octokit, {
      pr: { ...session.repo, ...pullRequest, headSha: planned.headSha },
      plan,
      login: session.identity.login,
      render: (maxChars) =>
        renderPlanMarkdown(plan, { maxChars, footer: commentFooter(plan, scope) }),
      review,
    });
    const url = comment.comment?.htmlUrl ?? null;
    io.stderr.write(
      `Plan comment ${comment.action} on #${pullRequest.number}${url ? `: ${url}` : ''}\n`,
    );
    return {
      lines: planLines(plan),
      note: planIsApplyable(plan) ? null : `the plan cannot be applied: ${blockedMessage(plan)}`,
      commentUrl: url,
    };
  } catch (error) {
    if (!(error instanceof RolecallError)) throw error;
    const { note } = notPlanned(io, error);
    return { lines: [], note, commentUrl: null };
  }
}
