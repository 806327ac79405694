/**
 * The default branch's rules: the gate GitHub keeps in front of rolecall's own. Each setting
 * the security model recommends is one check; a setting holds when some source (the branch
 * protection or a ruleset) holds it. A source the token could not read makes a missing setting
 * `?`, never a pass.
 */
import { fail, pass, unknown, type CheckResult } from './check-result.js';
import { branchSources, type BranchSources, type RuleSource } from './branch-sources.js';
import type { GitHubSettings, PolicyFacts } from './facts.js';
import { answer, permissionFix } from './unreadable.js';

interface Setting {
  id: string;
  why: string;
  /** The option in a branch protection rule, and in a ruleset. */
  protectionOption: string;
  rulesetOption: string;
  holds: (source: RuleSource) => boolean;
  /** What holding it looks like, for the pass line: `requires a pull request`. */
  present: string;
  /** What its absence looks like: `does not require a pull request`. */
  absent: string;
  /** More about the sources that have (or lack) it, e.g. how many approvals they require. */
  note?: (sources: readonly RuleSource[]) => string;
}

const PR = '"Require a pull request before merging"';

function settings(needed: number): Setting[] {
  return [
    {
      id: 'branch.pull-request',
      why: 'without it anyone with write access pushes to the default branch directly: apply refuses such a push, but the policies, the workflows and CODEOWNERS then change with nobody approving',
      protectionOption: PR,
      rulesetOption: PR,
      holds: (s) => s.pullRequest !== null,
      present: 'requires a pull request before merging',
      absent: 'does not require a pull request before merging',
    },
    {
      id: 'branch.approvals',
      why: "GitHub's count of approvals is the first gate; with fewer than the policies ask for, a change to the workflows or CODEOWNERS (which rolecall's own gate does not judge) merges with fewer eyes",
      protectionOption: `${PR} → "Require approvals", "Required number of approvals before merging": ${needed} or more`,
      rulesetOption: `${PR} → "Required approvals": ${needed} or more`,
      holds: (s) => (s.pullRequest?.approvals ?? 0) >= needed,
      present: 'requires enough approvals',
      absent: 'requires too few approvals',
      note: (sources) => {
        const most = Math.max(0, ...sources.map((s) => s.pullRequest?.approvals ?? 0));
        return ` (${most} required; the policies' lowest approvals.required is ${needed})`;
      },
    },
    {
      id: 'branch.dismiss-stale',
      why: 'an approval given before a new push would still count for code the approver never saw',
      protectionOption: `${PR} → "Dismiss stale pull request approvals when new commits are pushed"`,
      rulesetOption: `${PR} → "Dismiss stale pull request approvals when new commits are pushed"`,
      holds: (s) => s.pullRequest?.dismissStale === true,
      present: 'dismisses stale approvals on a new push',
      absent: 'keeps approvals when new commits are pushed',
    },
    {
      id: 'branch.code-owners',
      why: 'CODEOWNERS decides who must review the workflows, CODEOWNERS itself and policies/; without this option any writer approves them',
      protectionOption: `${PR} → "Require review from Code Owners"`,
      rulesetOption: `${PR} → "Require review from Code Owners"`,
      holds: (s) => s.pullRequest?.codeOwners === true,
      present: 'requires review from Code Owners',
      absent: 'does not require review from Code Owners',
    },
    {
      id: 'branch.last-push',
      why: 'GitHub then makes someone other than the last pusher approve every push — including where rolecall cannot see who pushed (forks)',
      protectionOption: `${PR} → "Require approval of the most recent reviewable push"`,
      rulesetOption: `${PR} → "Require approval of the most recent reviewable push"`,
      holds: (s) => s.pullRequest?.lastPush === true,
      present: 'requires approval of the most recent reviewable push',
      absent: 'does not require approval of the most recent reviewable push',
    },
    {
      id: 'branch.force-push',
      why: 'a force push rewrites the history the approvals and the apply journal refer to',
      protectionOption: '"Allow force pushes" off',
      rulesetOption: '"Block force pushes"',
      holds: (s) => s.blocksForcePush,
      present: 'blocks force pushes',
      absent: 'allows force pushes',
    },
    {
      id: 'branch.deletion',
      why: 'deleting the default branch drops its protection with it',
      protectionOption: '"Allow deletions" off',
      rulesetOption: '"Restrict deletions"',
      holds: (s) => s.blocksDeletion,
      present: 'blocks deletion',
      absent: 'allows deletion',
    },
  ];
}

const BYPASS_WHY =
  'an actor who may bypass the rules merges or pushes without the approvals: the gate does not hold for the people it judges';

/** The lowest `approvals.required` of the policies: GitHub must require at least that many. */
export function approvalsNeeded(policies: PolicyFacts): number {
  if (!policies.ok || policies.businesses.length === 0) return 1;
  return Math.max(1, Math.min(...policies.businesses.map((b) => b.approvalsRequired)));
}

export function checkBranch(github: GitHubSettings, policies: PolicyFacts): CheckResult[] {
  const needed = approvalsNeeded(policies);
  const all = settings(needed);
  const ids = [...all.map((s) => s.id), 'branch.bypass'];
  if (!github.defaultBranch.ok) {
    const read = github.defaultBranch;
    return ids.map((id) =>
      unknown(
        id,
        `could not read the repository's default branch: ${answer(read)}`,
        'the default branch is what apply runs from',
        permissionFix(read),
      ),
    );
  }
  const found = branchSources(github, github.defaultBranch.value);
  return [...all.map((setting) => checkSetting(setting, found)), checkBypass(found)];
}

