import { FreshBooksApiError, isManualFallback } from '../errors.js';
import { isSeatLimitRefusal } from '../freshbooks/seat-limit.js';
import type { AccessReader, AccessWriter, WriteReceipt } from '../ports.js';
import { redact } from '../redact.js';
import { apiRoleOf, policyRoleOf, type PolicyRole } from '../roles.js';
import type { BusinessPlan, Change } from '../types.js';
import type { BusinessScheduler } from './business-scheduler.js';
import type { WriteConfirmer } from './confirm-writes.js';
import { describeSeatRefusal } from './describe-seat-refusal.js';
import { INVITATION_VALID_DAYS, type InvitationLedger } from './invitation-ledger.js';
import type { OperationHistory } from './journal.js';
import { isSettled } from './journal.js';
import { manualTaskOf } from './manual-tasks.js';
import type { Operation } from './order-operations.js';
import { recordOutcome, resultOf, type RecordingContext } from './record-outcome.js';
import type { AppliedOperation, InvitationRecord, MemberShown } from './records.js';
import { checkTarget, membersFor, viewOfRecord, type MemberView } from './target-state.js';

/** Test-only kill points: a hook may abort the run's signal to simulate a crash right there. */
export interface ApplyHooks {
  beforeOperation?(op: Operation): void | Promise<void>;
  /** After the intent is durable, before the write is sent. */
  afterIntent?(op: Operation): void | Promise<void>;
}

export interface ExecutionContext extends RecordingContext {
  reader: AccessReader;
  writer: AccessWriter;
  /** Attempts per operation when the outcome stays unknown or the API is overloaded. */
  attempts: number;
  sleep: (ms: number) => Promise<void>;
  backoffMs: number;
  signal?: AbortSignal;
  hooks?: ApplyHooks;
  /** Keeps writes from landing while a re-read pages the same team (see business-scheduler.ts). */
  scheduler?: BusinessScheduler;
  /** Reads every write back before it counts (batched per business). */
  confirmer: WriteConfirmer;
  /** Invitations sent before (every journal), the capacity encoding that worked. */
  invitations: InvitationLedger;
  /** `--resend-invitations`: send an invitation again even within its validity window. */
  resendInvitations: boolean;
}

/**
 * Brings one member to the change's target state, idempotently:
 * - settled in the journal → reported, nothing sent;
 * - already in the target state (per the fresh sync, or a re-read) → `already` (or `applied`
 *   when an earlier attempt's write is what put it there);
 * - manual provisioning, or an API answer that the write is not offered → `manual`;
 * - FreshBooks refusing the write for lack of a paid seat → `failed`, with the fix;
 * - an unknown outcome (timeout, reset, 5xx) or an overload (429) → re-read, then retry, at
 *   most `attempts` times; the re-read is what stops a second invitation being sent;
 * - a write FreshBooks accepts (2xx) is read back: `applied` only when FreshBooks shows the
 *   target state, else `unconfirmed` with what it shows (a later apply checks it again);
 * - an invitation is sent only as the invitation ledger allows: one that may still be pending
 *   but that FreshBooks does not list is not sent again within its validity window (reported
 *   `unconfirmed`), unless `--resend-invitations`.
 * Never throws for an API failure (that is a `failed` outcome); only for an abort (a simulated
 * crash) or a journal/audit write failure, which must stop the run.
 */
