/**
 * `rolecall expire`: revokes the grants whose `expires` has passed, and nothing else (the plan
 * is restricted to revoking expired grants, then applied: journaled, audited, guards
 * re-checked), then removes from the YAML the expired entries that hold no access any more
 * (expire/run-cleanup.ts). Under `--github` nobody confirms: only expiries that came through an
 * approved change revoke on their own (expire/expiry-trust.ts). Access requests made with the
 * issue form whose grant ended say so and close (expire/narrate-expiry.ts).
 */
import { runApply } from '../apply/run-apply.js';
import { RolecallError, EXIT, worstExit } from '../errors.js';
import { appendJobSummary } from '../github/job-summary.js';
import { autoApproveExpiryGate, isExpiredRevoke } from '../jit/expiry-gate.js';
import { liveAccess } from '../jit/live-access.js';
import { clockFrom } from './clock.js';
import { toolVersion } from '../paths.js';
import { buildPlan } from '../plan/build-plan.js';
import { totalChanges } from '../plan/describe.js';
import { displayExpiry, isExpired } from '../plan/expiry.js';
import { formatInstant } from '../policy/parse-time.js';
import type { ApprovalGate, Console } from '../ports.js';
import { redact } from '../redact.js';
import type { LiveState } from '../types.js';
import {
  loadPolicies,
  openFreshBooks,
  openGitHub,
  policyCommitsOf,
  readLive,
  selectBusinesses,
} from './context.js';
import { trustedExpiries, withoutUntrustedExpiries } from './expire/expiry-trust.js';
import { manualExpiryGate } from './expire/manual-expiry-gate.js';
import { narrateExpiry } from './expire/narrate-expiry.js';
import { runCleanup } from './expire/run-cleanup.js';
import { githubApprovalLookup } from './github-approval-lookup.js';

export interface ExpireOptions {
  policiesDir: string;
  /** `--business`: only these (the clean-up pull request is then left alone). */
  businessIds: readonly number[];
  github: boolean;
  yes: boolean;
  tokenStore?: string | undefined;
  rate?: number | undefined;
  verbose: boolean;
  format: 'text' | 'markdown';
  base?: string | undefined;
  remote?: string | undefined;
  now: Date;
  /**
   * Aborted on Ctrl-C or SIGTERM: the revokes in flight finish, none starts, and the run ends
   * there (exit 130 or 143) without touching GitHub; the next run resumes from the journal.
   */
  interrupt?: AbortSignal;
}

/** 0 done (or nothing expired); 1 refused or failed; 3 partly done (run again). */
export interface ExpireOutcome {
  exitCode: number;
}

export async function expire(io: Console, options: ExpireOptions): Promise<ExpireOutcome> {
  const { now } = options;
  const ids = options.businessIds;
  const clock = clockFrom(now, io.env);
  const desired = selectBusinesses(await loadPolicies(io, { dir: options.policiesDir, now }), ids);
  // GitHub first: a missing token fails the run before anything changes in FreshBooks.
  const github = options.github ? await openGitHub(io) : null;
  const summary: string[] = [`### rolecall expire (${formatInstant(now)})`, ''];
  const finish = async (code: number): Promise<ExpireOutcome> => {
    if (github) await appendJobSummary(github.context.stepSummaryPath, `${summary.join('\n')}\n`);
    return { exitCode: code };
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
        policiesDir: options.policiesDir,
        businessIds,
        holdsAccess,
        remote: options.remote,
        base: options.base,
      });
      summary.push(report.summary);
      return report.exitCode;
    } catch (error) {
      if (!(error instanceof RolecallError)) throw error;
      io.stderr.write(`rolecall: clean-up: ${redact(error.message)}\n`);
      summary.push(`Clean-up failed: ${error.message}`);
      return EXIT.ERROR;
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
  let exitCode: number = EXIT.OK;
  let stoppedWith: number | null = null;
  const revoked = new Set<string>();
  let live: LiveState | undefined;
  const connection = await openFreshBooks(io, {
    tokenStore: options.tokenStore,
    rate: options.rate,
    verbose: options.verbose,
  });
  try {
    live = await readLive(io, { reader: connection }, businessIds, now);
    const policyCommits = await policyCommitsOf(io, desired);
    // Under --github nobody confirms: only what an approved change put in the policies may
    // revoke on its own (expiry-trust.ts). At a terminal the person answering "yes" decides.
    const trust = github
      ? await trustedExpiries(io.cwd, {
          policiesDir: options.policiesDir,
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
      if (trust.untrusted.length > 0) exitCode = EXIT.ERROR;
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
    const manualGate = manualExpiryGate(io, { github: github !== null, yes: options.yes });
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
        format: options.format,
        ...(options.interrupt === undefined ? {} : { interrupt: options.interrupt }),
      });
      exitCode = worstExit(exitCode, result.exitCode);
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
      if (options.interrupt?.aborted) {
        stoppedWith = options.interrupt.reason === 'SIGTERM' ? EXIT.TERMINATED : EXIT.INTERRUPTED;
        break;
      }
    }
    if (planned === 0) {
      io.stdout.write('None of them holds access in FreshBooks: nothing to revoke.\n');
      summary.push('No expired grant holds access in FreshBooks: nothing to revoke.');
    }
  } finally {
    await connection.close();
  }
  if (stoppedWith !== null) {
    // Stopped on request: no request narration, no clean-up pull request. They follow the
    // revokes, and the next run (which resumes the revokes from the journal) does them.
    summary.push('Stopped before the end: run `rolecall expire` again to finish.');
    return finish(stoppedWith);
  }
  // Access requests made with the issue form whose grant just ended say so, and close.
  if (github && live) {
    summary.push(
      ...(await narrateExpiry(io, github, {
        now,
        expired,
        holdsAccess: liveAccess(live, revoked),
      })),
    );
  }

  if (ids.length > 0) {
    io.stdout.write(
      '\nClean-up: skipped with --business (the next full `rolecall expire` does it).\n',
    );
    return finish(exitCode);
  }
  if (!live) return finish(exitCode);
  const code = await cleanup(new Set(businessIds), liveAccess(live, revoked));
  return finish(worstExit(exitCode, code));
}
