import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { RolecallError } from '../../../src/errors.js';
import {
  removeMembers,
  renderScalar,
  upsertMember,
  type MemberUpsert,
} from '../../../src/policy/edit-policy.js';
import { POLICY_ROLES } from '../../../src/roles.js';
import { validateDocuments } from '../../../src/policy/validate-documents.js';

const NOW = new Date('2026-11-29T12:00:00Z');
const ACME = readFileSync(new URL('../../../policies/acme-books.yaml', import.meta.url), 'utf8');

const SMALL = `# yaml-language-server: $schema=../schemas/policy.schema.json
business: 1          # aligned comment
mode: authoritative  # another one

teams:
  - name: ops
    role: employee
    members: [dana@acme.example, eli@acme.example, fay@acme.example] # flow list
  - name: books
    role: accountant
    members:
      - gus@acme.example # first
      - hal@acme.example

members:
  # Admins
  - email: alice@acme.example
    role: admin          # the lead
    reason: 'Finance lead'

  - email: Bob@Contractors.example
    role: contractor
    expires: 2027-03-31  # end of audit
    reason: Audit
    ticket: FIN-42

  # Seasonal
  - email: jules@acme.example
    role: unassigned
    reason: Seasonal help
`;

function state(text: string) {
  return validateDocuments([{ file: 'p.yaml', text }], { now: NOW });
}

/** Lines of `after` not in `before` and vice versa (a multiset difference, enough for small edits). */
function lineChanges(before: string, after: string): { added: string[]; removed: string[] } {
  const count = (lines: string[]) =>
    lines.reduce((m, l) => m.set(l, (m.get(l) ?? 0) + 1), new Map<string, number>());
  const a = count(before.split('\n'));
  const b = count(after.split('\n'));
  const added: string[] = [];
  const removed: string[] = [];
  for (const [line, n] of b) for (let i = a.get(line) ?? 0; i < n; i++) added.push(line);
  for (const [line, n] of a) for (let i = b.get(line) ?? 0; i < n; i++) removed.push(line);
  return { added, removed };
}