export async function executeOperation(
  op: Operation,
  business: BusinessPlan,
  snapshot: readonly MemberView[],
  history: OperationHistory | undefined,
  ctx: ExecutionContext,
): Promise<AppliedOperation> {
  const { change } = op;
  if (history?.outcome && isSettled(history)) {
    return { ...resultOf(op, history.outcome.outcome, history.outcome), resumed: true };
  }
  await ctx.hooks?.beforeOperation?.(op);
  ctx.signal?.throwIfAborted();

  let intended = history?.intended ?? false;
  let members = membersFor(change, snapshot);
  const earlier = history?.outcome;
  if (earlier?.outcome === 'manual' && !history?.unfinished) {
    // A manual task from an earlier run stays pending until live state shows it done.
    if (checkTarget(change, members).status === 'done') {
      return recordOutcome(op, ctx, 'already', { detail: 'done in FreshBooks (manual task)' });
    }
    const task =
      earlier.task ?? manualTaskOf(change, earlier.detail ?? 'manual task', business.name);
    return { ...resultOf(op, 'manual', earlier), task, resumed: true };
  }
  if (change.provisioning === 'manual') {
    if (checkTarget(change, members).status === 'done')
      return recordOutcome(op, ctx, 'already', {});
    const why = `provisioning: manual for ${change.action} in the policy`;
    return recordOutcome(op, ctx, 'manual', {
      detail: why,
      task: manualTaskOf(change, why, business.name),
    });
  }

  let lastProblem = '';
  for (let attempt = 1; attempt <= ctx.attempts; attempt += 1) {
    if (attempt > 1) {
      await ctx.sleep(ctx.backoffMs * 2 ** (attempt - 2));
      ctx.signal?.throwIfAborted();
      try {
        members = await reread(op, ctx.reader, ctx.scheduler);
      } catch (error) {
        ctx.signal?.throwIfAborted();
        if (!isTransient(error))
          return recordOutcome(op, ctx, 'failed', { detail: problemOf(error) });
        lastProblem = problemOf(error);
        continue;
      }
    }
    const check = checkTarget(change, members);
    if (check.status === 'done') {
      if (!intended) return recordOutcome(op, ctx, 'already', {});
      const shows = shownOf(members);
      noteListed(op, shows, ctx);
      return recordOutcome(op, ctx, 'applied', {
        detail: 'confirmed by re-reading the member',
        shows,
      });
    }
    if (check.status === 'conflict')
      return recordOutcome(op, ctx, 'failed', { detail: check.detail });

    // One instant for the decision, the intent and the invitation record: the send is now.
    const now = ctx.clock.now();
    let note: string | undefined;
    if (change.action === 'grant') {
      const decision = ctx.invitations.decide(change, now, ctx.resendInvitations);
      if (!decision.send) {
        return recordOutcome(op, ctx, 'unconfirmed', { detail: decision.detail, shows: null });
      }
      note = decision.note;
    }

    await ctx.journal.append({
      type: 'intent',
      at: now.toISOString(),
      runId: ctx.runId,
      op: op.key,
      businessId: change.businessId,
      email: change.email,
      action: change.action,
      ...(check.member ? { uuid: check.member.uuid } : {}),
      attempt,
    });
    intended = true;
    await ctx.hooks?.afterIntent?.(op);
    ctx.signal?.throwIfAborted();
    const member = check.member;
    let receipt: WriteReceipt;
    try {
      receipt = ctx.scheduler
        ? await ctx.scheduler.write(change.businessId, () => write(op, member, ctx))
        : await write(op, member, ctx);
    } catch (error) {
      ctx.signal?.throwIfAborted();
      if (change.action === 'grant' && error instanceof FreshBooksApiError && error.outcomeUnknown)
        await recordInvitation(op, ctx, now, {}, false);
      // Before the manual fallback: a seat refusal is no missing route, and a human clicking
      // the same change in FreshBooks would hit the same limit.
      if (isSeatLimitRefusal(error)) {
        return recordOutcome(op, ctx, 'failed', {
          detail: describeSeatRefusal(change, business, error),
          ...requestIdOf(error),
        });
      }
      if (isManualFallback(error)) {
        const why = manualReason(error);
        return recordOutcome(op, ctx, 'manual', {
          detail: why,
          task: manualTaskOf(change, why, business.name),
          ...requestIdOf(error),
        });
      }
      if (!isTransient(error)) {
        return recordOutcome(op, ctx, 'failed', {
          detail: problemOf(error),
          ...requestIdOf(error),
        });
      }
      lastProblem = problemOf(error);
      continue;
    }
    if (change.action === 'grant') await recordInvitation(op, ctx, now, receipt, true);
    return confirmWrite(op, ctx, member, receipt, note);
  }
  return recordOutcome(op, ctx, 'failed', {
    detail: `gave up after ${ctx.attempts} attempts: ${lastProblem}`,
  });
}