function where(found: BranchSources): string {
  return `Settings → Branches → the branch protection rule of \`${found.branch}\``;
}

function rulesetWhere(found: BranchSources): string {
  return `Settings → Rules → Rulesets → the ruleset that targets \`${found.branch}\``;
}

/** The fix for a missing option: in the protection rule when there is one, else in a ruleset. */
function fixFor(found: BranchSources, protectionOption: string, rulesetOption: string): string {
  const protection = found.sources.some((s) => s.kind === 'protection');
  const ruleset = found.sources.some((s) => s.kind === 'ruleset');
  if (ruleset && !protection) return `${rulesetWhere(found)} → ${rulesetOption}`;
  const fix = `${where(found)} → ${protectionOption}`;
  return protection ? fix : `${fix} (or a ruleset: ${rulesetOption})`;
}

/** No source: says only what was seen (a protection the token cannot read may exist). */
function nothing(found: BranchSources): string {
  const seen = [
    ...(found.read.protection ? ['no branch protection'] : []),
    ...(found.read.rules ? ['no ruleset'] : []),
  ];
  return seen.length === 0
    ? `nothing could be read about ${found.branch}`
    : `${seen.join(' and ')} on ${found.branch}`;
}

/** `the branch protection of main does not …`, `neither A nor B requires …`. */
function notHeld(found: BranchSources, setting: Setting, note: string): string {
  const names = found.sources.map((s) => s.name);
  if (names.length === 0) return nothing(found);
  if (names.length === 1) return `${names[0]} ${setting.absent}${note}`;
  const who =
    names.length === 2
      ? `neither ${names[0]} nor ${names[1]}`
      : `none of ${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  return `${who} ${setting.present}${note}`;
}

function hiddenNote(found: BranchSources): string {
  return found.hidden.map((h) => `; could not read ${h.what}: ${answer(h.read)}`).join('');
}

function checkSetting(setting: Setting, found: BranchSources): CheckResult {
  const holding = found.sources.filter(setting.holds);
  if (holding.length > 0) {
    return pass(
      setting.id,
      `${holding.map((s) => s.name).join(' and ')} ${setting.present}${setting.note?.(holding) ?? ''}`,
      setting.why,
    );
  }
  const note = found.sources.length > 0 ? (setting.note?.(found.sources) ?? '') : '';
  const text = notHeld(found, setting, note);
  const hidden = found.hidden[0];
  if (hidden) {
    return unknown(
      setting.id,
      `${text}${hiddenNote(found)}`,
      setting.why,
      permissionFix(hidden.read),
    );
  }
  return fail(
    setting.id,
    text,
    setting.why,
    fixFor(found, setting.protectionOption, setting.rulesetOption),
  );
}

/**
 * Nobody may bypass the rules: for every setting that holds, some source holding it lets
 * nobody bypass it. (Two sources with different bypass lists are still reported: which actor
 * GitHub would let through both is not something the API answers.)
 */
function checkBypass(found: BranchSources): CheckResult {
  const id = 'branch.bypass';
  if (found.sources.length === 0) {
    const hidden = found.hidden[0];
    if (hidden) {
      return unknown(
        id,
        `no rule could be read${hiddenNote(found)}`,
        BYPASS_WHY,
        permissionFix(hidden.read),
      );
    }
    return fail(id, nothing(found), BYPASS_WHY, fixFor(found, PR, PR));
  }
  const enforced = (holds: (s: RuleSource) => boolean) => found.sources.filter(holds);
  const provided: Array<(s: RuleSource) => boolean> = [
    (s) => s.pullRequest !== null,
    (s) => s.blocksForcePush,
    (s) => s.blocksDeletion,
    (s) => s.statusChecks.size > 0,
  ];
  const holes = new Map<string, string[]>();
  const hidden = new Map<string, RuleSource>();
  for (const holds of provided) {
    const sources = enforced(holds);
    if (sources.length === 0 || sources.some((s) => s.bypass !== null && s.bypass.length === 0)) {
      continue;
    }
    for (const source of sources) {
      if (source.bypass === null) hidden.set(source.name, source);
      else holes.set(source.name, source.bypass);
    }
  }
  if (holes.size > 0) {
    const who = [...holes].map(([source, actors]) => `${source}: ${actors.join(', ')}`);
    const protection = found.sources.find((s) => s.kind === 'protection' && holes.has(s.name));
    const fixes = [
      ...(protection
        ? [
            `${where(found)} → turn on "Do not allow bypassing the above settings" and empty "Allow specified actors to bypass required pull requests"`,
          ]
        : []),
      ...(found.sources.some((s) => s.kind === 'ruleset' && holes.has(s.name))
        ? [`${rulesetWhere(found)} → "Bypass list": remove every actor`]
        : []),
    ];
    return fail(id, `may bypass — ${who.join('; ')}`, BYPASS_WHY, fixes.join('; '));
  }
  if (hidden.size > 0) {
    const first = [...hidden.values()][0];
    const read = first?.bypassUnreadable;
    return unknown(
      id,
      `could not see who may bypass ${[...hidden.keys()].join(' and ')}: GitHub shows a ruleset's bypass list only to a token that may edit it${read ? ` (${answer(read)})` : ''}`,
      BYPASS_WHY,
      `check ${rulesetWhere(found)} → "Bypass list" is empty, or give the token that reads the settings "Administration: read and write"`,
    );
  }
  return pass(id, `nobody may bypass ${found.sources.map((s) => s.name).join(' or ')}`, BYPASS_WHY);
}
