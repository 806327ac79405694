import fc from 'fast-check';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  oneLine,
  renderImportedPolicy,
  scalar,
  type ImportOptions,
} from '../../../src/import/render-imported-policy.js';
import { buildPlan } from '../../../src/plan/build-plan.js';
import { validateDocuments } from '../../../src/policy/load-desired-state.js';
import type { LiveBusiness } from '../../../src/types.js';
import {
  ACME_IDENTITY,
  TEST_NOW,
  liveBusiness,
  liveMember,
  liveState,
} from '../../support/builders.js';

const OPTIONS: ImportOptions = {
  importedAt: '2026-05-01T09:00:00.000Z',
  toolVersion: '0.1.0',
  schemaRef: '../schemas/policy.schema.json',
  identityEmail: ACME_IDENTITY.email,
};

/** Render, validate as `rolecall validate` would, and plan the result against the same team. */
function roundTrip(business: LiveBusiness) {
  const imported = renderImportedPolicy(business, OPTIONS);
  const checked = validateDocuments([{ file: 'policies/imported.yaml', text: imported.text }], {
    now: TEST_NOW,
  });
  const plan =
    checked.value === undefined
      ? undefined
      : buildPlan({
          desired: checked.value,
          live: liveState({ businesses: [business] }),
          now: TEST_NOW,
          toolVersion: '0.1.0',
        });
  return { imported, checked, plan };
}

const holdings = () =>
  liveBusiness({
    businessId: 240341,
    name: 'Acme Holdings LLC',
    accountId: 'Hd7Lm3',
    members: [
      liveMember('olivia@acme.example', 'owner', { firstName: 'Olivia', lastName: 'Park' }),
      liveMember('alice@acme.example', 'admin', { firstName: 'Alice', lastName: 'Moreau' }),
      liveMember('tom@acme.example', 'employee', { firstName: 'Tom', lastName: 'Berg' }),
    ],
  });

