import { runApply } from '../../apply/run-apply.js';
import { RolecallError, UsageError } from '../../errors.js';
import { appendJobSummary } from '../../github/job-summary.js';
import { openGitHubSession } from '../../github/session.js';
import { autoApproveExpiryGate, isExpiredRevoke } from '../../jit/expiry-gate.js';
import { clockFrom, liveAccess } from '../../jit/live-access.js';
import { manualExpiryGate } from '../../jit/manual-expiry-gate.js';
import { runCleanup } from '../../jit/run-cleanup.js';
import { toolVersion } from '../../paths.js';
import { buildPlan } from '../../plan/build-plan.js';
import { totalChanges } from '../../plan/describe.js';
import { displayExpiry, isExpired } from '../../plan/expiry.js';
import { formatInstant } from '../../policy/parse-time.js';
import type { ApprovalGate } from '../../ports.js';
import { redact } from '../../redact.js';
import type { DesiredState, LiveState } from '../../types.js';
import { trustedExpiries } from '../expiry-trust.js';
import { githubApprovalLookup } from '../../flows/github-approval-lookup.js';
import { businessIdOption, parseCommandArgs, rateOption } from '../args.js';
import { nowFrom } from '../../flows/clock.js';
import type { Console } from '../../ports.js';
import {
  DEFAULT_POLICIES_DIR,
  loadPolicies,
  openFreshBooks,
  policyCommitsOf,
  readLive,
  selectBusinesses,
} from '../../flows/context.js';

const HELP = `Usage: rolecall expire [options]

Revokes the grants whose \`expires\` has passed, and nothing else: the plan is restricted to
revoking expired grants, then applied (journaled, audited, guards re-checked). Afterwards the
expired entries that hold no access any more are removed from the YAML through one clean-up
pull request (--github), kept up to date on every run and never duplicated.

Approval: a business whose policy sets \`rules.autoApproveExpiry: true\` is revoked without a
pull-request approval (the audit log records "autoApproveExpiry: the plan only removes expired
access"). Any other business needs a "yes" at the terminal prompt or --yes; under --github it
is refused (the expired access stays, and the drift issue lists it, until someone runs
\`rolecall expire\` at a terminal or the policy opts in).

Options:
  --policies DIR       the policy directory (default: policies)
  --business ID        only this business (repeatable); the clean-up pull request is then left alone
  --github             inside GitHub Actions: open or update the clean-up pull request, write the
                       job summary; refuse businesses without rules.autoApproveExpiry
  --yes                approve at the terminal without the prompt (not under --github)
  --token-store SPEC   file:PATH (default file:.rolecall/credentials.json) or
                       github-secret:NAME[@environment]
  --rate N             FreshBooks requests per second (default 4)
  --format FORMAT      the apply report: text (default) or markdown
  --base BRANCH        the branch the clean-up pull request targets (default: the job's branch,
                       else the remote's default branch)
  --remote NAME        the remote to push the clean-up branch to (default: origin)
  --verbose            log every FreshBooks request (redacted) on stderr
  -h, --help           this help

Exit codes: 0 done (or nothing expired); 1 refused or failed (nothing written for the refused
business); 3 partly done (some revokes failed or became manual tasks: run again).
The clock: ROLECALL_NOW (an ISO instant) replaces now.
`;

function worst(a: number, b: number): number {
  const rank = (code: number) => (code === 3 ? 2 : code === 1 ? 1 : 0);
  return rank(b) > rank(a) ? b : a;
}