describe('upsertMember', () => {
  it('appends a new member after the last entry, keeping the blank-line rhythm and every comment', () => {
    const out = upsertMember(SMALL, {
      email: 'kim@cpa.example',
      role: 'accountant',
      expires: '2026-12-06T08:00:00Z',
      reason: 'Quarter close',
      ticket: 'FIN-9',
    });
    expect(out).toBe(
      `${SMALL}\n  - email: kim@cpa.example\n    role: accountant\n    expires: 2026-12-06T08:00:00Z\n    reason: Quarter close\n    ticket: FIN-9\n`,
    );
    const member = state(out).value?.businesses[0]?.members.find(
      (m) => m.email === 'kim@cpa.example',
    );
    expect(member).toMatchObject({
      role: 'accountant',
      expires: '2026-12-06T08:00:00.000Z',
      ticket: 'FIN-9',
    });
  });

  it('changes only the role line of an existing member (matched case-insensitively), keeping its aligned comment', () => {
    const out = upsertMember(SMALL, {
      email: ' ALICE@acme.example ',
      role: 'manager',
      reason: 'Finance lead',
    });
    expect(lineChanges(SMALL, out)).toEqual({
      removed: ['    role: admin          # the lead'],
      added: ['    role: manager          # the lead'],
    });
  });

  it('extends a grant by editing only its expires line', () => {
    const out = upsertMember(SMALL, {
      email: 'bob@contractors.example',
      role: 'contractor',
      expires: '2027-04-30',
      reason: 'Audit',
    });
    expect(lineChanges(SMALL, out)).toEqual({
      removed: ['    expires: 2027-03-31  # end of audit'],
      added: ['    expires: 2027-04-30  # end of audit'],
    });
    expect(
      state(out).value?.businesses[0]?.members.find((m) => m.email === 'bob@contractors.example')
        ?.expires,
    ).toBe('2027-05-01T00:00:00.000Z');
  });

  it('adds missing keys after the entry and removes expires when asked (null)', () => {
    const withTicket = upsertMember(SMALL, {
      email: 'jules@acme.example',
      role: 'unassigned',
      reason: 'Seasonal help',
      ticket: 'HR-1',
      expires: '2027-01-15',
    });
    expect(lineChanges(SMALL, withTicket)).toEqual({
      removed: [],
      added: ['    expires: 2027-01-15', '    ticket: HR-1'],
    });
    const permanent = upsertMember(SMALL, {
      email: 'bob@contractors.example',
      role: 'employee',
      expires: null,
      reason: 'Hired',
    });
    expect(lineChanges(SMALL, permanent)).toEqual({
      removed: [
        '    role: contractor',
        '    expires: 2027-03-31  # end of audit',
        '    reason: Audit',
      ],
      added: ['    role: employee', '    reason: Hired'],
    });
  });

  it('quotes values that would not read back as the same text', () => {
    expect(renderScalar('Year-end audit')).toBe('Year-end audit');
    expect(renderScalar('true')).toBe('"true"');
    expect(renderScalar('42')).toBe('"42"');
    expect(renderScalar('see #12: urgent')).toBe('"see #12: urgent"');
    const out = upsertMember(SMALL, {
      email: 'jules@acme.example',
      role: 'unassigned',
      reason: 'null',
    });
    expect(
      state(out).value?.businesses[0]?.members.find((m) => m.email === 'jules@acme.example')
        ?.reason,
    ).toBe('null');
  });

  it('creates the members list when the file has none, and fills an empty flow list', () => {
    const bare = 'business: 7 # id\n';
    expect(upsertMember(bare, { email: 'a@b.example', role: 'admin', reason: 'r' })).toBe(
      'business: 7 # id\nmembers:\n  - email: a@b.example\n    role: admin\n    reason: r\n',
    );
    const empty = 'business: 7\nmembers: [] # none yet\n';
    expect(upsertMember(empty, { email: 'a@b.example', role: 'admin', reason: 'r' })).toBe(
      'business: 7\nmembers:\n  - email: a@b.example\n    role: admin\n    reason: r # none yet\n',
    );
  });

  it('falls back to the Document API for layouts it does not splice (flow maps), still with the right value', () => {
    const flow = 'business: 7\nmembers:\n  - {email: a@b.example, role: admin, reason: r}\n';
    const out = upsertMember(flow, { email: 'a@b.example', role: 'employee', reason: 'moved' });
    expect(state(out).value?.businesses[0]?.members).toMatchObject([
      { email: 'a@b.example', role: 'employee', reason: 'moved' },
    ]);
  });

  it('refuses text that is not YAML', () => {
    expect(() =>
      upsertMember('business: [1\n', { email: 'a@b.example', role: 'admin', reason: 'r' }),
    ).toThrow(RolecallError);
  });

  it('property: any sequence of upserts yields exactly the requested entries, comments kept', () => {
    const comments = ACME.split('\n').filter((l) => l.trim().startsWith('#'));
    const edit: fc.Arbitrary<MemberUpsert> = fc
      .record({
        email: fc.constantFrom(
          'alice@acme.example',
          'BOB@contractors.example',
          'new@acme.example',
          'x@cpa-partners.example',
        ),
        role: fc.constantFrom(...POLICY_ROLES),
        reason: fc.string({ minLength: 1, maxLength: 40 }),
        expires: fc.constantFrom('', '2027-01-31', '2026-12-24T17:30:00+01:00'),
        ticket: fc.oneof(fc.constant(''), fc.stringMatching(/^[A-Z]{2,5}-[0-9]{1,4}$/)),
      })
      // '' stands for "not given" (exactOptionalPropertyTypes: absent, never undefined).
      .map(({ expires, ticket, ...rest }) => ({
        ...rest,
        ...(expires ? { expires } : {}),
        ...(ticket ? { ticket } : {}),
      }));
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        let text = ACME;
        for (const e of edits) text = upsertMember(text, e);
        const members = (parseYaml(text) as { members: Array<Record<string, string>> }).members;
        const last = new Map(edits.map((e) => [e.email.toLowerCase(), e]));
        for (const [email, e] of last) {
          const entries = members.filter((m) => m['email']?.toLowerCase() === email);
          expect(entries).toHaveLength(1);
          expect(entries[0]).toMatchObject({ role: e.role, reason: e.reason });
          if (e.expires !== undefined) expect(entries[0]?.['expires']).toBe(e.expires);
          if (e.ticket !== undefined) expect(entries[0]?.['ticket']).toBe(e.ticket);
        }
        for (const comment of comments) expect(text).toContain(comment);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps the example policy byte-identical outside the edited line', () => {
    const out = upsertMember(ACME, {
      email: 'grace@acme.example',
      role: 'manager',
      reason: 'Accounts receivable',
    });
    expect(lineChanges(ACME, out)).toEqual({
      removed: ['    role: employee'],
      added: ['    role: manager'],
    });
  });
});