describe('renderImportedPolicy', () => {
  it('suggests a seats block that, uncommented, validates and plans the seats in use now', () => {
    const business = holdings();
    const text = renderImportedPolicy(business, OPTIONS).text.replace('\n# seats: {', '\nseats: {');
    const checked = validateDocuments([{ file: 'policies/imported.yaml', text }], {
      now: TEST_NOW,
    });
    expect(checked.errors).toEqual([]);
    const plan = buildPlan({
      desired: checked.value!,
      live: liveState({ businesses: [business] }),
      now: TEST_NOW,
      toolVersion: '0.1.0',
    });
    expect(plan.businesses[0]?.seats).toMatchObject({ before: 2, after: 2, limit: 2, cost: 22 });
    expect(plan.businesses[0]?.applyable).toBe(true);
  });

  it('writes a commented, authoritative policy with the owner protected (the whole file)', () => {
    expect(renderImportedPolicy(holdings(), OPTIONS).text).toMatchInlineSnapshot(`
      "# yaml-language-server: $schema=../schemas/policy.schema.json
      #
      # Who has access to the FreshBooks business "Acme Holdings LLC", imported from live
      # FreshBooks by \`rolecall import\` (rolecall 0.1.0) on 2026-05-01T09:00:00.000Z.
      #
      # It lists access exactly as it is today, so \`rolecall plan\` finds no changes. Before merging it,
      # review every entry (search for "review:"):
      #   - Does this person still need access, with this role? Remove or change the entry if not;
      #     the next plan then shows the revoke or the change for approval.
      #   - Add \`reason:\` (and \`ticket:\`) to each entry, then turn on \`requireReason\` below.
      #   - Time-bound access (contractors, auditors): add \`expires:\`.
      #   - Pending invitations are listed too; one nobody accepted for weeks may be stale.
      #   - The people under "Not imported" at the end need a decision by hand.

      business: 240341 # FreshBooks business_id (account Hd7Lm3)
      name: Acme Holdings LLC
      mode: authoritative # people in FreshBooks but not listed here are revoked

      rules:
        # The owner is never changed or removed (and cannot be granted).
        protected: [olivia@acme.example]
        minAdmins: 1 # owner + admins that must remain after any change; raise it if you can
        # maxRevokes: { count: 5, fraction: 0.25 } # refuse mass removals (fraction 0.25 is the default)
        # allowedDomains: [example.com] # only these email domains may be granted
        # requireReason: true # turn on once every entry below says why

      # Paid team-member seats in use today: 2 (every role but unassigned; FreshBooks shows
      # "N out of M" under Team Members). Declare them to see what every change costs:
      # seats: { limit: 2, price: { amount: 11, currency: USD, per: month } }

      members:
        # Administrators
        - email: alice@acme.example # Alice Moreau, active since 2025-01-15
          role: admin
          # review: why does alice@acme.example need admin? (rolecall’s API token belongs to this person: never revoked or downgraded by a plan; admins can manage the whole team)

        # Employees
        - email: tom@acme.example # Tom Berg, active since 2025-01-15
          role: employee
          # review: why does tom@acme.example need employee?
      "
    `);
  });

  it('lists current members by role; the owner, deactivated, unknown-role and unusable addresses become comments', () => {
    // The look-alike address is the one case where the round trip is not empty: a policy cannot
    // list it, so the authoritative plan revokes it, and the file says so loudly.
    const business = liveBusiness({
      members: [
        liveMember('olivia@acme.example', 'owner'),
        liveMember('hana@acme.example', 'employee', { state: 'invited' }),
        liveMember('jules@acme.example', 'unassigned', { state: 'deactivated' }),
        liveMember('pat@acme.example', 'time_tracking_admin'),
        liveMember('аlice@acme.example', 'admin'), // Cyrillic а: a look-alike
        liveMember('bob@contractors.example', 'contractor'),
        liveMember('kim@cpa-partners.example', 'accountant'),
      ],
    });
    const { imported, checked, plan } = roundTrip(business);
    expect(checked.errors).toEqual([]);
    expect(imported.members.map((m) => `${m.role} ${m.email} ${m.state}`)).toEqual([
      'accountant kim@cpa-partners.example active',
      'employee hana@acme.example invited',
      'contractor bob@contractors.example active',
    ]);
    expect(imported.protected).toEqual(['olivia@acme.example']);
    expect(imported.skipped.map((s) => s.email)).toEqual([
      'jules@acme.example',
      'pat@acme.example',
      'аlice@acme.example',
    ]);
    expect(imported.text).toContain('#   pat@acme.example: has the role "time_tracking_admin"');
    expect(imported.text).toContain(
      '#   jules@acme.example: deactivated: listing them would invite them again',
    );
    expect(imported.text).toContain('(never accepted the invitation)');
    expect(imported.skipped.map((s) => s.revokedByPlan ?? false)).toEqual([false, false, true]);
    expect(imported.text).toMatch(
      /# {3}аlice@acme\.example: email "\\u\{0430\}lice@acme\.example" contains U\+0430 .*the first plan proposes to REVOKE it/,
    );
    expect(plan?.businesses[0]?.changes.map((c) => `${c.action} ${c.email}`)).toEqual([
      'revoke аlice@acme.example',
    ]);
    expect(plan?.businesses[0]?.unmanaged.map((m) => m.email)).toEqual(['pat@acme.example']);
  });

  it('a second record with the same address: the one the planner manages is listed, the other noted', () => {
    const business = liveBusiness({
      members: [
        liveMember('olivia@acme.example', 'owner'),
        liveMember('dup@acme.example', 'employee', {
          uuid: '00000000-0000-4000-a000-000000000001',
          state: 'invited',
        }),
        liveMember('dup@acme.example', 'manager', { uuid: '00000000-0000-4000-a000-000000000002' }),
      ],
    });
    const { imported, checked, plan } = roundTrip(business);
    expect(checked.errors).toEqual([]);
    expect(imported.members.map((m) => `${m.email} ${m.role} ${m.state}`)).toEqual([
      'dup@acme.example manager active',
    ]);
    expect(imported.skipped[0]?.why).toContain(
      'a second FreshBooks record for this address (employee, invited)',
    );
    expect(plan?.businesses[0]?.changes).toEqual([]);
  });

  it('data from FreshBooks cannot inject YAML: names with line breaks stay inside comments', () => {
    const business = liveBusiness({
      name: 'Evil\nmembers:\n  - email: x@evil.example',
      members: [
        liveMember('olivia@acme.example', 'owner'),
        liveMember('eve@acme.example', 'employee', {
          firstName: 'Eve\n  - email: mallory@evil.example\n    role: admin',
          lastName: '\u2028role: admin\r#',
        }),
      ],
    });
    const { imported, checked } = roundTrip(business);
    expect(checked.errors).toEqual([]);
    const members = checked.value?.businesses[0]?.members.map((m) => `${m.email} ${m.role}`);
    expect(members).toEqual(['eve@acme.example employee']);
    expect(checked.value?.businesses[0]?.name).toBe('Evil members: - email: x@evil.example');
    for (const line of imported.text.split('\n')) expect(line).not.toMatch(/^\s*-?\s*role: admin/);
  });

  it('a team of only the owner imports as `members: []`', () => {
    const business = liveBusiness({ members: [liveMember('olivia@acme.example', 'owner')] });
    const { imported, checked, plan } = roundTrip(business);
    expect(imported.text).toContain('members: []');
    expect(checked.errors).toEqual([]);
    expect(plan?.businesses[0]?.changes).toEqual([]);
  });

  it('property: any team imports to a valid policy whose plan against that team is empty', () => {
    const word = fc
      .constantFrom('ann', 'bo', 'cy', 'dee', 'ed', 'fay', 'gus', 'hal')
      .chain((w) => fc.constantFrom(w, `${w}2`, `${w}.x`));
    const email = fc
      .tuple(word, fc.constantFrom('acme.example', 'contractors.example', 'x.example'))
      .map(([local, domain]) => `${local}@${domain}`);
    const role = fc.constantFrom(
      'admin',
      'manager',
      'accountant',
      'employee',
      'contractor',
      'unassigned',
      'time_tracking_admin',
    );
    const state = fc.constantFrom('active', 'invited', 'deactivated') as fc.Arbitrary<
      'active' | 'invited' | 'deactivated'
    >;
    const text = fc.string({ unit: 'binary', maxLength: 20 });
    const member = fc.record({ email, role, state, firstName: text });
    fc.assert(
      fc.property(
        // Not unique: the same address twice (two FreshBooks records) happens, and must round-trip.
        fc.array(member, { maxLength: 25 }),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
        (members, name) => {
          const business = liveBusiness({
            name,
            members: [
              liveMember('olivia@acme.example', 'owner'),
              ...members
                .filter((m) => m.email !== 'olivia@acme.example')
                .map((m, i) =>
                  liveMember(m.email, m.role, {
                    state: m.state,
                    firstName: m.firstName,
                    uuid: `00000000-0000-4000-a000-${String(i).padStart(12, '0')}`,
                  }),
                ),
            ],
          });
          const { checked, plan } = roundTrip(business);
          expect(checked.errors).toEqual([]);
          expect(plan?.businesses[0]?.changes).toEqual([]);
          expect(plan?.businesses[0]?.applyable).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('scalar and oneLine', () => {
  it.each([
    ['alice@acme.example', 'alice@acme.example'],
    ['Acme Books Inc.', 'Acme Books Inc.'],
    ['true', '"true"'],
    ['No', '"No"'],
    ['2024', '"2024"'],
    ['Acme: Inc', '"Acme: Inc"'],
    ['Acme #1', '"Acme #1"'],
    ["o'brien+ap@acme.example", "o'brien+ap@acme.example"],
    ['{x}@acme.example', '"{x}@acme.example"'],
    ['Café', '"Café"'],
  ])('scalar(%j) is %s and reads back as the same string', (input, expected) => {
    expect(scalar(input)).toBe(expected);
    expect(parse(`v: ${scalar(input)}`)).toEqual({ v: input });
  });

  it('oneLine flattens every kind of line break and control character, and bounds the length', () => {
    expect(oneLine('a\nb\r\nc\u2028d\u0085e\u0000f', 100)).toBe('a b c d e f');
    expect(oneLine('x'.repeat(50), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});
