/**
 * A policy repository as one object (HEAD and dirtiness of the policy files), backed by git.
 * Only the tests use this shape; the flows call `commitOf` directly.
 */
import { commitOf } from '../../src/git/commit-of.js';
import type { PolicyCommit } from '../../src/types.js';

export interface PolicyRepository {
  /** HEAD sha and whether the policy files have uncommitted changes. */
  commitOf(paths: string[]): Promise<PolicyCommit>;
}

/** The repository at `repoDir`. */
export function gitPolicyRepository(repoDir: string): PolicyRepository {
  return { commitOf: (paths) => commitOf(repoDir, paths) };
}