async function write(op: Operation, member: MemberView | null, ctx: ExecutionContext) {
  const { change } = op;
  const { writer } = ctx;
  switch (change.action) {
    case 'grant':
      return writer.invite(change.businessId, change.email, apiRoleOf(targetRole(op)), {
        encoding: ctx.invitations.preferredEncoding(),
      });
    case 'change':
      return writer.changeRole(change.businessId, uuidOf(op, member), apiRoleOf(targetRole(op)));
    case 'revoke':
      return writer.remove(change.businessId, uuidOf(op, member));
  }
}

/**
 * FreshBooks answered 2xx: read the member back (batched with the other writes of the
 * business) and count the write only if FreshBooks shows the target state.
 */
async function confirmWrite(
  op: Operation,
  ctx: ExecutionContext,
  member: MemberView | null,
  receipt: WriteReceipt,
  note: string | undefined,
): Promise<AppliedOperation> {
  const { change } = op;
  const requestId = receipt.requestId === undefined ? {} : { requestId: receipt.requestId };
  const uuid = change.action === 'grant' ? invitedUuid(change, receipt) : uuidOf(op, member);
  let seen: MemberView[];
  try {
    seen = membersFor(
      change,
      await ctx.confirmer.readBack(change.businessId, { uuid, email: change.email }),
    );
  } catch (error) {
    ctx.signal?.throwIfAborted();
    return recordOutcome(op, ctx, 'unconfirmed', {
      ...requestId,
      detail: joined(
        note,
        `FreshBooks accepted the ${NOUN[change.action]}, but reading it back failed (${problemOf(error)}); the next apply checks it`,
      ),
    });
  }
  ctx.signal?.throwIfAborted();
  const shows = shownOf(seen);
  if (checkTarget(change, seen).status === 'done') {
    noteListed(op, shows, ctx);
    return recordOutcome(op, ctx, 'applied', {
      ...requestId,
      ...(note === undefined ? {} : { detail: note }),
      shows,
    });
  }
  return recordOutcome(op, ctx, 'unconfirmed', {
    ...requestId,
    detail: joined(note, unconfirmedDetail(change, shows, ctx)),
    shows,
  });
}

const NOUN: Readonly<Record<Change['action'], string>> = {
  grant: 'invitation',
  change: 'role change',
  revoke: 'removal',
};

/** Why a write FreshBooks accepted does not count, in one line, with what FreshBooks shows. */
function unconfirmedDetail(
  change: Change,
  shows: MemberShown | null,
  ctx: ExecutionContext,
): string {
  const accepted = `FreshBooks accepted the ${NOUN[change.action]} (2xx)`;
  if (shows !== null) {
    return `${accepted} but shows ${change.email} as ${shows.role} (${shows.state}): not applied; the next apply checks it again`;
  }
  if (change.action !== 'grant') {
    return `${accepted} but no longer shows the member: not applied; re-plan`;
  }
  const again =
    ctx.invitations.listsPendingInvitations() !== null
      ? 'FreshBooks does list pending invitations, so the next apply sends it again'
      : `FreshBooks may not list pending invitations, so it is not sent again for ${INVITATION_VALID_DAYS} days (\`--resend-invitations\` sends it)`;
  return `${accepted} but lists no team member ${change.email}: not confirmed; ${again}`;
}

/** The uuid an invitation created, as its answer claims (to be read back), or the plan's. */
function invitedUuid(change: Change, receipt: WriteReceipt): string | null {
  const claimed = receipt.member;
  if (claimed && claimed.email.trim().toLowerCase() === change.email) return claimed.uuid;
  return change.uuid ?? null;
}

/** The member as FreshBooks shows it: the one holding access first (what a grant is about). */
function shownOf(seen: readonly MemberView[]): MemberShown | null {
  const member = seen.find((m) => m.state !== 'deactivated') ?? seen[0];
  if (!member) return null;
  return {
    uuid: member.uuid,
    role: policyRoleOf(member.apiRole) ?? member.apiRole,
    state: member.state,
  };
}

/** An invitation read back as pending: this FreshBooks lists pending invitations. */
function noteListed(op: Operation, shows: MemberShown | null, ctx: ExecutionContext): void {
  if (op.change.action === 'grant' && shows?.state === 'invited') {
    ctx.invitations.noteListed(`${op.change.email} was read back as pending`);
  }
}

