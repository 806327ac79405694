/**
 * Where the default branch's rules come from: its branch protection and every active ruleset
 * that applies to it. GitHub enforces all of them together, so a requirement holds when any
 * source holds it — for everyone that source does not let bypass it.
 */
import type {
  BranchProtection,
  BranchRule,
  GitHubSettings,
  PullRequestRule,
  Read,
  RulesetDetail,
  Unreadable,
} from './facts.js';

export interface RuleSource {
  /** `the branch protection of main`, `ruleset "Protect main" (id 42)`. */
  name: string;
  kind: 'protection' | 'ruleset';
  pullRequest: PullRequestRule | null;
  statusChecks: ReadonlySet<string>;
  blocksForcePush: boolean;
  blocksDeletion: boolean;
  /** Who may bypass it: empty when nobody; `null` when GitHub did not show it. */
  bypass: string[] | null;
  /** Why the bypass list is unknown, when it is. */
  bypassUnreadable?: Unreadable;
}

/** A source that could not be read: it may hold a requirement nobody can see. */
export interface HiddenSource {
  what: string;
  read: Unreadable;
}

export interface BranchSources {
  branch: string;
  sources: RuleSource[];
  hidden: HiddenSource[];
  /** What could be read: the branch protection, the rulesets. */
  read: { protection: boolean; rules: boolean };
}

export function branchSources(github: GitHubSettings, branch: string): BranchSources {
  const sources: RuleSource[] = [];
  const hidden: HiddenSource[] = [];
  if (github.protection.ok) {
    if (github.protection.value) sources.push(fromProtection(github.protection.value, branch));
  } else {
    hidden.push({ what: `the branch protection of ${branch}`, read: github.protection });
  }
  if (github.rules.ok) {
    sources.push(...fromRules(github.rules.value, github.rulesets));
  } else {
    hidden.push({ what: `the rulesets that apply to ${branch}`, read: github.rules });
  }
  return {
    branch,
    sources,
    hidden,
    read: { protection: github.protection.ok, rules: github.rules.ok },
  };
}

function fromProtection(protection: BranchProtection, branch: string): RuleSource {
  const bypass: string[] = [];
  if (!protection.enforceAdmins) {
    bypass.push('repository administrators ("Do not allow bypassing the above settings" is off)');
  }
  if (protection.pullRequest && protection.pullRequest.bypass.length > 0) {
    bypass.push(
      ...protection.pullRequest.bypass.map((who) => `${who} (allowed to bypass pull requests)`),
    );
  }
  const pullRequest = protection.pullRequest;
  return {
    name: `the branch protection of ${branch}`,
    kind: 'protection',
    pullRequest: pullRequest
      ? {
          approvals: pullRequest.approvals,
          dismissStale: pullRequest.dismissStale,
          codeOwners: pullRequest.codeOwners,
          lastPush: pullRequest.lastPush,
        }
      : null,
    statusChecks: new Set(protection.statusChecks),
    blocksForcePush: !protection.allowForcePushes,
    blocksDeletion: !protection.allowDeletions,
    bypass,
  };
}

function fromRules(
  rules: readonly BranchRule[],
  rulesets: Record<string, Read<RulesetDetail>>,
): RuleSource[] {
  const byRuleset = new Map<string, BranchRule[]>();
  for (const rule of rules) {
    const key = String(rule.rulesetId ?? 'unknown');
    byRuleset.set(key, [...(byRuleset.get(key) ?? []), rule]);
  }
  return [...byRuleset].map(([id, own]) => {
    const detail = rulesets[id];
    const name = detail?.ok ? `ruleset "${detail.value.name}" (id ${id})` : `ruleset ${id}`;
    const pullRequests = own.flatMap((r) => (r.pullRequest ? [r.pullRequest] : []));
    const source: RuleSource = {
      name,
      kind: 'ruleset',
      pullRequest: pullRequests.length > 0 ? strictest(pullRequests) : null,
      statusChecks: new Set(own.flatMap((r) => r.statusChecks)),
      blocksForcePush: own.some((r) => r.type === 'non_fast_forward'),
      blocksDeletion: own.some((r) => r.type === 'deletion'),
      bypass: null,
    };
    if (detail?.ok && detail.value.bypassActors !== null) {
      source.bypass = detail.value.bypassActors.map(
        (actor) =>
          `${actor.type}${actor.id === null ? '' : ` ${actor.id}`}${actor.mode === 'always' ? '' : ` (${actor.mode})`}`,
      );
    } else if (detail && !detail.ok) {
      source.bypassUnreadable = detail;
    }
    return source;
  });
}

/** Several pull-request rules of one ruleset: GitHub applies the strictest of each setting. */
function strictest(rules: readonly PullRequestRule[]): PullRequestRule {
  return {
    approvals: Math.max(...rules.map((r) => r.approvals)),
    dismissStale: rules.some((r) => r.dismissStale),
    codeOwners: rules.some((r) => r.codeOwners),
    lastPush: rules.some((r) => r.lastPush),
  };
}
