import { displayExpiry } from '../plan/expiry.js';
import { formatInstant } from '../policy/parse-time.js';
import { markdownCode, markdownText } from '../review/escape-markdown.js';
import type { AccessRequest, RequestEdit } from './plan-request-edit.js';

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

/** The pull request (and commit) of `rolecall request`: who, what, where, until when, why. */
export function renderRequest(
  edit: RequestEdit,
  request: AccessRequest,
  now: Date,
): RenderedRequest {
  const email = request.email.trim();
  const until = formatInstant(request.expiry.endsAt);
  const business = businessLabel(edit);
  const verb = edit.existing && edit.existing.role === request.role ? 'Extend' : 'Grant';
  const title = oneLine(`${verb} ${request.role} to ${email} in ${business} until ${until}`);

  const rows: Array<[string, string]> = [
    ['Who', markdownCode(email)],
    ['Role', markdownCode(request.role)],
    ['Business', markdownText(business)],
    [
      'Until',
      `${until} (requested as ${markdownCode(request.expiry.input)} at ${formatInstant(now)}; written as ${markdownCode(`expires: ${request.expiry.value}`)})`,
    ],
    ['Why', markdownText(request.reason)],
    ['Ticket', request.ticket ? markdownText(request.ticket) : '—'],
    ['Change', `${whatChanges(edit, request)} in ${markdownCode(edit.file)}`],
  ];
  const body = [
    '## Access request',
    '',
    '| | |',
    '|---|---|',
    ...rows.map(([key, value]) => `| **${key}** | ${value} |`),
    '',
    atExpiry(edit),
    '',
    'Merging this pull request grants the access: rolecall comments the plan here, and the merge applies it behind the approval gate. A date in `expires` means through the end of that day, UTC.',
    '',
    '<sub>Opened by `rolecall request`.</sub>',
  ].join('\n');

  const commitMessage = [
    oneLine(`rolecall: ${verb.toLowerCase()} ${request.role} to ${email} until ${until}`),
    '',
    oneLine(`Business: ${business}`),
    oneLine(`Reason: ${request.reason}`),
    ...(request.ticket ? [oneLine(`Ticket: ${request.ticket}`)] : []),
    oneLine(`Requested: ${request.expiry.input} at ${formatInstant(now)}`),
  ].join('\n');
  return { title, body, commitMessage };
}
