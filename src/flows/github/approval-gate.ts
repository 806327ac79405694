/**
 * The GitHub approval gate: the `ApprovalGate` apply consults before its first write, after
 * re-planning at the merge commit. It opens only when
 *
 * 1. the plan's effect and the policy changes are the ones last posted on the pull request
 *    (same salted digest) — otherwise "plan changed since approval", with the difference; and
 * 2. every approval rule of every business the change touches — a FreshBooks change, or a
 *    policy change (plan/policy-changes.ts: rules, approvals, expiries, files…) — is met
 *    (github/approvals.ts) by reviews of the pull request's head commit.
 *
 * 3. a pull request GitHub attests no person made (opened and pushed by bots only) is one of
 *    rolecall's own bot changes, recognised by what it changes (flows/github/bot-made.ts): one that
 *    only removes access, or exactly the request of an issue a person opened.
 *
 * Only a change with neither FreshBooks changes nor policy changes (comments, layout) needs no
 * approval. Everything is fetched fresh from GitHub here; the
 * decision itself is the pure `evaluateApprovals`.
 */
import type { ApprovalDecision, ApprovalGate } from '../../ports.js';
import { isPolicyRole } from '../../roles.js';
import type { ApprovalRules, Change, DesiredState, Plan } from '../../types.js';
import type { GitHubClient } from '../../github/client.js';
import { repoParams, type RepoRef } from '../../github/context.js';
import { githubError } from '../../github/github-error.js';
import {
  fetchBranchPushes,
  fetchPermissions,
  fetchPublicEmails,
  fetchPullCommits,
  fetchTeamMembers,
  MAX_LISTED_COMMITS,
} from '../../github/reviewer-facts.js';
import {
  evaluateApprovals,
  latestDecisiveReviews,
  type IdentityLink,
  type PushInput,
  type ReviewInput,
} from '../../github/approvals.js';
import { isBot, sameLogin } from '../../github/identity.js';
import { judgeBotMade, whoMade } from './bot-made.js';
import {
  comparePolicyChanges,
  policyChangesDigest,
  type BusinessPolicyChange,
} from '../../plan/policy-changes.js';
import { readApprovedPlan, type ApprovedPlan } from './plan-comment.js';
import { findRequesters, readRequestEvidence } from './requesters.js';
import { planChangesOnly, totalChanges } from '../../plan/index.js';
import { approvalDigest, describeDifference, saltedDigest } from '../../plan/approval-digest.js';

export const DEFAULT_APPROVAL_RULES: ApprovalRules = { required: 1 };

/** The refusal reason lists this many differences; `difference` in the evaluation has them all. */
const MAX_DIFFERENCES_IN_REASON = 10;

export interface GitHubApprovalGateOptions {
  octokit: GitHubClient;
  /** For team lookups (organization "Members: read"); default `octokit`. */
  teamOctokit?: GitHubClient;
  repo: RepoRef;
  pullNumber: number;
  /** Login that posts rolecall's plan comments (github/identity.ts). */
  login: string;
  /** The `approvals:` of a business's policy; `undefined` → `defaultRules`. */
  rulesFor: (businessId: number) => ApprovalRules | undefined;
  defaultRules?: ApprovalRules;
  /** When given, the pull request must have been merged as this commit (the pushed one). */
  mergeCommitSha?: string;
  /**
   * What the change does to the policies' facts, against the last approved policies. Each
   * business listed needs approval even when its FreshBooks plan is empty. Default none.
   */
  policyChanges?: readonly BusinessPolicyChange[];
  /**
   * The merge writes nothing to FreshBooks (its re-plan is empty): only the policy changes must
   * be the approved ones. Applying nothing is never more than an approved plan allowed.
   */
  policyOnly?: boolean;
  /** Count only reviewers with write access. Default true. */
  requireWriteAccess?: boolean;
  /**
   * "This GitHub login is the person with these emails": the `identities:` of the policies
   * before *and* after the merge, united (a link either side names excludes the reviewer).
   * Default none: then only the public email and the address heuristics of github/approvals.ts
   * link a reviewer to a grantee.
   */
  identities?: IdentityLink[];
  /**
   * The last approved policies (the ones `policyChanges` is judged against): a pull request
   * made entirely by bots is accepted as an access request only when its issue's form, read
   * against these, asks for exactly its change. Default none: then no such request is accepted.
   */
  approvedPolicies?: DesiredState | null;
}

