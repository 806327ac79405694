import { describe, expect, it } from 'vitest';
import { validateDocuments } from '../../../src/policy/validate-documents.js';
import { formatDiagnostic } from '../../../src/policy/format-diagnostic.js';

const NOW = new Date('2026-11-29T12:00:00Z');

interface Row {
  name: string;
  yaml: string;
  code: string;
  line: number;
  col: number;
  severity?: 'error' | 'warning';
  /** A fragment the message must contain. */
  says?: string;
}

// One row per rule. Line and column are 1-based positions of the offending node.
const ROWS: Row[] = [
  // ── YAML ──
  {
    name: 'duplicate key',
    yaml: 'business: 1\nname: a\nname: b\n',
    code: 'DUPLICATE_KEY',
    line: 3,
    col: 1,
  },
  {
    name: 'syntax error',
    yaml: 'business: 1\nmembers: [a@b.example\n',
    code: 'YAML_SYNTAX',
    line: 3,
    col: 1,
  },
  {
    name: 'two documents',
    yaml: 'business: 1\n---\nbusiness: 2\n',
    code: 'MULTIPLE_DOCUMENTS',
    line: 2,
    col: 1,
  },
  { name: 'custom tag', yaml: 'business: 1\nname: !secret x\n', code: 'YAML_TAG', line: 2, col: 7 },
  { name: 'empty file', yaml: '# nothing here\n', code: 'EMPTY_POLICY', line: 1, col: 1 },
  {
    name: 'deep flow nesting',
    yaml: `business: 1\nname: ${'['.repeat(40)}${']'.repeat(40)}\n`,
    code: 'NESTING_TOO_DEEP',
    line: 2,
    col: 39,
  },
  {
    name: 'alias expansion',
    yaml: 'business: 1\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n',
    code: 'ALIAS_LIMIT',
    line: 3,
    col: 8,
  },
  // ── schema ──
  {
    name: 'missing business',
    yaml: 'name: Acme\n',
    code: 'MISSING_KEY',
    line: 1,
    col: 1,
    says: '"business"',
  },
  {
    name: 'business not an integer',
    yaml: 'business: "240340"\n',
    code: 'WRONG_TYPE',
    line: 1,
    col: 11,
    says: 'remove the quotes',
  },
  {
    name: 'unknown top-level key',
    yaml: 'business: 1\nmemberz: []\n',
    code: 'UNKNOWN_KEY',
    line: 2,
    col: 1,
    says: 'Did you mean "members"?',
  },
  {
    name: 'unknown rules key',
    yaml: 'business: 1\nrules:\n  minAdmin: 2\n',
    code: 'UNKNOWN_KEY',
    line: 3,
    col: 3,
    says: 'Did you mean "minAdmins"?',
  },
  {
    name: 'unknown member key',
    yaml: 'business: 1\nmembers:\n  - email: a@b.example\n    role: admin\n    expiry: 2027-01-01\n',
    code: 'UNKNOWN_KEY',
    line: 5,
    col: 5,
    says: 'Did you mean "expires"?',
  },
  {
    name: 'member without role',
    yaml: 'business: 1\nmembers:\n  - email: a@b.example\n',
    code: 'MISSING_KEY',
    line: 3,
    col: 5,
    says: '"role"',
  },
  {
    name: 'ticket is a number',
    yaml: 'business: 1\nmembers:\n  - email: a@b.example\n    role: admin\n    ticket: 42\n',
    code: 'WRONG_TYPE',
    line: 5,
    col: 13,
    says: 'quote it',
  },
  {
    name: 'boolean written yes',
    yaml: 'business: 1\nrules:\n  requireReason: yes\n',
    code: 'WRONG_TYPE',
    line: 3,
    col: 18,
    says: 'true or false',
  },
  {
    name: 'members not a list',
    yaml: 'business: 1\nmembers: a@b.example\n',
    code: 'WRONG_TYPE',
    line: 2,
    col: 10,
  },
  {
    name: 'bad mode',
    yaml: 'business: 1\nmode: authorative\n',
    code: 'INVALID_VALUE',
    line: 2,
    col: 7,
    says: 'Did you mean "authoritative"?',
  },
  {
    name: 'fraction above 1',
    yaml: 'business: 1\nrules:\n  maxRevokes: {fraction: 2}\n',
    code: 'INVALID_VALUE',
    line: 3,
    col: 26,
  },
  {
    name: 'bad duration',
    yaml: 'business: 1\nrules:\n  maxDuration: {contractor: 180 days}\n',
    code: 'INVALID_DURATION',
    line: 3,
    col: 29,
  },
  {
    name: 'maxDuration for owner',
    yaml: 'business: 1\nrules:\n  maxDuration: {owner: 1d}\n',
    code: 'UNKNOWN_KEY',
    line: 3,
    col: 17,
  },
  {
    name: 'unknown role',
    yaml: 'business: 1\nmembers:\n  - email: a@b.example\n    role: admn\n',
    code: 'UNKNOWN_ROLE',
    line: 4,
    col: 11,
    says: 'Did you mean "admin"?',
  },
  {
    name: 'API role name',
    yaml: 'business: 1\nmembers:\n  - email: a@b.example\n    role: business_partner\n',
    code: 'UNKNOWN_ROLE',
    line: 4,
    col: 11,
    says: '"admin"',
  },
  {
    name: 'owner requested',
    yaml: 'business: 1\nmembers:\n  - email: a@b.example\n    role: owner\n',
    code: 'OWNER_ROLE',
    line: 4,
    col: 11,
  },
  {
    name: 'owner for a team',
    yaml: 'business: 1\nteams:\n  - name: t\n    role: owner\n    members: [a@b.example]\n',
    code: 'OWNER_ROLE',
    line: 4,
    col: 11,
  },
  {
    name: 'unknown role in requireExpiry',
    yaml: 'business: 1\nrules:\n  requireExpiry: [contractr]\n',
    code: 'UNKNOWN_ROLE',
    line: 3,
    col: 19,
    says: 'Did you mean "contractor"?',
  },
  {
    name: 'override for an unknown guard',
    yaml: 'business: 1\noverrides:\n  - guard: maxRevoke\n    reason: migration\n    ticket: OPS-1\n',
    code: 'UNKNOWN_GUARD',
    line: 3,
    col: 12,
    says: 'Did you mean "maxRevokes"?',
  },
  {
    name: 'approvals team not org/slug',
    yaml: 'business: 1\napprovals:\n  required: 1\n  teams: [owners]\n',
    code: 'INVALID_VALUE',
    line: 4,
    col: 11,
  },
  // ── semantic rules ──
  {
    name: 'invalid email',
    yaml: 'business: 1\nmembers:\n  - email: alice.acme.example\n    role: admin\n',
    code: 'INVALID_EMAIL',
    line: 3,
    col: 12,
    says: 'no @',
  },
  {
    name: 'Cyrillic look-alike',
    yaml: 'business: 1\nmembers:\n  - email: \u0430lice@acme.example\n    role: admin\n',
    code: 'NON_ASCII_EMAIL',
    line: 3,
    col: 12,
    says: 'U+0430',
  },
  {
    name: 'zero-width character',
    yaml: 'business: 1\nmembers:\n  - email: "ali\u200bce@acme.example"\n    role: admin\n',
    code: 'NON_ASCII_EMAIL',
    line: 3,
    col: 12,
    says: 'zero-width',
  },
  {
    name: 'invalid protected email',
    yaml: 'business: 1\nrules:\n  protected: [olivia@]\n',
    code: 'INVALID_EMAIL',
    line: 3,
    col: 15,
  },
  {
    name: 'invalid team email',
    yaml: 'business: 1\nteams:\n  - name: t\n    role: employee\n    members:\n      - dana@acme..example\n',
    code: 'INVALID_EMAIL',
    line: 6,
    col: 9,
  },
  {
    name: 'domain not allowed',
    yaml: 'business: 1\nrules:\n  allowedDomains: [acme.example]\nmembers:\n  - email: a@acme.exmaple\n    role: admin\n',
    code: 'DOMAIN_NOT_ALLOWED',
    line: 5,
    col: 12,
    says: 'Did you mean "acme.example"?',
  },
  {
    name: 'allowedDomains entry not a domain',
    yaml: 'business: 1\nrules:\n  allowedDomains: ["@acme.example"]\n',
    code: 'INVALID_DOMAIN',
    line: 3,
    col: 20,
  },
  {
    name: 'same person twice in members',
    yaml: 'business: 1\nmembers:\n  - email: a@b.example\n    role: admin\n  - email: " A@B.example"\n    role: admin\n',
    code: 'DUPLICATE_MEMBER',
    line: 5,
    col: 12,
    says: 'line 3',
  },
  {
    name: 'team and member, different roles',
    yaml: 'business: 1\nteams:\n  - name: t\n    role: accountant\n    members: [a@b.example]\nmembers:\n  - email: a@b.example\n    role: admin\n',
    code: 'ROLE_CONFLICT',
    line: 7,
    col: 12,
  },
  {
    name: 'same person in two teams',
    yaml: 'business: 1\nteams:\n  - name: t\n    role: employee\n    members: [a@b.example]\n  - name: u\n    role: employee\n    members: [A@b.example]\n',
    code: 'DUPLICATE_MEMBER',
    line: 8,
    col: 15,
  },
  {
    name: 'team defined twice',
    yaml: 'business: 1\nteams:\n  - name: t\n    role: employee\n    members: [w@b.example]\n  - name: T\n    role: employee\n    members: [x@b.example]\n',
    code: 'DUPLICATE_TEAM',
    line: 6,
    col: 11,
  },
  {
    name: 'empty team',
    yaml: 'business: 1\nteams:\n  - name: t\n    role: employee\n    members: []\n',
    code: 'EMPTY_TEAM',
    line: 5,
    col: 14,
    severity: 'warning',
  },
  {
    name: 'reason missing',
    yaml: 'business: 1\nrules:\n  requireReason: true\nmembers:\n  - email: a@b.example\n    role: admin\n',
    code: 'REASON_REQUIRED',
    line: 5,
    col: 5,
  },
  {
    name: 'blank reason',
    yaml: 'business: 1\nrules:\n  requireReason: true\nmembers:\n  - email: a@b.example\n    role: admin\n    reason: "  "\n',
    code: 'REASON_REQUIRED',
    line: 5,
    col: 5,
  },
  {
    name: 'team reason missing',
    yaml: 'business: 1\nrules:\n  requireReason: true\nteams:\n  - name: t\n    role: employee\n    members: [a@b.example]\n',
    code: 'REASON_REQUIRED',
    line: 5,
    col: 5,
  },
  {
    name: 'expires unparseable',
    yaml: 'business: 1\nmembers:\n  - email: a@b.example\n    role: contractor\n    expires: next friday\n',
    code: 'INVALID_EXPIRES',
    line: 5,
    col: 14,
  },
  {
    name: 'expires not a calendar date',
    yaml: 'business: 1\nmembers:\n  - email: a@b.example\n    role: contractor\n    expires: 2027-02-30\n',
    code: 'INVALID_EXPIRES',
    line: 5,
    col: 14,
  },
  {
    name: 'expires without offset',
    yaml: 'business: 1\nmembers:\n  - email: a@b.example\n    role: contractor\n    expires: 2027-01-01T10:00:00\n',
    code: 'INVALID_EXPIRES',
    line: 5,
    col: 14,
    says: 'offset',
  },
  {
    name: 'expires missing (requireExpiry)',
    yaml: 'business: 1\nrules:\n  requireExpiry: [contractor]\nmembers:\n  - email: a@b.example\n    role: contractor\n',
    code: 'EXPIRY_REQUIRED',
    line: 5,
    col: 5,
  },
  {
    name: 'expires missing (maxDuration)',
    yaml: 'business: 1\nrules:\n  maxDuration: {admin: 30d}\nmembers:\n  - email: a@b.example\n    role: admin\n',
    code: 'EXPIRY_REQUIRED',
    line: 5,
    col: 5,
  },
  {
    name: 'expires beyond maxDuration',
    yaml: 'business: 1\nrules:\n  maxDuration: {contractor: 90d}\nmembers:\n  - email: a@b.example\n    role: contractor\n    expires: 2027-06-30\n',
    code: 'EXPIRY_TOO_LONG',
    line: 7,
    col: 14,
    says: '90d',
  },
  {
    name: 'team expires beyond maxDuration',
    yaml: 'business: 1\nrules:\n  maxDuration: {employee: 8h}\nteams:\n  - name: t\n    role: employee\n    expires: 2026-11-30T12:00:00Z\n    members: [a@b.example]\n',
    code: 'EXPIRY_TOO_LONG',
    line: 7,
    col: 14,
  },
  {
    name: 'expires already past',
    yaml: 'business: 1\nmembers:\n  - email: a@b.example\n    role: contractor\n    expires: 2026-11-28\n',
    code: 'EXPIRED',
    line: 5,
    col: 14,
    severity: 'warning',
    says: 'will revoke',
  },
  {
    name: 'override twice',
    yaml: 'business: 1\noverrides:\n  - {guard: self, reason: a, ticket: T-1}\n  - {guard: self, reason: b, ticket: T-2}\n',
    code: 'DUPLICATE_OVERRIDE',
    line: 4,
    col: 13,
  },
];

describe('policy rules (one row per rule, code and position asserted)', () => {
  it.each(ROWS)('$name → $code at $line:$col', (row) => {
    const result = validateDocuments([{ file: 'p.yaml', text: row.yaml }], { now: NOW });
    const severity = row.severity ?? 'error';
    const list = severity === 'error' ? result.errors : result.warnings;
    const hit = list.find((d) => d.code === row.code);
    expect(
      hit,
      `got: ${[...result.errors, ...result.warnings].map(formatDiagnostic).join('\n')}`,
    ).toBeDefined();
    expect(hit?.source).toEqual({ file: 'p.yaml', line: row.line, col: row.col });
    expect(hit?.severity).toBe(severity);
    if (row.says) expect(hit?.message).toContain(row.says);
    // Exactly one diagnostic per mistake: no cascade.
    expect(result.errors.length + result.warnings.length).toBe(1);
    if (severity === 'error') expect(result.value).toBeUndefined();
    else expect(result.value).toBeDefined();
  });

  it('every code in the table is distinct per rule family, and none is thrown', () => {
    for (const row of ROWS) {
      expect(() =>
        validateDocuments([{ file: 'p.yaml', text: row.yaml }], { now: NOW }),
      ).not.toThrow();
    }
  });
});
