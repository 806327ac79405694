/**
 * What a time-bound request does to the business's paid seats and bill, for the request pull
 * request's body and the request issue's status comment. Pure.
 *
 * Two sources, and the text says which one it is:
 * - **planned** (`rolecall request --from-issue`, which plans against live FreshBooks): the
 *   business's seat line exactly as the plan comment shows it (`describeSeats`), this request's
 *   own change in that plan, and the `seats` guard's verdict;
 * - **from the policy alone** (`rolecall request` on a laptop, which reads no FreshBooks, or a
 *   plan that could not be made): whether the role is paid, what a seat costs and the limit; the
 *   count in use is left to the plan comment, and the text says so.
 *
 * The cost of a temporary grant is the seat's recurring price "while it lasts", with its end —
 * not a prorated amount: a seat is priced per month or year (`seats.price.per`), and whether
 * FreshBooks prorates a seat held for part of a period is not documented, so "about USD 2.93
 * for 8 days" would be a precise-looking guess.
 */
import { code, inertText } from '../plan/markdown-text.js';
import { normalizeEmail } from '../policy/check-email.js';
import { formatInstant } from '../policy/parse-time.js';
import type { PolicyRole } from '../roles.js';
import {
  describeSeats,
  formatPrice,
  isPaidRole,
  seatDeltaOf,
  seatPolicyOf,
  seatsWorthShowing,
} from '../seats.js';
import type { BusinessPlan, Change, SeatPrice, SeatSummary } from '../types.js';
import type { AccessRequest, RequestEdit } from './plan-request-edit.js';

/** The plan's seat limit exceeded: what the `seats` guard says, in numbers. */
export interface SeatShortfall {
  after: number;
  limit: number;
  /** Seats to free, or to buy. */
  excess: number;
  /** The policy records an override for the `seats` guard: the plan can still be applied. */
  overridden: boolean;
}

export interface RequestSeats {
  /** True when the figures come from a plan against live FreshBooks. */
  planned: boolean;
  /** The business's seat line (`describeSeats`), when planned and worth showing. */
  business: string | null;
  /** This grant's own seat: the facts its sentence is made of. */
  grant: GrantSeat;
  /** From the policy alone (not planned): the declared limit, if any. */
  limit: number | null;
  /** Set when the plan would end above the limit. */
  over: SeatShortfall | null;
}

export interface GrantSeat {
  role: string;
  /** The role uses a paid seat (`seats.paidRoles`). */
  paid: boolean;
  /** +1 takes a seat, −1 frees one, 0 neither. */
  delta: number;
  /** The delta is the plan's: it knows what FreshBooks holds. */
  planned: boolean;
  /** The delta is the plan's, or the policy edit's of an earlier entry (taken as applied). */
  known: boolean;
  price: SeatPrice | null;
  /** When the grant ends (`formatInstant`). */
  until: string;
}

/** Text in one of the two renderings: markdown (code spans, escaped text) or plain. */
interface Style {
  code(text: string): string;
  text(text: string): string;
}
const PLAIN: Style = { code: (text) => text, text: (text) => text };
const MARKDOWN: Style = { code, text: inertText };

/** `USD 11/month`, signed when asked. */
function rate(price: SeatPrice, sign: '' | '+' | '−' = ''): string {
  return `${sign}${formatPrice(price.amount, price)}`;
}

/**
 * The request's seats. `planned` is the plan's business when the request was planned against
 * live FreshBooks (its `seats` summary, changes and guards), `null` when it was not.
 */
export function requestSeats(
  edit: RequestEdit,
  request: AccessRequest,
  planned: BusinessPlan | null,
): RequestSeats {
  const policy = seatPolicyOf(edit.business);
  const summary: SeatSummary | undefined = planned?.seats;
  const paidRoles = summary?.paidRoles ?? policy.paidRoles;
  const price = summary ? summary.price : policy.price;
  const role = request.role;

  // This request's change: the plan's (exact: it knows what FreshBooks holds now), or the
  // policy edit's (the entry it replaces taken as applied; a new entry as a new seat).
  let delta: number;
  if (planned) {
    const email = normalizeEmail(request.email);
    const change = planned.changes.find((c) => c.email === email);
    delta = change ? seatDeltaOf(change, paidRoles) : 0;
  } else {
    const from: Change['from'] = edit.existing
      ? { role: edit.existing.role, state: 'active' }
      : null;
    delta = seatDeltaOf({ from, to: { role: role as PolicyRole } }, paidRoles);
  }

  let over: SeatShortfall | null = null;
  if (planned && summary && summary.limit !== undefined && summary.after > summary.limit) {
    const guard = planned.guards.find((g) => g.guard === 'seats');
    // The guard fails only when the plan adds seats: a business over its limit already is not
    // this request's problem when the request adds none.
    if (guard && !guard.ok) {
      over = {
        after: summary.after,
        limit: summary.limit,
        excess: summary.after - summary.limit,
        overridden: guard.override !== undefined,
      };
    }
  }

  return {
    planned: planned !== null,
    business: summary && seatsWorthShowing(summary) ? describeSeats(summary) : null,
    grant: {
      role,
      paid: isPaidRole(role, paidRoles),
      delta,
      planned: planned !== null,
      known: planned !== null || edit.existing !== undefined,
      price: price ?? null,
      until: formatInstant(request.expiry.endsAt),
    },
    limit: planned === null && policy.limit !== undefined ? policy.limit : null,
    over,
  };
}

