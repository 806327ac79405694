import { describe, expect, it } from 'vitest';
import {
  buildPlan,
  comparePlans,
  planChangesDigest,
  planChangesOnly,
} from '../../../src/plan/index.js';
import type { DesiredMember, DesiredState } from '../../../src/types.js';
import { acmeExample, desiredBusiness, desiredMember } from '../../support/builders.js';

const { desired, live, now } = acmeExample();
const base = desired.businesses[0]!;

function withMembers(
  edit: (members: DesiredMember[]) => DesiredMember[],
  extra: Parameters<typeof desiredBusiness>[0] = {},
): DesiredState {
  return {
    businesses: [
      desiredBusiness({
        name: base.name!,
        rules: base.rules,
        members: edit(base.members.map((member) => ({ ...member }))),
        ...extra,
      }),
    ],
  };
}
const planOf = (state: DesiredState, at = now) =>
  buildPlan({ desired: state, live, now: at, toolVersion: '0.1.0' });

describe('comparePlans', () => {
  const approved = planOf(desired);

  it('finds no difference between re-plans of the same thing, whenever they were made', () => {
    const later = planOf(desired, new Date(now.getTime() + 3_600_000));
    expect(later.digest).not.toBe(approved.digest);
    expect(comparePlans(approved, later)).toEqual([]);
    expect(planChangesDigest(later)).toBe(planChangesDigest(approved));
  });

  it('ignores shifted policy lines (a merge above the entry) but not what is applied', () => {
    const shifted = withMembers((members) =>
      members.map((member) => ({
        ...member,
        source: { ...member.source, line: member.source.line + 3 },
      })),
    );
    const shiftedPlan = planOf(shifted);
    expect(shiftedPlan.businesses[0]!.changes[0]!.source).not.toEqual(
      approved.businesses[0]!.changes[0]!.source,
    );
    expect(comparePlans(approved, shiftedPlan)).toEqual([]);
    expect(planChangesDigest(shiftedPlan)).toBe(planChangesDigest(approved));
  });

  it('lists added, removed and changed changes, one line each', () => {
    const edited = withMembers((members) => [
      ...members
        .filter((member) => member.email !== 'eli@acme.example') // grant removed
        .map((member) =>
          member.email === 'grace@acme.example'
            ? { ...member, role: 'unassigned' as const }
            : member,
        ), // change differs
      desiredMember('zoe@acme.example', 'employee'), // revoke removed
      desiredMember('new@acme.example', 'admin'), // grant added
    ]);
    const next = planOf(edited);
    expect(comparePlans(approved, next)).toEqual([
      'Acme Books Inc. (240340): removed: grant accountant eli@acme.example',
      'Acme Books Inc. (240340): changed: grace@acme.example: was change manager → employee (downgrade); now change manager → unassigned (downgrade)',
      'Acme Books Inc. (240340): removed: revoke employee zoe@acme.example',
      'Acme Books Inc. (240340): added: grant admin new@acme.example',
    ]);
    expect(planChangesDigest(next)).not.toBe(planChangesDigest(approved));
  });

  it('shows a change in a secondary field (expiry) rather than "was X, now X"', () => {
    const edited = withMembers((members) =>
      members.map((member) =>
        member.email === 'eli@acme.example'
          ? { ...member, expires: '2026-06-01T00:00:00.000Z' }
          : member,
      ),
    );
    expect(comparePlans(approved, planOf(edited))).toEqual([
      'Acme Books Inc. (240340): changed: eli@acme.example: was grant accountant [no expiry]; now grant accountant [until 2026-05-31]',
    ]);
  });

  it('reports guard verdicts and applyability that changed', () => {
    const everyoneGone = planOf({
      businesses: [desiredBusiness({ name: base.name!, rules: base.rules, members: [] })],
    });
    const lines = comparePlans(approved, everyoneGone);
    expect(lines).toContain('Acme Books Inc. (240340): guard minAdmins: passed → failed');
    expect(lines).toContain('Acme Books Inc. (240340): guard maxRevokes: passed → failed');
    expect(lines).toContain('Acme Books Inc. (240340): guard self: passed → failed');
    expect(lines.at(-1)).toBe('Acme Books Inc. (240340): applyable: yes → no');

    const overridden = planOf({
      businesses: [
        desiredBusiness({
          name: base.name!,
          rules: base.rules,
          members: [],
          overrides: [{ guard: 'maxRevokes', ticket: 'SEC-1' }],
        }),
      ],
    });
    expect(comparePlans(everyoneGone, overridden)).toEqual([
      'Acme Books Inc. (240340): guard maxRevokes: failed → failed, overridden (SEC-1)',
    ]);
  });

  it('reports businesses that appear or disappear', () => {
    const empty = { ...approved, businesses: [] };
    expect(comparePlans(empty, approved)).toEqual([
      'Acme Books Inc. (240340): not in the approved plan (now 6 changes)',
    ]);
    expect(comparePlans(approved, empty)).toEqual([
      'Acme Books Inc. (240340): no longer in the plan (had 6 changes)',
    ]);
  });

  it('projects a plan to what it does', () => {
    const effect = planChangesOnly(approved);
    expect(Object.keys(effect.businesses[0]!)).toEqual([
      'businessId',
      'mode',
      'applyable',
      'changes',
      'guards',
    ]);
    expect(effect.businesses[0]!.changes.every((change) => !('source' in change))).toBe(true);
    expect(effect.businesses[0]!.guards[0]).toEqual({ guard: 'protected', ok: true });
  });
});
