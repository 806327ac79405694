/**
 * What a merge does to the policies, judged against the last *approved* policies
 * (trusted-policies.ts), not the merge's parent: a merged but refused change never becomes the
 * bar the next one is judged by.
 */
import { resolveCommit } from '../../git/repo-info.js';
import type { GitHubSession } from '../../github/session.js';
import { diffPolicies, type BusinessPolicyChange } from '../../plan/policy-changes.js';
import type { Console } from '../../ports.js';
import type { DesiredState } from '../../types.js';
import { githubApprovalLookup } from '../github-approval-lookup.js';
import { trustedPolicies, type TrustedPolicies } from '../trusted-policies.js';

export interface ChangesSinceApproval {
  trusted: TrustedPolicies;
  /** Empty when the approved policies cannot be used (`trusted.problem` refuses instead). */
  policyChanges: BusinessPolicyChange[];
}

export async function changesSinceApproval(
  io: Console,
  options: {
    policiesDir: string;
    /** The merge commit. */
    sha: string;
    /** The policies at the merge commit. */
    merged: DesiredState;
    now: Date;
    session: Pick<GitHubSession, 'octokit' | 'repo' | 'identity'>;
  },
): Promise<ChangesSinceApproval> {
  const parent = await parentOf(io.cwd, options.sha);
  const trusted: TrustedPolicies = parent
    ? await trustedPolicies(io.cwd, {
        policiesDir: options.policiesDir,
        from: parent,
        now: options.now,
        lookup: githubApprovalLookup(options.session),
      })
    : { commit: null, desired: null, problem: null, unapproved: [] };
  if (trusted.unapproved.length > 0) {
    io.stderr.write(
      `note: judged against the last approved policies (${trusted.commit?.slice(0, 12) ?? 'none'}): ` +
        `${trusted.unapproved.length} later change(s) to the policies were never approved and are judged with this one.\n`,
    );
  }
  return {
    trusted,
    policyChanges: trusted.problem ? [] : diffPolicies(trusted.desired, options.merged),
  };
}

/** The merge commit's first parent (the branch before the merge), or `null` for a root commit. */
async function parentOf(cwd: string, sha: string): Promise<string | null> {
  try {
    return await resolveCommit(cwd, `${sha}^1`);
  } catch {
    return null;
  }
}
