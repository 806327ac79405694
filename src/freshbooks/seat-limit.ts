/**
 * FreshBooks refusing a write for lack of a paid team-member seat. The answer is unpublished
 * (the contract notes assume a `422` with an errno and a message about team member limits), so
 * it is recognised by what its message talks about — a team member or seat limit — whatever
 * the errno, and on the statuses such a refusal could plausibly come with.
 */
import { FreshBooksApiError } from '../errors.js';

const REFUSAL_STATUSES: ReadonlySet<number> = new Set([400, 403, 422]);
/** What is limited: seats, (paid) team members or their invitations. */
const SEATS = /\b(seats?|team[ _-]?members?|(team[ _-]?member )?invitations?)\b/i;
/** That a limit is reached: "limit", "maximum", "exceeded", "no … left / available". */
const LIMIT =
  /\b(limits?|maximum|max|exceed(s|ed)?|no (more )?(free |paid |available )?\S+ (left|available|remaining)|out of)\b/i;

/** True when FreshBooks refused the write because no paid seat is free. */
export function isSeatLimitRefusal(error: unknown): error is FreshBooksApiError {
  if (!(error instanceof FreshBooksApiError)) return false;
  if (error.status === null || !REFUSAL_STATUSES.has(error.status)) return false;
  // The route names `team_members` and `invitation` itself: only FreshBooks' words count.
  const said = error.message.split(error.route).join(' ');
  return SEATS.test(said) && LIMIT.test(said);
}
