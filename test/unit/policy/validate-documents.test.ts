import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { POLICY_ROLES } from '../../../src/roles.js';
import {
  formatDiagnostic,
  formatGitHubAnnotation,
  formatSummary,
} from '../../../src/policy/format-diagnostic.js';
import { validateDocuments } from '../../../src/policy/validate-documents.js';

const NOW = new Date('2026-11-29T12:00:00Z');
const ACME = readFileSync(new URL('../../../policies/acme-books.yaml', import.meta.url), 'utf8');

function acme() {
  const result = validateDocuments([{ file: 'policies/acme-books.yaml', text: ACME }], {
    now: NOW,
  });
  const business = result.value?.businesses[0];
  if (!business) throw new Error(result.errors.map(formatDiagnostic).join('\n'));
  return { result, business };
}

describe('the example policy', () => {
  it('validates with no errors and no warnings as of 2026-11-29', () => {
    const { result } = acme();
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
  });

  it('normalises to the documented business: 13 members sorted by email, team members via the team', () => {
    const { business } = acme();
    expect(business).toMatchObject({
      businessId: 240340,
      name: 'Acme Books Inc.',
      file: 'policies/acme-books.yaml',
      mode: 'authoritative',
      provisioning: { grant: 'api', change: 'api', revoke: 'api' },
      overrides: [],
      rules: {
        protected: ['olivia@acme.example'],
        minAdmins: 2,
        maxRevokes: { count: 5, fraction: 0.25 },
        requireExpiry: ['contractor'],
        maxDurationMs: { contractor: 180 * 86_400_000 },
        allowedDomains: ['acme.example', 'contractors.example', 'cpa-partners.example'],
        requireReason: true,
        autoApproveExpiry: false,
        expiringSoonDays: 7,
        pendingInvitationDays: 14,
      },
      source: { file: 'policies/acme-books.yaml', line: 7, col: 11 },
    });
    const emails = business.members.map((m) => m.email);
    expect(emails).toEqual([...emails].sort());
    expect(business.members.map((m) => `${m.email}=${m.role}`)).toEqual([
      'alice@acme.example=admin',
      'ben@acme.example=admin',
      'bob@contractors.example=contractor',
      'carol@acme.example=manager',
      'dana@acme.example=accountant',
      'eli@acme.example=accountant',
      'frank@acme.example=employee',
      'grace@acme.example=employee',
      'hana@acme.example=employee',
      'ivan@acme.example=unassigned',
      'jules@acme.example=unassigned',
      'kim@cpa-partners.example=accountant',
      'maya@acme.example=manager',
    ]);
    expect(new Set(business.members.map((m) => m.role))).toEqual(new Set(POLICY_ROLES));
    const dana = business.members.find((m) => m.email === 'dana@acme.example');
    expect(dana?.via).toEqual({ kind: 'team', team: 'bookkeeping' });
    expect(dana?.reason).toBe('Day-to-day bookkeeping');
    const bob = business.members.find((m) => m.email === 'bob@contractors.example');
    expect(bob).toMatchObject({
      expires: '2027-04-01T00:00:00.000Z',
      ticket: 'FIN-42',
      reason: 'Year-end audit',
      via: { kind: 'member' },
    });
    // The source is the line of the entry (git provenance and annotations use it).
    expect(ACME.split('\n')[(bob?.source.line ?? 0) - 1]).toContain('bob@contractors.example');
    expect(business.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('digest ignores comments and layout, and changes with content', () => {
    const { business } = acme();
    const reformatted = validateDocuments(
      [{ file: 'elsewhere.yaml', text: `# a new comment\n${ACME.replace(/\n\n/g, '\n')}` }],
      { now: NOW },
    ).value?.businesses[0];
    expect(reformatted?.digest).toBe(business.digest);
    const changed = validateDocuments(
      [
        {
          file: 'policies/acme-books.yaml',
          text: ACME.replace('reason: Payroll', 'reason: Payroll and HR'),
        },
      ],
      { now: NOW },
    ).value?.businesses[0];
    expect(changed?.digest).not.toBe(business.digest);
  });

  it('the expired warning appears once the date passes, and the grant is still part of the state', () => {
    const later = validateDocuments([{ file: 'a.yaml', text: ACME }], {
      now: new Date('2027-04-01T00:00:00Z'),
    });
    expect(later.errors).toEqual([]);
    expect(later.warnings.map((w) => w.code)).toEqual(['EXPIRED']);
    expect(later.value?.businesses[0]?.members).toHaveLength(13);
    const justBefore = validateDocuments([{ file: 'a.yaml', text: ACME }], {
      now: new Date('2027-03-31T23:59:59.999Z'),
    });
    expect(justBefore.warnings).toEqual([]);
  });
});

describe('across files', () => {
  const one = (business: number, email: string, role = 'employee') =>
    `business: ${business}\nmembers:\n  - email: ${email}\n    role: ${role}\n`;

  it('refuses one business in two files, pointing at both', () => {
    const result = validateDocuments(
      [
        { file: 'a.yaml', text: one(5, 'x@a.example') },
        { file: 'b.yaml', text: one(5, 'y@a.example') },
      ],
      { now: NOW },
    );
    expect(result.errors.map(formatDiagnostic)).toEqual([
      'b.yaml:1:11: error DUPLICATE_BUSINESS business 5 is already governed by a.yaml:1:11; keep one file per business',
    ]);
  });

  it('a person in two files of one business is a duplicate; in two businesses it is fine', () => {
    const same = validateDocuments(
      [
        { file: 'a.yaml', text: one(5, 'x@a.example') },
        { file: 'b.yaml', text: one(5, 'X@a.example', 'admin') },
      ],
      { now: NOW },
    );
    expect(same.errors.map((e) => e.code).sort()).toEqual(['DUPLICATE_BUSINESS', 'ROLE_CONFLICT']);
    expect(same.errors.find((e) => e.code === 'ROLE_CONFLICT')?.message).toContain('a.yaml:3:12');

    const two = validateDocuments(
      [
        { file: 'b.yaml', text: one(7, 'x@a.example') },
        { file: 'a.yaml', text: one(5, 'x@a.example') },
      ],
      { now: NOW },
    );
    expect(two.errors).toEqual([]);
    expect(two.value?.businesses.map((b) => b.businessId)).toEqual([5, 7]);
  });

  it('an invalid file makes the whole state invalid, and the other files are still checked', () => {
    const result = validateDocuments(
      [
        { file: 'a.yaml', text: 'business: [\n' },
        { file: 'b.yaml', text: one(5, 'bad-email') },
      ],
      { now: NOW },
    );
    expect(result.value).toBeUndefined();
    expect(result.errors.map((e) => `${e.source?.file} ${e.code}`)).toEqual([
      'a.yaml YAML_SYNTAX',
      'b.yaml INVALID_EMAIL',
    ]);
  });
});

describe('maxDuration against the commit that set expires (grantTimes)', () => {
  const policy = `business: 9
rules:
  maxDuration: {contractor: 14d}
members:
  - email: c@x.example
    role: contractor
    expires: 2026-12-20T00:00:00Z
`;
  it('measures from the commit time when known, else from now', () => {
    // From now (2026-11-29T12:00Z) it is 20.5 days: too long.
    expect(
      validateDocuments([{ file: 'p.yaml', text: policy }], { now: NOW }).errors.map((e) => e.code),
    ).toEqual(['EXPIRY_TOO_LONG']);
    // Granted (or extended) on 2026-12-07: 13 days: fine, even though "now" is earlier in this test.
    const calls: Array<[string, number]> = [];
    const result = validateDocuments([{ file: 'p.yaml', text: policy }], {
      now: NOW,
      grantTimes: (file, line) => {
        calls.push([file, line]);
        return new Date('2026-12-07T00:00:00Z');
      },
    });
    expect(result.errors).toEqual([]);
    expect(calls).toEqual([['p.yaml', 7]]);
    // An extension committed on 2026-12-01 to 2026-12-20 is 19 days: refused, measured from the commit.
    const extended = validateDocuments([{ file: 'p.yaml', text: policy }], {
      now: NOW,
      grantTimes: () => new Date('2026-12-01T00:00:00Z'),
    });
    expect(extended.errors[0]?.message).toContain(
      'after the commit that set it (2026-12-01 00:00 UTC)',
    );
    // Unknown to git (not committed yet): from now.
    const uncommitted = validateDocuments([{ file: 'p.yaml', text: policy }], {
      now: NOW,
      grantTimes: () => undefined,
    });
    expect(uncommitted.errors[0]?.message).toContain('from now');
  });
});

describe('formatting', () => {
  const d = {
    severity: 'error' as const,
    code: 'X',
    message: 'bad %\r\nthing, here: yes',
    source: { file: 'dir/a,b:c.yaml', line: 3, col: 7 },
  };

  it('prints path:line:col: severity CODE message on one line, control characters escaped', () => {
    expect(formatDiagnostic(d)).toBe(
      'dir/a,b:c.yaml:3:7: error X bad %\\u{000D}\\u{000A}thing, here: yes',
    );
    expect(formatDiagnostic({ severity: 'warning', code: 'Y', message: 'no position' })).toBe(
      'warning Y no position',
    );
    expect(formatDiagnostic({ ...d, message: 'esc \u001b[31m red' })).not.toContain('\u001b');
  });

  it('escapes GitHub workflow commands per the runner rules', () => {
    expect(formatGitHubAnnotation(d)).toBe(
      '::error file=dir/a%2Cb%3Ac.yaml,line=3,col=7,title=rolecall X::bad %25%0D%0Athing, here: yes',
    );
    expect(formatGitHubAnnotation({ severity: 'warning', code: 'EXPIRED', message: 'm' })).toBe(
      '::warning title=rolecall EXPIRED::m',
    );
  });

  it('summarises with plurals', () => {
    expect(formatSummary(0, 1, 1)).toBe('0 errors, 1 warning in 1 file');
    expect(formatSummary(2, 0, 3)).toBe('2 errors, 0 warnings in 3 files');
  });
});
