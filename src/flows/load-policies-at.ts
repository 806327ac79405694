/**
 * The policies of a commit, read from git objects and validated exactly like the working tree's
 * (`loadDesiredState`): same discovery rules, same file names relative to the working
 * directory, so diagnostics and annotations point at the same `policies/…:line:col`.
 *
 * Why: `plan --github` under `pull_request_target` and `validate --at` judge a pull request's
 * policies without checking the pull request out. The job runs rolecall built from the default
 * branch; the pull request's head is in the clone as objects only (`git fetch
 * +refs/pull/N/head:…`), and nothing from it is ever written to the working tree, built or
 * run — only the YAML under the policy directory is read, as data.
 */
import { RolecallError } from '../errors.js';
import { commitIsPresent } from '../git/commit-present.js';
import { readPoliciesAtCommit, type PolicySnapshot } from './policy-snapshot.js';
import { validateReadInWorkers, type LoadedDesiredState } from '../policy/load-desired-state.js';
import { problem } from '../policy/read-policy-files.js';
import type { ValidateOptions } from '../policy/validate-documents.js';

/** The fetch that brings a pull request's head in as objects only (plan.yml runs it). */
export function pullRequestFetch(number: number | 'N'): string {
  return `git fetch --no-tags origin "+refs/pull/${number}/head:refs/remotes/rolecall/pr-head"`;
}

/**
 * The policy files under `dir` in commit `sha` (a full sha). `missing` says how to get the
 * commit when it is not in the clone (the error names it). A commit without policy files gives
 * a `NO_POLICIES` problem, as the working-tree loader does.
 */
export async function readPoliciesAt(
  cwd: string,
  dir: string,
  sha: string,
  missing: string,
): Promise<PolicySnapshot> {
  if (!(await commitIsPresent(cwd, sha))) {
    throw new RolecallError(
      'GIT_COMMIT_MISSING',
      `commit ${sha} is not in this clone, so its policies cannot be read. ${missing}`,
    );
  }
  try {
    return await readPoliciesAtCommit(cwd, dir, sha);
  } catch (error) {
    if (error instanceof RolecallError && error.code === 'NO_POLICIES') {
      return { sources: [], problems: [problem('NO_POLICIES', error.message)] };
    }
    throw error;
  }
}

/** Validates a snapshot: `loadDesiredState`'s result for files read from git. */
export function validateSnapshot(
  snapshot: PolicySnapshot,
  options: ValidateOptions,
): Promise<LoadedDesiredState> {
  const files = new Set(snapshot.sources.map((s) => s.file));
  for (const p of snapshot.problems) if (p.source) files.add(p.source.file);
  return validateReadInWorkers(snapshot.sources, snapshot.problems, [...files].sort(), options);
}
