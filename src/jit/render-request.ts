import { displayExpiry } from '../plan/expiry.js';
import { formatInstant } from '../policy/parse-time.js';
import { inertText } from '../plan/markdown-text.js';
import { markdownCode, markdownText } from '../review/escape-markdown.js';
import type { AccessRequest, RequestEdit } from './plan-request-edit.js';
import { requestTrailers } from './request-link.js';
import { seatsMarkdown, type RequestSeats } from './request-seats.js';

/** A request made with the issue form: who asked, where, and who edited it since. */
export interface IssueOrigin {
  issue: number;
  requester: string;
  editors: readonly string[];
  /** The requester's known address is the one asked for (null: cannot tell). */
  forThemselves: boolean | null;
}

export interface RenderedRequest {
  title: string;
  /** The pull request body (markdown; every user-supplied text escaped). */
  body: string;
  commitMessage: string;
}

function businessLabel(edit: RequestEdit): string {
  return edit.business.name
    ? `${edit.business.name} (${edit.business.businessId})`
    : `business ${edit.business.businessId}`;
}

/** One line, no control characters: for titles and commit subjects. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
}

function whatChanges(edit: RequestEdit, request: AccessRequest): string {
  const existing = edit.existing;
  if (!existing) return 'a new time-bound entry';
  const was = existing.expires ? displayExpiry(existing.expires) : 'no expiry';
  if (existing.role !== request.role) {
    return `changes the existing time-bound entry from ${existing.role} (until ${was}) to ${request.role}`;
  }
  return `an extension: the existing entry's \`expires\` changes from ${was} to ${request.expiry.value}`;
}

function atExpiry(edit: RequestEdit): string {
  const cleanup =
    'rolecall then keeps one clean-up pull request open that removes the expired entry from the policy.';
  if (edit.business.rules.autoApproveExpiry) {
    return `**At expiry the access is revoked automatically.** The hourly \`expire\` workflow removes it from FreshBooks without further approval (\`rules.autoApproveExpiry: true\`); ${cleanup} Nobody has to remember.`;
  }
  return `**At expiry the access is revoked by \`rolecall expire\`.** This policy does not set \`rules.autoApproveExpiry\`, so the scheduled job does not revoke on its own: an operator confirms \`rolecall expire\`, and until then the drift issue lists the expired access. ${cleanup}`;
}

/**
 * The pull request (and commit) of `rolecall request`: who, what, where, until when, why, and
 * what it does to the paid seats (`seats`). From the issue form (`origin`), also who asked and
 * in which issue — in the table, and as commit trailers the approval gate reads
 * (request-link.ts).
 */
export function renderRequest(
  edit: RequestEdit,
  request: AccessRequest,
  now: Date,
  origin?: IssueOrigin,
  seats?: RequestSeats,
): RenderedRequest {
  const email = request.email.trim();
  const until = formatInstant(request.expiry.endsAt);
  const business = businessLabel(edit);
  const verb = edit.existing && edit.existing.role === request.role ? 'Extend' : 'Grant';
  const title = oneLine(`${verb} ${request.role} to ${email} in ${business} until ${until}`);

  // From the form, the text is anyone's: inert (no `#123` reference either), as in comments.
  const text = origin ? inertText : markdownText;
  const rows: Array<[string, string]> = [
    ['Who', markdownCode(email)],
    ['Role', markdownCode(request.role)],
    ['Business', text(business)],
    [
      'Until',
      `${until} (requested as ${markdownCode(request.expiry.input)} at ${formatInstant(now)}; written as ${markdownCode(`expires: ${request.expiry.value}`)})`,
    ],
    ['Why', text(request.reason)],
    ['Ticket', request.ticket ? text(request.ticket) : '—'],
    ['Change', `${whatChanges(edit, request)} in ${markdownCode(edit.file)}`],
  ];
  if (origin) {
    const someoneElse =
      origin.forThemselves === false
        ? ` — **for someone else**: rolecall cannot link ${markdownCode(email)} to @${origin.requester}`
        : '';
    rows.push([
      'Requested by',
      `@${origin.requester} in #${origin.issue}${someoneElse}; they cannot approve this pull request`,
    ]);
    if (origin.editors.length > 0) {
      rows.push([
        'Edited by',
        `${origin.editors.map((l) => `@${l}`).join(', ')} (edited the request; they cannot approve it either)`,
      ]);
    }
  }
  const body = [
    '## Access request',
    '',
    '| | |',
    '|---|---|',
    ...rows.map(([key, value]) => `| **${key}** | ${value} |`),
    '',
    // What the grant costs, for the approver who signs off the bill (request-seats.ts).
    ...(seats ? [seatsMarkdown(seats), ''] : []),
    atExpiry(edit),
    '',
    'Merging this pull request grants the access: rolecall comments the plan here, and the merge applies it behind the approval gate. A date in `expires` means through the end of that day, UTC.',
    '',
    origin
      ? `<sub>Opened by \`rolecall request --from-issue ${origin.issue}\` from the request form in #${origin.issue}. Editing the issue updates this pull request; closing it closes this pull request.</sub>`
      : '<sub>Opened by `rolecall request`.</sub>',
  ].join('\n');

  const commitMessage = [
    oneLine(`rolecall: ${verb.toLowerCase()} ${request.role} to ${email} until ${until}`),
    '',
    oneLine(`Business: ${business}`),
    oneLine(`Reason: ${request.reason}`),
    ...(request.ticket ? [oneLine(`Ticket: ${request.ticket}`)] : []),
    oneLine(`Requested: ${request.expiry.input} at ${formatInstant(now)}`),
    ...(origin
      ? [
          '',
          requestTrailers({
            issue: origin.issue,
            requester: origin.requester,
            editors: origin.editors,
          }),
        ]
      : []),
  ].join('\n');
  return { title, body, commitMessage };
}
