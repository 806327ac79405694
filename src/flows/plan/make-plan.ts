/**
 * What `rolecall plan`, `plan --github` and the demo share: load and validate the policies,
 * decide which businesses are in scope, read them live (or from a snapshot), plan. One code
 * path, so that what a person sees locally is what the pull request shows.
 *
 * Invariant: the policies are validated before anything talks to FreshBooks (`loadPolicies`
 * throws first), and a run with nothing in scope sends no request at all.
 */
import { toolVersion } from '../../paths.js';
import { buildPlan } from '../../plan/build-plan.js';
import type { AccessReader } from '../../ports.js';
import type { DesiredState, LiveState, Plan } from '../../types.js';
import type { Console } from '../../ports.js';
import {
  type ConnectionOptions,
  liveSourceOf,
  loadPolicies,
  type PoliciesAt,
  policyCommitsOf,
  readLive,
  selectBusinesses,
} from '../context.js';
import { changedScope, type ChangedScope } from './changed-scope.js';

export interface MakePlanOptions extends ConnectionOptions {
  policiesDir: string;
  now: Date;
  /** `--business`: plan only these (each must be named by a policy). */
  businessIds?: readonly number[];
  /** `--changed-since REF`: plan only the businesses whose policy files changed since REF. */
  changedSince?: string;
  /** `--live FILE`: an offline snapshot instead of FreshBooks. */
  liveFile?: string;
  /** An open reader (the demo's sandbox connection); wins over opening a connection. */
  reader?: AccessReader;
  /** Measure `maxDuration` from git blame (the JIT rule). Default true. */
  grantTimesFromGit?: boolean;
  /**
   * Plan the policies of this commit, read from git objects (`plan --github` under
   * `pull_request_target`: the pull request's head, never checked out). Only where the policies
   * and their blame come from changes, and the scope diff ends at this commit instead of HEAD.
   */
  policiesAt?: PoliciesAt;
  /** Policies the caller already loaded (and validated) from `policiesDir`: not read again. */
  desired?: DesiredState;
}

export interface MadePlan {
  plan: Plan;
  /** Every policy, validated (not only those in scope): apply needs their rules. */
  desired: DesiredState;
  live: LiveState | null;
  /** Set with `changedSince`. */
  scope: ChangedScope | null;
}

export async function makePlan(io: Console, options: MakePlanOptions): Promise<MadePlan> {
  const desired =
    options.desired ??
    (await loadPolicies(io, {
      dir: options.policiesDir,
      now: options.now,
      grantTimesFromGit: options.grantTimesFromGit ?? true,
      ...(options.policiesAt ? { at: options.policiesAt } : {}),
    }));
  let inScope = selectBusinesses(desired, options.businessIds ?? []);
  let scope: ChangedScope | null = null;
  if (options.changedSince !== undefined) {
    scope = await changedScope(io.cwd, desired, {
      base: options.changedSince,
      policiesDir: options.policiesDir,
      ...(options.policiesAt ? { head: options.policiesAt.sha } : {}),
    });
    const changed = new Set(scope.businessIds);
    inScope = { businesses: inScope.businesses.filter((b) => changed.has(b.businessId)) };
  }
  const ids = inScope.businesses.map((b) => b.businessId);

  let live: LiveState | null = null;
  if (ids.length > 0) {
    const source =
      options.liveFile === undefined && options.reader !== undefined
        ? { reader: options.reader }
        : liveSourceOf(options);
    live = await readLive(io, source, ids, options.now);
  }
  const plan = buildPlan({
    desired,
    // Nothing in scope: an empty live state; `buildPlan` plans no business.
    live: live ?? {
      version: 1,
      syncedAt: options.now.toISOString(),
      identity: { identityId: 0, email: '' },
      businesses: [],
    },
    now: options.now,
    toolVersion: toolVersion(),
    policyCommits:
      ids.length > 0 ? await policyCommitsOf(io, inScope, options.policiesAt?.sha) : {},
    businessIds: ids,
  });
  return { plan, desired, live, scope };
}