describe('removeMembers', () => {
  it('removes a member entry and one adjacent blank line; comments stay', () => {
    const out = removeMembers(SMALL, ['bob@contractors.example']);
    expect(out).toBe(
      SMALL.replace(
        `\n  - email: Bob@Contractors.example\n    role: contractor\n    expires: 2027-03-31  # end of audit\n    reason: Audit\n    ticket: FIN-42\n`,
        '',
      ),
    );
    expect(out).toContain('# Seasonal');
    expect(out).toContain('  # Admins\n  - email: alice@acme.example');
  });

  it('removes people from flow and block team lists', () => {
    const out = removeMembers(SMALL, ['ELI@acme.example', 'gus@acme.example']);
    expect(lineChanges(SMALL, out)).toEqual({
      removed: [
        '    members: [dana@acme.example, eli@acme.example, fay@acme.example] # flow list',
        '      - gus@acme.example # first',
      ],
      added: ['    members: [dana@acme.example, fay@acme.example] # flow list'],
    });
  });

  it('leaves an empty list as [] when everyone goes', () => {
    const out = removeMembers(SMALL, ['gus@acme.example', 'hal@acme.example']);
    expect(lineChanges(SMALL, out)).toEqual({
      removed: ['    members:', '      - gus@acme.example # first', '      - hal@acme.example'],
      added: ['    members: []'],
    });
    expect(
      state(out).value?.businesses[0]?.members.some((m) => m.email === 'gus@acme.example'),
    ).toBe(false);
  });

  it('returns the text unchanged when nobody matches, and never touches rules.protected', () => {
    expect(removeMembers(SMALL, ['nobody@acme.example'])).toBe(SMALL);
    expect(removeMembers(ACME, ['olivia@acme.example'])).toBe(ACME);
  });

  it('property: removing any subset of the example members gives exactly the rest, with every comment kept', () => {
    const all = state(ACME).value?.businesses[0]?.members.map((m) => m.email) ?? [];
    expect(all).toHaveLength(13);
    const comments = ACME.split('\n').filter((l) => l.trim().startsWith('#'));
    fc.assert(
      fc.property(fc.subarray(all), (gone) => {
        const out = removeMembers(ACME, gone);
        const left = state(out).value?.businesses[0]?.members.map((m) => m.email);
        expect(left).toEqual(all.filter((e) => !gone.includes(e)));
        for (const comment of comments) expect(out).toContain(comment);
        // A splice, not a re-serialisation: every surviving line is an original line.
        const original = new Set(ACME.split('\n'));
        // (Except `members: []` where a list was emptied.)
        for (const line of out.split('\n'))
          if (!line.endsWith('members: []')) expect(original.has(line)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});