function grantSentence(grant: GrantSeat, style: Style): string {
  const { role, delta, price, until } = grant;
  const r = style.code(role);
  if (!grant.paid) {
    const why =
      role === 'unassigned'
        ? `${r} is free`
        : `${r} is not one of ${style.code('seats.paidRoles')}`;
    if (delta < 0) {
      const cost = price ? `: ${rate(price, '−')} while it lasts` : '';
      return `This grant frees a paid seat (${why}) until ${until}${cost}.`;
    }
    return `No paid seat: ${why}.`;
  }
  if (delta > 0) {
    const cost = price ? `: ${rate(price, '+')} while it lasts` : '';
    const unless = grant.known ? '' : ', unless they hold one in FreshBooks already';
    return `This grant uses a paid seat (${r}) until ${until}${unless}${cost}.`;
  }
  const held = grant.planned
    ? 'they hold a paid seat in FreshBooks already'
    : 'the entry it changes holds a paid seat already';
  const cost = price ? ` (${rate(price)}, now until ${until})` : ` (now until ${until})`;
  return `No new seat: ${held}${cost}.`;
}

function limitSentence(limit: number, style: Style): string {
  return `The business has ${limit} paid ${limit === 1 ? 'seat' : 'seats'} (${style.code('seats.limit')}): the plan comment counts those in use, and its ${style.code('seats')} guard refuses a plan that needs more.`;
}

/** The shortfall in words: how many to free or buy, and what happens to the pull request. */
function shortfallText(over: SeatShortfall, style: Style): string {
  if (over.overridden) {
    return `Over the paid-seat limit: ${over.after} paid seats of ${over.limit}. The policy overrides the ${style.code('seats')} guard, so the plan can still be applied, but FreshBooks refuses an invitation when no seat is free.`;
  }
  const n = over.excess;
  return (
    `Over the paid-seat limit: the business would use ${over.after} paid seats and has ${over.limit}, so the plan's ${style.code('seats')} guard fails and this pull request cannot be applied as it stands. ` +
    `Free ${n} ${n === 1 ? 'seat' : 'seats'} first (revoke someone, or change them to ${style.code('unassigned')}, in a pull request merged before this one), ` +
    `or buy ${n} more in FreshBooks and raise ${style.code('seats.limit')} to ${over.after}.`
  );
}

function sentences(seats: RequestSeats, style: Style): string[] {
  return [
    ...(seats.business === null ? [] : [`${style.text(seats.business)}.`]),
    grantSentence(seats.grant, style),
    ...(seats.limit === null ? [] : [limitSentence(seats.limit, style)]),
  ];
}

/** Marks the seat section of the request body, so that a re-run can tell the rest apart. */
export const SEATS_BEGIN = '<!-- rolecall:seats -->';
export const SEATS_END = '<!-- /rolecall:seats -->';

/**
 * The seat section of the request pull request's body, between the markers. Everything in it
 * is rolecall's own words and numbers; the seat line is escaped all the same, as the plan
 * comment escapes it.
 */
export function seatsMarkdown(seats: RequestSeats): string {
  const line = sentences(seats, MARKDOWN).join(' ');
  const flag = seats.over && !seats.over.overridden ? ' ⚠️ over the limit' : '';
  const lines = [SEATS_BEGIN, `💺 **Seats**: ${line}${flag}`];
  if (seats.over) {
    lines.push(
      '',
      seats.over.overridden ? '> [!NOTE]' : '> [!WARNING]',
      `> **${shortfallText(seats.over, MARKDOWN).replace(/: /, '**: ')}`,
    );
  }
  lines.push(SEATS_END);
  return lines.join('\n');
}

/**
 * One plain-text line: the status comment's seat line (which escapes it). An over-limit plan is
 * flagged; the status comment's plan note already says what the guard says.
 */
export function seatsText(seats: RequestSeats): string {
  const flag = seats.over && !seats.over.overridden ? ' Over the limit.' : '';
  return `${sentences(seats, PLAIN).join(' ')}${flag}`;
}

/**
 * The body without its seat section (and the blank line after it): the body rendered without
 * seats. What a re-run compares to tell whether anything but the seat line changed.
 */
export function withoutSeats(body: string): string {
  const begin = body.indexOf(SEATS_BEGIN);
  const end = begin === -1 ? -1 : body.indexOf(SEATS_END, begin);
  if (end === -1) return body;
  let after = end + SEATS_END.length;
  while (body[after] === '\n') after += 1;
  return body.slice(0, begin) + body.slice(after);
}
