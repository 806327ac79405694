/**
 * The plan comment on a pull request: the rendered plan for people, and a hidden record for
 * apply — the salted digest of the plan's effect (plan/approval-digest.ts), the head commit it
 * was computed for, the businesses in scope (apply re-plans exactly those), and, when small
 * enough, the effect itself so that a refusal can show what changed.
 */
import type { Plan } from '../../types.js';
import type { GitHubClient } from '../../github/client.js';
import type { RepoRef } from '../../github/context.js';
import { githubError } from '../../github/github-error.js';
import {
  planChangesOnly,
  renderPlanMarkdown,
  totalChanges,
  type PlanEffect,
} from '../../plan/index.js';
import { policyChangesDigest, type BusinessPolicyChange } from '../../plan/policy-changes.js';
import { renderPolicyReviewMarkdown, type PolicyReview } from '../../plan/render-policy-review.js';
import {
  approvalDigest,
  effectMatches,
  isPlanEffect,
  saltedDigest,
} from '../../plan/approval-digest.js';
import { hiddenRecord } from '../../github/hidden-record.js';
import { GITHUB_BODY_MAX_CHARS } from '../../github/limits.js';
import {
  readStickyRecord,
  upsertStickyComment,
  type FoundComment,
  type UpsertResult,
} from '../../github/sticky-comment.js';

export const PLAN_COMMENT_KIND = 'plan';
export const APPLY_COMMENT_KIND = 'apply';
const SCOPE = 'pr';

/** Above this size (encoded) the effect is left out of the record; the digest is always there. */
const MAX_RECORD_CHARS = 20_000;

export interface PlanCommentRecord {
  v: 1;
  /** `sha256(prUrl + approvalDigest(plan))`. */
  digest: string;
  headSha: string;
  businesses: number[];
  changes: number;
  effect?: PlanEffect;
  /**
   * The policy changes the approval covers (compared with the last approved policies), when
   * there are any; left out when too large to record (the digest still covers them).
   */
  policy?: {
    base: string | null;
    businesses: number[];
    /**
     * `sha256(prUrl + policyChangesDigest)`: what a merge that writes nothing to FreshBooks is
     * checked against (applying nothing is never more than the approved plan).
     */
    digest: string;
    changes?: BusinessPolicyChange[];
  };
}

export interface PullRequestRef extends RepoRef {
  number: number;
  /** The pull request's `html_url`: the salt. */
  htmlUrl: string;
  /** The head commit the plan was computed for. */
  headSha: string;
}

export interface PlanCommentResult {
  action: UpsertResult['action'] | 'skipped-stale-head';
  comment?: FoundComment;
  truncated: boolean;
  record: PlanCommentRecord;
}

/**
 * Posts or updates the plan comment. `render(maxChars)` returns the markdown; by default the
 * planner's `renderPlanMarkdown(plan, {maxChars})`, which degrades (full → summary → counts) to
 * the budget left after the hidden record. Whatever still overflows is cut with a note.
 *
 * When the pull request's head has moved past `headSha` (a newer push; its own run will comment),
 * nothing is written: an older plan never overwrites a newer one.
 */
export async function upsertPlanComment(
  octokit: GitHubClient,
  input: {
    pr: PullRequestRef;
    plan: Plan;
    login: string;
    render?: (maxChars: number) => string;
    /** Policy changes and scheduled revocations (shown after the plan, covered by the digest). */
    review?: PolicyReview;
  },
): Promise<PlanCommentResult> {
  const { pr, plan, review } = input;
  const record = planCommentRecord(pr, plan, review);
  let currentHead: string;
  try {
    const { data } = await octokit.rest.pulls.get({
      owner: pr.owner,
      repo: pr.repo,
      pull_number: pr.number,
    });
    currentHead = data.head.sha;
  } catch (error) {
    throw githubError(`read pull request #${pr.number}`, error);
  }
  if (currentHead !== pr.headSha) return { action: 'skipped-stale-head', truncated: false, record };
  const recordChars = hiddenRecord(PLAN_COMMENT_KIND, SCOPE, record).length;
  const render = input.render ?? ((maxChars: number) => renderPlanMarkdown(plan, { maxChars }));
  // The policy review goes first: it is short and what an approver must not miss.
  const reviewText = review ? renderPolicyReviewMarkdown(review) : '';
  const visible = reviewText + render(GITHUB_BODY_MAX_CHARS - recordChars - 1 - reviewText.length);
  const result = await upsertStickyComment(
    octokit,
    { owner: pr.owner, repo: pr.repo, issueNumber: pr.number },
    { kind: PLAN_COMMENT_KIND, scope: SCOPE, login: input.login },
    { visible, record },
  );
  return { ...result, record };
}