export async function run(args: string[], io: Console): Promise<number> {
  const { values } = parseCommandArgs(args, {
    policies: { type: 'string', default: DEFAULT_POLICIES_DIR },
    business: { type: 'string', multiple: true },
    github: { type: 'boolean', default: false },
    yes: { type: 'boolean', default: false },
    'token-store': { type: 'string' },
    rate: { type: 'string' },
    format: { type: 'string', default: 'text' },
    base: { type: 'string' },
    remote: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (values.format !== 'text' && values.format !== 'markdown') {
    throw new UsageError(`--format must be text or markdown, got "${values.format}"`);
  }
  const rate = rateOption(values.rate);
  const ids = (values.business ?? []).map(businessIdOption);
  const now = nowFrom(io.env);
  const clock = clockFrom(now, io.env);
  const desired = selectBusinesses(await loadPolicies(io, { dir: values.policies, now }), ids);
  // GitHub first: a missing token fails the run before anything changes in FreshBooks.
  const github = values.github
    ? await openGitHubSession(io.env, { warn: (m) => io.stderr.write(`${redact(m)}\n`) })
    : null;
  const summary: string[] = [`### rolecall expire (${formatInstant(now)})`, ''];
  const finish = async (code: number): Promise<number> => {
    if (github) await appendJobSummary(github.context.stepSummaryPath, `${summary.join('\n')}\n`);
    return code;
  };
  /** The clean-up's failure fails the run (exit 1) but never undoes or hides the revokes. */
  const cleanup = async (
    businessIds: ReadonlySet<number>,
    holdsAccess: (businessId: number, email: string) => boolean,
  ): Promise<number> => {
    try {
      const report = await runCleanup({
        io,
        github,
        now,
        policiesDir: values.policies,
        businessIds,
        holdsAccess,
        remote: values.remote,
        base: values.base,
      });
      summary.push(report.summary);
      return report.exitCode;
    } catch (error) {
      if (!(error instanceof RolecallError)) throw error;
      io.stderr.write(`rolecall: clean-up: ${redact(error.message)}\n`);
      summary.push(`Clean-up failed: ${error.message}`);
      return 1;
    }
  };

  const expired = desired.businesses
    .map((business) => ({ business, members: business.members.filter((m) => isExpired(m, now)) }))
    .filter((entry) => entry.members.length > 0);
  if (expired.length === 0) {
    io.stdout.write(`Nothing has expired as of ${formatInstant(now)}: no grant to revoke.\n`);
    summary.push('Nothing has expired.');
    // Under --github a stale clean-up pull request (entries extended or removed by hand) closes.
    return finish(github && ids.length === 0 ? await cleanup(new Set(), () => true) : 0);
  }
  io.stdout.write(
    `Expired as of ${formatInstant(now)}:\n${expired
      .flatMap(({ business, members }) =>
        members.map(
          (m) =>
            `  ${m.email} (${m.role}) in ${business.name ?? business.businessId}, expired ${displayExpiry(m.expires as string)}\n`,
        ),
      )
      .join('')}`,
  );

  const businessIds = expired.map((entry) => entry.business.businessId);
  let exitCode = 0;
  const revoked = new Set<string>();
  let live: LiveState | undefined;
  const connection = await openFreshBooks(io, {
    tokenStore: values['token-store'],
    rate,
    verbose: values.verbose,
  });
  try {
    live = await readLive(io, { reader: connection }, businessIds, now);
    const policyCommits = await policyCommitsOf(io, desired);
    // Under --github nobody confirms: only what an approved change put in the policies may
    // revoke on its own (expiry-trust.ts). At a terminal the person answering "yes" decides.
    const trust = github
      ? await trustedExpiries(io.cwd, {
          policiesDir: values.policies,
          now,
          lookup: githubApprovalLookup(github),
          expired,
        })
      : null;
    if (trust) {
      for (const line of trust.untrusted) {
        io.stderr.write(`rolecall: not revoked automatically: ${redact(line)}\n`);
        summary.push(`Not revoked automatically: ${line}`);
      }
      if (trust.untrusted.length > 0) exitCode = 1;
    }
    const auto = new Set(
      expired
        .filter((e) =>
          trust ? trust.autoApprove.has(e.business.businessId) : e.business.rules.autoApproveExpiry,
        )
        .map((e) => e.business.businessId),
    );
    const trusted = (businessId: number, email: string) =>
      trust === null || trust.trusted.has(`${businessId} ${email}`);
    const manualGate = manualExpiryGate(io, { github: github !== null, yes: values.yes });
    // Auto-approved businesses one at a time: each revokes only its trusted expiries.
    const groups: Array<{ ids: number[]; gate: ApprovalGate }> = [
      ...businessIds
        .filter((id) => auto.has(id))
        .map((id) => ({ ids: [id], gate: autoApproveExpiryGate((b) => auto.has(b)) })),
      { ids: businessIds.filter((id) => !auto.has(id)), gate: manualGate },
    ];
    let planned = 0;
    for (const group of groups) {
      if (group.ids.length === 0) continue;
      // An untrusted expiry is left out of the automatic plan altogether: for this run its
      // grant is as if it had no `expires`, so nothing plans, approves or applies its revoke.
      const groupDesired = auto.has(group.ids[0] as number)
        ? withoutUntrustedExpiries(desired, trusted)
        : desired;
      const plan = buildPlan({
        desired: groupDesired,
        live,
        now,
        toolVersion: toolVersion(),
        policyCommits,
        businessIds: group.ids,
        only: 'expired',
      });
      const changes = totalChanges(plan);
      if (changes === 0) continue;
      planned += changes;
      const result = await runApply({
        plan,
        desired: groupDesired,
        connection,
        gate: group.gate,
        io,
        only: isExpiredRevoke,
        clock,
        format: values.format,
      });
      exitCode = worst(exitCode, result.exitCode);
      for (const op of result.operations) {
        if (op.action === 'revoke' && (op.outcome === 'applied' || op.outcome === 'already')) {
          revoked.add(`${op.businessId} ${op.email}`);
        }
      }
      summary.push(
        result.refusal
          ? `Refused for ${group.ids.join(', ')}: ${result.refusal.message}`
          : `Revoked ${result.operations.filter((o) => o.outcome === 'applied').length} expired grant(s) (${result.approval?.reason ?? 'approved'}).`,
      );
    }
    if (planned === 0) {
      io.stdout.write('None of them holds access in FreshBooks: nothing to revoke.\n');
      summary.push('No expired grant holds access in FreshBooks: nothing to revoke.');
    }
  } finally {
    await connection.close();
  }

  if (ids.length > 0) {
    io.stdout.write(
      '\nClean-up: skipped with --business (the next full `rolecall expire` does it).\n',
    );
    return finish(exitCode);
  }
  if (!live) return finish(exitCode);
  const code = await cleanup(new Set(businessIds), liveAccess(live, revoked));
  return finish(worst(exitCode, code));
}

/** `desired` with the `expires` of every untrusted grant removed (see the expire loop). */
function withoutUntrustedExpiries(
  desired: DesiredState,
  trusted: (businessId: number, email: string) => boolean,
): DesiredState {
  return {
    businesses: desired.businesses.map((business) => ({
      ...business,
      members: business.members.map((member) => {
        if (member.expires === undefined || trusted(business.businessId, member.email))
          return member;
        const { expires: _expires, ...rest } = member;
        return rest;
      }),
    })),
  };
}
