/**
 * The request issue's status comment: one sticky comment (kind `request`, scope `status`) that
 * request, apply and expire each rewrite in place, so the issue tells the request's whole story
 * without a comment per step. Its hidden record is the request's memory between workflows (what
 * was asked, its pull request, its state); only rolecall's own comment (marker *and* the
 * token's login) is read, so a pasted marker is never trusted.
 */
import type { GitHubSession } from '../../github/session.js';
import {
  readStickyRecord,
  upsertStickyComment,
  type FoundComment,
  type UpsertResult,
} from '../../github/sticky-comment.js';
import { renderRequestStatus, type StatusExtras } from '../../jit/render-request-status.js';
import {
  parseStatusRecord,
  REQUEST_KIND,
  STATUS_SCOPE,
  type RequestStatusRecord,
} from '../../jit/request-link.js';
import { redact } from '../../redact.js';

export interface ReadStatus {
  record: RequestStatusRecord;
  comment: FoundComment;
}

export class StatusComment {
  constructor(
    private readonly session: Pick<GitHubSession, 'octokit' | 'repo' | 'identity'>,
    readonly issue: number,
  ) {}

  private get key() {
    return { kind: REQUEST_KIND, scope: STATUS_SCOPE, login: this.session.identity.login };
  }

  /** rolecall's status comment on the issue and its record, or `null`. */
  async read(): Promise<ReadStatus | null> {
    const found = await readStickyRecord(
      this.session.octokit,
      { ...this.session.repo, issueNumber: this.issue },
      this.key,
    );
    if (!found) return null;
    const record = parseStatusRecord(found.record);
    return record && record.issue === this.issue ? { record, comment: found.comment } : null;
  }

  /** Creates or rewrites the comment (no request when the text is the same). */
  write(record: RequestStatusRecord, extras: StatusExtras = {}): Promise<UpsertResult> {
    return upsertStickyComment(
      this.session.octokit,
      { ...this.session.repo, issueNumber: this.issue },
      this.key,
      { visible: redact(renderRequestStatus(record, extras)), record },
    );
  }
}