/** The hidden record for a plan on a pull request (exported for tests and for dry runs). */
export function planCommentRecord(
  pr: Pick<PullRequestRef, 'htmlUrl' | 'headSha'>,
  plan: Plan,
  review?: Pick<PolicyReview, 'base' | 'changes'>,
): PlanCommentRecord {
  const effect = planChangesOnly(plan);
  const policyChanges = review?.changes ?? [];
  const record: PlanCommentRecord = {
    v: 1,
    digest: saltedDigest(pr.htmlUrl, approvalDigest(plan, policyChanges)),
    headSha: pr.headSha,
    businesses: effect.businesses.map((b) => b.businessId),
    changes: totalChanges(effect),
    effect,
  };
  if (policyChanges.length > 0) {
    record.policy = {
      base: review?.base ?? null,
      businesses: policyChanges.map((c) => c.businessId),
      digest: saltedDigest(pr.htmlUrl, policyChangesDigest(policyChanges)),
      changes: policyChanges,
    };
  }
  const size = () => hiddenRecord(PLAN_COMMENT_KIND, SCOPE, record).length;
  if (size() > MAX_RECORD_CHARS && record.policy) delete record.policy.changes;
  if (size() > MAX_RECORD_CHARS) delete record.effect;
  return record;
}

export interface ApprovedPlan {
  /** The salted digest last posted. */
  digest: string;
  headSha: string;
  businesses: number[];
  changes: number;
  /** The approved effect, when it was small enough to record and matches the digest. */
  effect: PlanEffect | null;
  /** The approved policy changes, when recorded (`[]`: the plan recorded none). */
  policyChanges: BusinessPolicyChange[] | null;
  /** The salted digest of the policy changes alone (of none when the plan recorded none). */
  policyDigest: string;
  comment: FoundComment;
}

/**
 * The plan last posted on the pull request by `login`, or `null` when there is none (or its
 * record does not parse). `prUrl` verifies the recorded effect against the digest; an effect that
 * does not match is dropped (the digest alone decides).
 */
export async function readApprovedPlan(
  octokit: GitHubClient,
  pr: RepoRef & { number: number; htmlUrl: string },
  login: string,
): Promise<ApprovedPlan | null> {
  const found = await readStickyRecord(
    octokit,
    { owner: pr.owner, repo: pr.repo, issueNumber: pr.number },
    { kind: PLAN_COMMENT_KIND, scope: SCOPE, login },
  );
  if (!found) return null;
  const record = found.record as Partial<PlanCommentRecord> | undefined;
  if (
    !record ||
    record.v !== 1 ||
    typeof record.digest !== 'string' ||
    !/^sha256:[0-9a-f]{64}$/.test(record.digest)
  ) {
    return null;
  }
  const policyChanges = policyChangesOf(record.policy);
  const verified =
    isPlanEffect(record.effect) &&
    policyChanges !== null &&
    effectMatches(record.effect, pr.htmlUrl, record.digest, policyChanges);
  // Recorded details that do not match the digest are dropped: the digest alone decides.
  const effect = verified ? (record.effect as PlanEffect) : null;
  return {
    digest: record.digest,
    headSha: typeof record.headSha === 'string' ? record.headSha : '',
    businesses: Array.isArray(record.businesses)
      ? record.businesses.filter((b) => typeof b === 'number')
      : [],
    changes: typeof record.changes === 'number' ? record.changes : 0,
    effect,
    policyChanges: verified ? policyChanges : null,
    policyDigest: policyDigestOf(record.policy, pr.htmlUrl),
    comment: found.comment,
  };
}

function policyDigestOf(value: unknown, prUrl: string): string {
  if (value === undefined) return saltedDigest(prUrl, policyChangesDigest([]));
  const digest = (value as { digest?: unknown } | null)?.digest;
  // A malformed record matches nothing.
  return typeof digest === 'string' && /^sha256:[0-9a-f]{64}$/.test(digest) ? digest : '';
}

/** Shape check of the recorded policy changes (untrusted JSON); only used to explain a difference. */
function policyChangesOf(value: unknown): BusinessPolicyChange[] | null {
  if (value === undefined) return [];
  const changes = (value as { changes?: unknown } | null)?.changes;
  if (!Array.isArray(changes)) return null;
  const ok = changes.every(
    (c: unknown) =>
      !!c &&
      typeof c === 'object' &&
      typeof (c as { businessId?: unknown }).businessId === 'number' &&
      Array.isArray((c as { changes?: unknown }).changes) &&
      (c as { changes: unknown[] }).changes.every(
        (f) => !!f && typeof f === 'object' && typeof (f as { path?: unknown }).path === 'string',
      ),
  );
  return ok ? (changes as BusinessPolicyChange[]) : null;
}

/** Just the salted digest last posted on the pull request, or `null`. */
export async function readApprovedDigest(
  octokit: GitHubClient,
  pr: RepoRef & { number: number; htmlUrl: string },
  login: string,
): Promise<string | null> {
  return (await readApprovedPlan(octokit, pr, login))?.digest ?? null;
}