/** Durable before the member is read back: the next run must know this invitation went out. */
async function recordInvitation(
  op: Operation,
  ctx: ExecutionContext,
  sentAt: Date,
  receipt: WriteReceipt,
  answered: boolean,
): Promise<void> {
  const { change } = op;
  const role = targetRole(op);
  const encoding = receipt.capacity?.encoding ?? ctx.invitations.preferredEncoding();
  const at = sentAt.toISOString();
  const record: InvitationRecord = {
    type: 'invitation',
    at,
    runId: ctx.runId,
    op: op.key,
    businessId: change.businessId,
    email: change.email,
    role,
    capacity: receipt.capacity?.sent ?? (encoding === 'api' ? apiRoleOf(role) : role),
    encoding,
    answered,
    ...(receipt.requestId === undefined ? {} : { requestId: receipt.requestId }),
  };
  await ctx.journal.append(record);
  ctx.invitations.remember({
    businessId: change.businessId,
    email: change.email,
    role,
    at,
    runId: ctx.runId,
    answered,
  });
  if (answered) ctx.invitations.learnEncoding(encoding);
}

function joined(note: string | undefined, detail: string): string {
  return note === undefined ? detail : `${note}; ${detail}`;
}

function targetRole(op: Operation): PolicyRole {
  if (!op.change.to) throw new TypeError(`${op.key}: a ${op.change.action} needs a target role`);
  return op.change.to.role;
}

function uuidOf(op: Operation, member: MemberView | null): string {
  const uuid = member?.uuid ?? op.change.uuid;
  if (uuid === undefined) throw new TypeError(`${op.key}: no member uuid to write to`);
  return uuid;
}

/** A fresh look at the member: by uuid when the write targets one, by email for invitations. */
async function reread(
  op: Operation,
  reader: AccessReader,
  scheduler: BusinessScheduler | undefined,
): Promise<MemberView[]> {
  const { change } = op;
  if (change.action !== 'grant' && change.uuid !== undefined) {
    const record = await reader.getTeamMember(change.businessId, change.uuid);
    return record ? [viewOfRecord(record)] : [];
  }
  // An invitation whose answer was lost: FreshBooks can only be asked by email in a listing
  // of the whole team. Its last page first, where a new member shows up when FreshBooks lists
  // them as they were added: finding the invitation there in its target state proves it was
  // made. Anything else (not there, another role, a re-invited member further up) proves
  // nothing, and the whole team is read as before.
  if (change.action === 'grant' && reader.lastTeamPage) {
    const newest = membersFor(
      change,
      (await reader.lastTeamPage(change.businessId)).map(viewOfRecord),
    );
    if (checkTarget(change, newest).status === 'done') return newest;
  }
  const list = () => reader.listTeamMembers(change.businessId);
  const all = scheduler ? await scheduler.list(change.businessId, list) : await list();
  return membersFor(change, all.map(viewOfRecord));
}

/** Worth another attempt: the write may not have happened, or the API asked us to slow down. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof FreshBooksApiError)) return false;
  if (error.outcomeUnknown || error.status === null) return true;
  return error.status === 429 || error.status >= 500;
}

/** One line: the client's message when it already says what was asked and answered. */
function problemOf(error: unknown): string {
  if (error instanceof FreshBooksApiError) {
    const status = error.status === null ? 'no answer' : `${error.status}`;
    const errno = error.errno === null ? '' : ` errno ${error.errno}`;
    const complete = error.message.includes(error.route) && error.message.includes(status);
    return redact(
      complete ? error.message : `${error.route} → ${status}${errno}: ${error.message}`,
    );
  }
  return redact(error instanceof Error ? error.message : String(error));
}

/** Why a write became a manual task: what FreshBooks answered, without the request id noise. */
function manualReason(error: unknown): string {
  if (!(error instanceof FreshBooksApiError)) return problemOf(error);
  const errno = error.errno === null ? '' : ` errno ${error.errno}`;
  return redact(
    `FreshBooks answered ${error.status ?? 'nothing'}${errno} to ${error.route}: the API does not offer this write to rolecall`,
  );
}

function requestIdOf(error: unknown): { requestId?: string } {
  return error instanceof FreshBooksApiError && error.requestId !== null
    ? { requestId: error.requestId }
    : {};
}
