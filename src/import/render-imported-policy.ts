/**
 * `rolecall import`: a policy file written from a business's live team, so that adopting
 * rolecall starts from "exactly what is there today" — planning the imported file finds no
 * changes — and the review that matters (does each of these people still need this role?)
 * happens in the pull request that adds it.
 *
 * Pure: live data in, YAML text out; no disk, no clock (`importedAt` is an argument).
 *
 * What is listed: every current member (active or with a pending invitation) whose role rolecall
 * knows, with that role. What is not, and why (each becomes a comment, never an entry):
 * - the owner: read-only in FreshBooks, so protected (`rules.protected`) instead;
 * - deactivated members: listing them would re-invite them;
 * - members with a role rolecall does not know: an entry needs a policy role, and the planner
 *   never touches an unknown role the policy does not name;
 * - addresses the policy language refuses (non-ASCII, malformed): they would not validate;
 * - a second record with the same email: a person is listed once.
 *
 * Everything from FreshBooks that lands in a comment (names, emails, role names) is flattened
 * to one printable line first: a first name with a line break must not become YAML.
 */
import { checkEmail } from '../policy/check-email.js';
import { isAdminRole, isPolicyRole, roleRank, type KnownRole, type PolicyRole } from '../roles.js';
import { DEFAULT_PAID_ROLES, countSeats } from '../seats.js';
import type { LiveBusiness, LiveMember } from '../types.js';

export interface ImportOptions {
  /** When the live state was read (shown in the header). */
  importedAt: string;
  toolVersion: string;
  /** The `$schema` reference for editors: a path relative to where the file will live, or a URL. */
  schemaRef: string;
  /** The email the API token belongs to (marked in its entry's review comment). */
  identityEmail?: string;
}

export interface SkippedMember {
  email: string;
  why: string;
  /** The first plan of the imported policy revokes this member (it cannot be listed). */
  revokedByPlan?: true;
}

export interface ImportedPolicy {
  text: string;
  /** Entries written, by email. */
  members: Array<{ email: string; role: PolicyRole; state: LiveMember['state'] }>;
  protected: string[];
  skipped: SkippedMember[];
}

const HEADINGS: Record<PolicyRole, string> = {
  admin: 'Administrators',
  manager: 'Managers',
  accountant: 'Accountants',
  employee: 'Employees',
  contractor: 'Contractors (consider `expires:` and rules.requireExpiry)',
  unassigned: 'No seat (time tracking and similar)',
};

export function renderImportedPolicy(
  business: LiveBusiness,
  options: ImportOptions,
): ImportedPolicy {
  const skipped: SkippedMember[] = [];
  const owners: string[] = [];
  const listed = new Map<string, { member: LiveMember; role: PolicyRole }>();
  for (const [email, records] of groupByEmail(business.members)) {
    const label = oneLine(email, 120);
    const checked = checkEmail(email);
    // The record the planner manages for this address (see primaryRecord); the rest are noted.
    const member = primaryRecord(records);
    for (const other of records) {
      if (other === member || other.state === 'deactivated') continue;
      skipped.push({
        email: label,
        why: `a second FreshBooks record for this address (${other.role ?? oneLine(other.apiRole, 60)}, ${other.state}); rolecall manages the ${member.state} one and reports this one`,
      });
    }
    if (records.some((record) => record.role === 'owner')) {
      if (checked.ok) owners.push(checked.email);
      else
        skipped.push({
          email: label,
          why: `the owner, but the address is not valid in a policy (${checked.message})`,
        });
      continue;
    }
    if (member.state === 'deactivated') {
      skipped.push({ email: label, why: 'deactivated: listing them would invite them again' });
      continue;
    }
    if (member.role === null || !isPolicyRole(member.role)) {
      skipped.push({
        email: label,
        why: `has the role "${oneLine(member.apiRole, 60)}", which rolecall does not know: every plan reports them and none touches them. List them with a rolecall role to manage them`,
      });
      continue;
    }
    if (!checked.ok) {
      skipped.push({
        email: label,
        why: `${checked.message}. A policy cannot list this address, so with mode authoritative the first plan proposes to REVOKE it: decide before merging`,
        revokedByPlan: true,
      });
      continue;
    }
    listed.set(checked.email, { member, role: member.role });
  }

  const entries = [...listed.values()].sort(
    (a, b) => roleRank(b.role) - roleRank(a.role) || a.member.email.localeCompare(b.member.email),
  );
  const adminsNow =
    owners.length +
    entries.filter((e) => e.member.state === 'active' && isAdminRole(e.role)).length;
  const lines: string[] = [...header(business, options), ''];
  lines.push(
    `business: ${business.businessId} # FreshBooks business_id${
      business.accountId === null ? '' : ` (account ${oneLine(business.accountId, 40)})`
    }`,
  );
  const name = oneLine(business.name, 200);
  if (name !== '') lines.push(`name: ${scalar(name)}`);
  lines.push('mode: authoritative # people in FreshBooks but not listed here are revoked', '');
  lines.push('rules:');
  if (owners.length > 0) {
    lines.push('  # The owner is never changed or removed (and cannot be granted).');
    lines.push(`  protected: [${owners.map(scalar).join(', ')}]`);
  }
  lines.push(
    `  minAdmins: ${Math.min(1, adminsNow)} # owner + admins that must remain after any change; raise it if you can`,
    '  # maxRevokes: { count: 5, fraction: 0.25 } # refuse mass removals (fraction 0.25 is the default)',
    '  # allowedDomains: [example.com] # only these email domains may be granted',
    '  # requireReason: true # turn on once every entry below says why',
    '',
  );
  // FreshBooks has no API for the seat count: the policy declares it, so suggest it here.
  const seats = countSeats(business.members, DEFAULT_PAID_ROLES);
  lines.push(
    `# Paid team-member seats in use today: ${seats} (every role but unassigned; FreshBooks shows`,
    '# "N out of M" under Team Members). Declare them to see what every change costs:',
    `# seats: { limit: ${seats}, price: { amount: 11, currency: USD, per: month } }`,
    '',
  );

  if (entries.length === 0) {
    lines.push(
      'members: [] # nobody but the owner: with mode authoritative, anyone added by hand is revoked',
    );
  } else {
    lines.push('members:');
    let heading: PolicyRole | undefined;
    for (const { member, role } of entries) {
      if (heading !== undefined) lines.push('');
      if (role !== heading) {
        lines.push(`  # ${HEADINGS[role]}`);
        heading = role;
      }
      lines.push(`  - email: ${scalar(member.email)}${describeMember(member)}`);
      lines.push(`    role: ${role}`);
      lines.push(
        `    # review: why does ${oneLine(member.email, 120)} need ${role}?${reviewHint(member, role, options)}`,
      );
    }
  }
  if (skipped.length > 0) {
    lines.push('', '# Not imported — review by hand:');
    for (const skip of skipped) lines.push(`#   ${skip.email}: ${oneLine(skip.why, 400)}`);
  }
  return {
    text: `${lines.join('\n')}\n`,
    members: entries.map(({ member, role }) => ({
      email: member.email,
      role,
      state: member.state,
    })),
    protected: owners,
    skipped,
  };
}

