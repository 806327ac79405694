/**
 * The apply comment on the merged pull request: one sticky comment (kind `apply`), edited in
 * place on every run for that pull request. Its hidden record is apply's durable memory in CI,
 * where each run starts from a fresh checkout without `.rolecall/journal/`:
 *
 * - `applying` is written by the gate *after* approval and *before* the first FreshBooks write,
 *   so a run that dies half-way leaves evidence that the approved plan was partly applied;
 * - `applied` / `nothing` make a second run for the same merge commit a no-op;
 * - `partial` / `applying` let a re-run finish what this approval covered (see the gate).
 *
 * Only rolecall's own comment (marker *and* the token's login) is read: a pasted marker in
 * somebody else's comment is never trusted.
 */
import type { SentInvitation } from '../../apply/invitation-ledger.js';
import type { GitHubSession } from '../../github/session.js';
import type { MergedPullRequest } from '../../github/merged-pull-request.js';
import { APPLY_COMMENT_KIND } from '../github/plan-comment.js';
import {
  readStickyRecord,
  upsertStickyComment,
  type FoundComment,
  type UpsertResult,
} from '../../github/sticky-comment.js';

const SCOPE = 'pr';

export type ApplyState = 'refused' | 'applying' | 'applied' | 'partial' | 'nothing';

export interface ApplyCommentRecord {
  v: 1;
  /** The pushed commit this run was for. */
  mergeCommitSha: string;
  /** The salted plan digest the approval covered (from the plan comment), when there was one. */
  approvedDigest: string | null;
  state: ApplyState;
  /**
   * The gate approved this merge (or it needed no approval): its policies become the trusted
   * state later changes are judged against (trusted-policies.ts). Absent in records written
   * before rolecall recorded it — read as not approved, which only ever asks for more approval.
   */
  approved: boolean;
  exitCode: number;
  at: string;
  runUrl: string | null;
  /**
   * Invitations runs for this merge sent that FreshBooks does not show yet: CI has no journal,
   * so this is what keeps a re-run from sending a pending (unlisted) invitation again.
   */
  invitations?: SentInvitation[];
}

export interface EarlierApply {
  record: ApplyCommentRecord;
  comment: FoundComment;
}

export class ApplyComment {
  constructor(
    private readonly session: Pick<GitHubSession, 'octokit' | 'repo' | 'identity'>,
    private readonly pullRequest: Pick<MergedPullRequest, 'number'>,
  ) {}

  /** rolecall's apply comment on the pull request and its record, or `null`. */
  async read(): Promise<EarlierApply | null> {
    const found = await readStickyRecord(
      this.session.octokit,
      { ...this.session.repo, issueNumber: this.pullRequest.number },
      { kind: APPLY_COMMENT_KIND, scope: SCOPE, login: this.session.identity.login },
    );
    if (!found) return null;
    const record = parseRecord(found.record);
    return record ? { record, comment: found.comment } : null;
  }

  /** Creates or edits the comment (no request when the body is the same). */
  write(visible: string, record: ApplyCommentRecord): Promise<UpsertResult> {
    return upsertStickyComment(
      this.session.octokit,
      {
        owner: this.session.repo.owner,
        repo: this.session.repo.repo,
        issueNumber: this.pullRequest.number,
      },
      { kind: APPLY_COMMENT_KIND, scope: SCOPE, login: this.session.identity.login },
      { visible, record },
    );
  }
}

const STATES: ReadonlySet<string> = new Set([
  'refused',
  'applying',
  'applied',
  'partial',
  'nothing',
]);

/** Shape check of an untrusted record; anything odd is "no record". */
function parseRecord(value: unknown): ApplyCommentRecord | null {
  if (!value || typeof value !== 'object') return null;
  const r = value as Partial<ApplyCommentRecord>;
  if (
    r.v !== 1 ||
    typeof r.mergeCommitSha !== 'string' ||
    !/^[0-9a-f]{40,64}$/.test(r.mergeCommitSha) ||
    typeof r.state !== 'string' ||
    !STATES.has(r.state) ||
    typeof r.exitCode !== 'number'
  ) {
    return null;
  }
  const invitations = Array.isArray(r.invitations) ? r.invitations.filter(isInvitation) : [];
  return {
    v: 1,
    mergeCommitSha: r.mergeCommitSha,
    approvedDigest: typeof r.approvedDigest === 'string' ? r.approvedDigest : null,
    state: r.state,
    approved: r.approved === true,
    exitCode: r.exitCode,
    at: typeof r.at === 'string' ? r.at : '',
    runUrl: typeof r.runUrl === 'string' ? r.runUrl : null,
    ...(invitations.length > 0 ? { invitations } : {}),
  };
}

function isInvitation(value: unknown): value is SentInvitation {
  if (!value || typeof value !== 'object') return false;
  const i = value as Partial<SentInvitation>;
  return (
    typeof i.businessId === 'number' &&
    typeof i.email === 'string' &&
    typeof i.role === 'string' &&
    typeof i.at === 'string' &&
    !Number.isNaN(Date.parse(i.at)) &&
    typeof i.runId === 'string' &&
    typeof i.answered === 'boolean'
  );
}
