/**
 * The approval rules in force *before* the merge. A pull request can edit `approvals:` in the
 * same change it asks approval for; if only the merged rules counted, it could lower its own
 * bar (`required: 0`, a team rule removed) and grant access nobody with authority reviewed. So
 * `apply --github` checks the rules at the merge commit *and* the rules at the commit the push
 * replaced (the push event's `before`): a pull request that relaxes the rules must satisfy the
 * old ones. A business that did not exist before (a new policy file), or policies that cannot
 * be read or do not validate there, get the default rule — one approval — as the floor.
 *
 * The old policies are read from git (`readPoliciesAtCommit`, as `rolecall request` reads its
 * base) and go through the same validator as every policy; nothing in the working tree changes.
 */
import { isAbsolute, relative } from 'node:path';
import { canonicalJson } from '../canonical.js';
import { RolecallError } from '../errors.js';
import { DEFAULT_APPROVAL_RULES } from '../github/approval-gate.js';
import { resolveCommit } from '../git/repo-info.js';
import { readPoliciesAtCommit, type PolicySnapshot } from '../jit/policy-snapshot.js';
import { validateDocuments } from '../policy/validate-documents.js';
import type { ApprovalRules } from '../types.js';

export interface RulesBeforeMerge {
  /** The commit the rules were read at, or `null` when there is none. */
  base: string | null;
  /** The rules of a business at `base`; the default rule where there are none. */
  rulesFor(businessId: number): ApprovalRules;
  /** Why the default stands in for every business (unreadable or invalid policies), if it does. */
  note: string | null;
}

const ZERO_SHA = /^0+$/;

/**
 * `before`: the push event's previous tip of the branch. Without one (a run outside a push
 * event), the merge commit's first parent — the base branch before a merge or squash merge.
 */
export async function rulesBeforeMerge(
  cwd: string,
  options: { policiesDir: string; mergeCommitSha: string; before: string | null; now: Date },
): Promise<RulesBeforeMerge> {
  let base: string | null = null;
  const candidate =
    options.before && !ZERO_SHA.test(options.before)
      ? options.before
      : `${options.mergeCommitSha}^1`;
  try {
    base = await resolveCommit(cwd, candidate);
  } catch {
    base = null;
  }
  const fallback = (note: string | null): RulesBeforeMerge => ({
    base,
    rulesFor: () => DEFAULT_APPROVAL_RULES,
    note,
  });
  if (base === null) {
    return fallback(
      options.before && !ZERO_SHA.test(options.before)
        ? `the commit before the merge (${options.before.slice(0, 12)}) is not in this clone (check out with fetch-depth: 0): the default rule (one approval) stands in for the earlier rules`
        : null,
    );
  }

  let snapshot: PolicySnapshot;
  try {
    const dir = isAbsolute(options.policiesDir)
      ? relative(cwd, options.policiesDir) || '.'
      : options.policiesDir;
    snapshot = await readPoliciesAtCommit(cwd, dir, base);
  } catch (error) {
    // No policy file at all before the merge: every business is new, the default rule stands.
    if (error instanceof RolecallError && error.code === 'NO_POLICIES') return fallback(null);
    return fallback(
      `the policies at ${base.slice(0, 12)} (before the merge) could not be read: the default rule (one approval) stands in for their approval rules`,
    );
  }
  const loaded = validateDocuments(snapshot.sources, { now: options.now });
  if (snapshot.problems.length > 0 || !loaded.value) {
    return fallback(
      `the policies at ${base.slice(0, 12)} (before the merge) do not validate: the default rule (one approval) stands in for their approval rules`,
    );
  }
  const byBusiness = new Map(
    loaded.value.businesses.map((b) => [b.businessId, b.approvals ?? DEFAULT_APPROVAL_RULES]),
  );
  return {
    base,
    rulesFor: (id) => byBusiness.get(id) ?? DEFAULT_APPROVAL_RULES,
    note: null,
  };
}

/** True when two rule sets are the same rules (a missing set is the default). */
export function sameRules(a: ApprovalRules | undefined, b: ApprovalRules | undefined): boolean {
  return canonicalJson(a ?? DEFAULT_APPROVAL_RULES) === canonicalJson(b ?? DEFAULT_APPROVAL_RULES);
}