export interface GateEvaluation {
  approved: boolean;
  /** One line: why. */
  reason: string;
  /** Each unmet condition, exactly. */
  unmet: string[];
  /** For "plan changed since approval": one line per difference. */
  difference: string[];
  counted: string[];
  ignored: Array<{ login: string; reason: string }>;
  /** What the gate could not check and went ahead without (e.g. GitHub does not tell pushers). */
  notes?: string[];
  pullRequest: { number: number; htmlUrl: string; headSha: string };
  approvedPlan: ApprovedPlan | null;
}

export class GitHubApprovalGate implements ApprovalGate {
  constructor(private readonly options: GitHubApprovalGateOptions) {}

  async decide(plan: Plan): Promise<ApprovalDecision> {
    const evaluation = await this.evaluate(plan);
    return {
      approved: evaluation.approved,
      reason: evaluation.reason,
      ...(evaluation.counted.length ? { approvers: evaluation.counted } : {}),
    };
  }

  async evaluate(plan: Plan): Promise<GateEvaluation> {
    const { octokit, repo, pullNumber } = this.options;
    let pr;
    try {
      ({ data: pr } = await octokit.rest.pulls.get({
        ...repoParams(repo),
        pull_number: pullNumber,
      }));
    } catch (error) {
      throw githubError(`read pull request #${pullNumber}`, error);
    }
    const pullRequest = { number: pr.number, htmlUrl: pr.html_url, headSha: pr.head.sha };
    const effect = planChangesOnly(plan);
    const policyChanges = this.options.policyChanges ?? [];
    const base = { difference: [], counted: [], ignored: [], pullRequest, approvedPlan: null };
    if (totalChanges(effect) === 0 && policyChanges.length === 0) {
      return {
        ...base,
        approved: true,
        reason:
          'the plan has no changes and no policy fact changed (comments or layout only): nothing to approve',
        unmet: [],
      };
    }

    const unmet: string[] = [];
    if (!pr.merged) {
      unmet.push(
        `pull request #${pr.number} is not merged: its plan is applied only after the merge`,
      );
    } else if (this.options.mergeCommitSha && pr.merge_commit_sha !== this.options.mergeCommitSha) {
      unmet.push(
        `pull request #${pr.number} was merged as ${String(pr.merge_commit_sha).slice(0, 12)}, not as ${this.options.mergeCommitSha.slice(0, 12)}`,
      );
    }
    let difference: string[] = [];
    const approvedPlan = await readApprovedPlan(
      octokit,
      { ...repoParams(repo), number: pr.number, htmlUrl: pr.html_url },
      this.options.login,
    );
    if (!approvedPlan) {
      unmet.push(
        `no plan by @${this.options.login} on #${pr.number}: the plan workflow must comment the plan before the merge ` +
          '(a pull request from a fork gets no plan; push its branch to this repository and open it again)',
      );
    } else {
      const matches = this.options.policyOnly
        ? saltedDigest(pr.html_url, policyChangesDigest(policyChanges)) ===
          approvedPlan.policyDigest
        : saltedDigest(pr.html_url, approvalDigest(plan, policyChanges)) === approvedPlan.digest;
      if (!matches) {
        difference = approvedPlan.effect
          ? [
              ...(this.options.policyOnly ? [] : describeDifference(approvedPlan.effect, plan)),
              ...comparePolicyChanges(approvedPlan.policyChanges ?? [], policyChanges),
            ]
          : [
              'the approved plan was too large to record in the comment: compare the plan comment with this run’s plan',
            ];
        const shown = difference.slice(0, MAX_DIFFERENCES_IN_REASON);
        const more = difference.length - shown.length;
        unmet.push(
          `plan changed since approval: the plan at the merge commit is not the plan last posted on #${pr.number} ` +
            `(${difference.length} difference${difference.length === 1 ? '' : 's'}: ${shown.join('; ')}` +
            `${more > 0 ? `; and ${more} more` : ''}); re-plan and approve again`,
        );
      }
    }

    let reviews: ReviewInput[];
    try {
      reviews = await octokit.paginate(octokit.rest.pulls.listReviews, {
        ...repoParams(repo),
        pull_number: pr.number,
        per_page: 100,
      });
    } catch (error) {
      throw githubError(`list the reviews of #${pr.number}`, error);
    }
    const author = pr.user.login;
    // Who made the change: the commits' authors and committers, and who pushed them.
    const commits = await fetchPullCommits(octokit, repo, pr.number);
    const total: unknown = pr.commits;
    if (typeof total === 'number' ? total > commits.length : commits.length >= MAX_LISTED_COMMITS) {
      const howMany =
        typeof total === 'number'
          ? `has ${total} commits and GitHub lists only the first ${commits.length}`
          : `has at least ${commits.length} commits, the most GitHub lists`;
      unmet.push(
        `pull request #${pr.number} ${howMany}: rolecall cannot tell who made the rest, so no approval ` +
          'can count — split the change into smaller pull requests',
      );
    }
    const notes: string[] = [];
    // An access request from the issue form: who asked counts as an author (requesters.ts).
    const asked = await findRequesters(
      octokit,
      repo,
      { number: pr.number, body: pr.body },
      commits,
    );
    notes.push(...asked.notes);
    const sameRepository =
      pr.head.repo !== null &&
      pr.head.repo.full_name.toLowerCase() === `${repo.owner}/${repo.repo}`.toLowerCase();
    let pushes: PushInput[] | null = null;
    if (sameRepository) {
      const found = await fetchBranchPushes(octokit, repo, pr.head.ref);
      pushes = found.pushes;
      if (found.note) notes.push(found.note);
    } else {
      notes.push(
        `the head branch of #${pr.number} is not in this repository: GitHub does not tell who pushed to it, ` +
          'so pushers are not excluded, only the authors and committers of the commits',
      );
    }
    // Nobody GitHub can name as a person made it: only rolecall's own kinds of change pass.
    const madeBy = whoMade({ author: pr.user, commits, pushes, headSha: pr.head.sha });
    if (madeBy.humans.length === 0) {
      const verdict = judgeBotMade({
        pullNumber: pr.number,
        madeBy,
        changes: plan.businesses.flatMap((b) => b.changes),
        policyChanges,
        request:
          asked.issues.length > 0
            ? await readRequestEvidence(
                octokit,
                repo,
                asked.issues,
                this.options.approvedPolicies ?? null,
              )
            : null,
      });
      if (verdict.accepted) notes.push(verdict.note);
      else unmet.push(verdict.unmet);
    }
    const reviewers = [...latestDecisiveReviews(reviews).values()]
      .map((r) => r.user as { login: string; type?: string | null })
      .filter((u) => !isBot(u) && !sameLogin(u.login, author))
      .map((u) => u.login);
    const subjects = [
      ...new Set([
        ...plan.businesses.flatMap((b) => b.changes.map((c) => c.email)),
        ...policyChanges.flatMap((c) => c.subjects),
      ]),
    ];

    const permissions =
      this.options.requireWriteAccess === false
        ? undefined
        : await fetchPermissions(octokit, repo, reviewers);
    const reviewerEmails = await fetchPublicEmails(octokit, reviewers);
    const rulesByBusiness = judgedBusinesses(plan, policyChanges).map((b) => ({
      business: b,
      rules:
        this.options.rulesFor(b.businessId) ?? this.options.defaultRules ?? DEFAULT_APPROVAL_RULES,
    }));
    const teams = new Set<string>();
    for (const { business, rules } of rulesByBusiness) {
      for (const t of rules.teams ?? []) teams.add(t);
      for (const [role, rule] of Object.entries(rules.roles ?? {})) {
        if (business.changes.some((c) => c.to?.role === role))
          for (const t of rule?.teams ?? []) teams.add(t);
      }
    }
    const { members: teamMembers, problems } = await fetchTeamMembers(
      this.options.teamOctokit ?? octokit,
      [...teams],
      reviewers,
    );
    unmet.push(...problems);

    const counted = new Set<string>();
    let ignored: GateEvaluation['ignored'] = [];
    const several = rulesByBusiness.length > 1;
    for (const { business, rules } of rulesByBusiness) {
      const result = evaluateApprovals({
        rules,
        reviews,
        headSha: pr.head.sha,
        author,
        subjects,
        changes: business.changes,
        teamMembers,
        reviewerEmails,
        ...(permissions ? { permissions } : {}),
        commits,
        ...(pushes ? { pushes } : {}),
        identities: this.options.identities ?? [],
        requesters: asked.requesters,
      });
      for (const line of result.unmet)
        unmet.push(several ? `business ${business.businessId}: ${line}` : line);
      for (const login of result.counted) counted.add(login);
      ignored = result.ignored;
    }

    const approved = unmet.length === 0;
    // Who asked goes into the decision, and so into every audit record of the apply.
    const requested =
      asked.requesters.length > 0
        ? `; requested by ${asked.requesters.map((r) => `@${r.login}`).join(', ')}${
            asked.issues.length > 0 ? ` in ${asked.issues.map((n) => `#${n}`).join(', ')}` : ''
          }`
        : '';
    const reason = approved
      ? `approved on #${pr.number} by ${[...counted].map((l) => `@${l}`).join(', ') || 'the rules (none required)'}; the plan is the one posted` +
        requested +
        notes.map((n) => ` (note: ${n})`).join('')
      : `not approved (#${pr.number}): ${unmet.join('; ')}${requested}`;
    return {
      approved,
      reason,
      unmet,
      difference,
      counted: [...counted].sort(),
      ignored,
      notes,
      pullRequest,
      approvedPlan,
    };
  }
}