function groupByEmail(members: readonly LiveMember[]): Map<string, LiveMember[]> {
  const groups = new Map<string, LiveMember[]>();
  for (const member of members) {
    const group = groups.get(member.email);
    if (group === undefined) groups.set(member.email, [member]);
    else group.push(member);
  }
  return groups;
}

const STATE_PRIORITY: Readonly<Record<LiveMember['state'], number>> = {
  active: 2,
  invited: 1,
  deactivated: 0,
};

/**
 * Of several records with one address, the one the planner manages (diff-business.ts): the
 * most current state (active, then invited, then deactivated), then the smallest uuid.
 */
function primaryRecord(records: readonly LiveMember[]): LiveMember {
  let best = records[0] as LiveMember;
  for (const record of records.slice(1)) {
    const order = STATE_PRIORITY[record.state] - STATE_PRIORITY[best.state];
    if (order > 0 || (order === 0 && record.uuid < best.uuid)) best = record;
  }
  return best;
}

function header(business: LiveBusiness, options: ImportOptions): string[] {
  return [
    `# yaml-language-server: $schema=${oneLine(options.schemaRef, 300)}`,
    '#',
    `# Who has access to the FreshBooks business ${oneLine(JSON.stringify(business.name), 200)}, imported from live`,
    `# FreshBooks by \`rolecall import\` (rolecall ${oneLine(options.toolVersion, 40)}) on ${oneLine(options.importedAt, 40)}.`,
    '#',
    '# It lists access exactly as it is today, so `rolecall plan` finds no changes. Before merging it,',
    '# review every entry (search for "review:"):',
    '#   - Does this person still need access, with this role? Remove or change the entry if not;',
    '#     the next plan then shows the revoke or the change for approval.',
    '#   - Add `reason:` (and `ticket:`) to each entry, then turn on `requireReason` below.',
    '#   - Time-bound access (contractors, auditors): add `expires:`.',
    '#   - Pending invitations are listed too; one nobody accepted for weeks may be stale.',
    '#   - The people under "Not imported" at the end need a decision by hand.',
  ];
}

function describeMember(member: LiveMember): string {
  const who = oneLine([member.firstName, member.lastName].filter(Boolean).join(' '), 80);
  const since = member.invitationAcceptedAt ?? member.createdAt;
  const state =
    member.state === 'invited'
      ? `invitation pending${member.createdAt ? ` since ${member.createdAt.slice(0, 10)}` : ''}`
      : `active${since ? ` since ${since.slice(0, 10)}` : ''}`;
  return ` # ${[who, oneLine(state, 60)].filter((part) => part !== '').join(', ')}`;
}

function reviewHint(member: LiveMember, role: KnownRole, options: ImportOptions): string {
  const hints: string[] = [];
  if (options.identityEmail !== undefined && member.email === options.identityEmail) {
    hints.push(
      'rolecall’s API token belongs to this person: never revoked or downgraded by a plan',
    );
  }
  if (member.state === 'invited') hints.push('never accepted the invitation');
  if (role === 'admin') hints.push('admins can manage the whole team');
  return hints.length === 0 ? '' : ` (${hints.join('; ')})`;
}

// Every character that could end or disturb a YAML comment or line: C0, C1, DEL, and the
// Unicode line and paragraph separators some editors treat as line breaks.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** One printable line, at most `max` characters. */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(UNSAFE, ' ').replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

const PLAIN = /^[A-Za-z][A-Za-z0-9._+@ '()-]*$/;
// Words a YAML parser (1.1 or 1.2) may read as something other than a string.
const SPECIAL = /^(true|false|null|yes|no|on|off|y|n)$/i;

/**
 * A YAML scalar: plain when it is unambiguously a string (starts with a letter, no indicator
 * characters, not a boolean or null word), else double-quoted — a JSON string is valid YAML.
 */
export function scalar(text: string): string {
  return PLAIN.test(text) && !SPECIAL.test(text) && !/ $/.test(text) ? text : JSON.stringify(text);
}
