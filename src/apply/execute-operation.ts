import { FreshBooksApiError, isManualFallback } from '../errors.js';
import type { AccessReader, AccessWriter } from '../ports.js';
import { redact } from '../redact.js';
import { apiRoleOf, type PolicyRole } from '../roles.js';
import type { BusinessPlan } from '../types.js';
import type { BusinessScheduler } from './business-scheduler.js';
import type { OperationHistory } from './journal.js';
import { isSettled } from './journal.js';
import { manualTaskOf } from './manual-tasks.js';
import type { Operation } from './order-operations.js';
import { recordOutcome, resultOf, type RecordingContext } from './record-outcome.js';
import type { AppliedOperation } from './records.js';
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
}

/**
 * Brings one member to the change's target state, idempotently:
 * - settled in the journal → reported, nothing sent;
 * - already in the target state (per the fresh sync, or a re-read) → `already` (or `applied`
 *   when an earlier attempt's write is what put it there);
 * - manual provisioning, or an API answer that the write is not offered → `manual`;
 * - an unknown outcome (timeout, reset, 5xx) or an overload (429) → re-read, then retry, at
 *   most `attempts` times; the re-read is what stops a second invitation being sent.
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
      return intended
        ? recordOutcome(op, ctx, 'applied', { detail: 'confirmed by re-reading the member' })
        : recordOutcome(op, ctx, 'already', {});
    }
    if (check.status === 'conflict')
      return recordOutcome(op, ctx, 'failed', { detail: check.detail });

    await ctx.journal.append({
      type: 'intent',
      at: ctx.clock.now().toISOString(),
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
    try {
      const member = check.member;
      const receipt = ctx.scheduler
        ? await ctx.scheduler.write(change.businessId, () => write(op, member, ctx.writer))
        : await write(op, member, ctx.writer);
      return recordOutcome(
        op,
        ctx,
        'applied',
        receipt.requestId === undefined ? {} : { requestId: receipt.requestId },
      );
    } catch (error) {
      ctx.signal?.throwIfAborted();
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
    }
  }
  return recordOutcome(op, ctx, 'failed', {
    detail: `gave up after ${ctx.attempts} attempts: ${lastProblem}`,
  });
}

async function write(op: Operation, member: MemberView | null, writer: AccessWriter) {
  const { change } = op;
  switch (change.action) {
    case 'grant':
      return writer.invite(change.businessId, change.email, apiRoleOf(targetRole(op)));
    case 'change':
      return writer.changeRole(change.businessId, uuidOf(op, member), apiRoleOf(targetRole(op)));
    case 'revoke':
      return writer.remove(change.businessId, uuidOf(op, member));
  }
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