/**
 * The businesses whose approval rules apply: every business of the plan, plus every business
 * with a policy change (a policy-only change has no FreshBooks changes of its own). A policy
 * change of a member's role counts like a change *to* that role for the per-role rules, so
 * `approvals.roles.manager` also guards a promotion FreshBooks already shows.
 */
function judgedBusinesses(
  plan: Plan,
  policyChanges: readonly BusinessPolicyChange[],
): Array<{ businessId: number; changes: Array<Pick<Change, 'action' | 'email' | 'to'>> }> {
  const byId = new Map<number, Array<Pick<Change, 'action' | 'email' | 'to'>>>();
  for (const business of plan.businesses) byId.set(business.businessId, [...business.changes]);
  for (const change of policyChanges) {
    const list = byId.get(change.businessId) ?? [];
    for (const fact of change.changes) {
      const match = /^members\[("(?:[^"\\]|\\.)*")\]\.role$/.exec(fact.path);
      const email = match ? (JSON.parse(match[1] as string) as string) : null;
      const planned = list.some((c) => c.email === email && c.to?.role === fact.after);
      if (email && !planned && typeof fact.after === 'string' && isPolicyRole(fact.after)) {
        list.push({ action: 'change', email, to: { role: fact.after } });
      }
    }
    byId.set(change.businessId, list);
  }
  return [...byId.entries()]
    .sort(([a], [b]) => a - b)
    .map(([businessId, changes]) => ({ businessId, changes }));
}
