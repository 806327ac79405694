import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What the FreshBooks client tells whoever orders a business's writes around its listings (the
 * applier's business scheduler, src/apply/business-scheduler.ts). A listing must not overlap a
 * write that may land during it (FreshBooks pages by offset), so the scheduler holds writes
 * back while a listing pages and makes a listing wait for the writes in flight. Only the client
 * knows two things that make that cheaper:
 *
 * - a write waiting to be sent again after an answer that proves it did not take effect (a
 *   `429`'s `Retry-After`, a connection refused) is not in flight: it steps aside while it
 *   waits (a second or more) and takes a place again before it is sent;
 * - a read of one member (`GET …/team_members/{uuid}`) does not page, so a write landing
 *   meanwhile cannot make it wrong: writes need not be held back for it; a paged listing that
 *   follows holds them again;
 * - a page of a listing waiting out a `Retry-After` (a second or more) would hold every write
 *   of the business back all that time for nothing: writes may go while it waits, and if any
 *   did, the pages read before and after no longer make one listing, so the listing reads the
 *   team again from its first page, writes held back again (`listingInterrupted`).
 *
 * The hooks travel with the asynchronous context of the write or the listing
 * (`AsyncLocalStorage`), so the layers in between (the applier's operation, the read-back
 * batch) pass nothing along, and requests made outside any scheduler behave as they always did.
 */
export interface LaneHooks {
  /**
   * The write leaves its place; the returned function takes a place again, resolving once the
   * write may be sent (after a listing that started meanwhile).
   */
  stepAside?(): () => Promise<void>;
  /** A single member's read is about to be sent: writes need not wait for it. */
  memberRead?(): void;
  /** A paged listing is about to start: resolves once writes are held back (again). */
  pagedRead?(): Promise<void>;
  /** A read is about to wait out a `Retry-After`: a paged listing may let writes go meanwhile. */
  readWaits?(): void;
  /** Whether writes went since the listing let them go for a waiting read (and forget it). */
  interrupted?(): boolean;
}

const hooks = new AsyncLocalStorage<LaneHooks>();

/** Runs `work` (a write and its retries, or a listing) with `laneHooks` told what it does. */
export function withLaneHooks<T>(laneHooks: LaneHooks, work: () => Promise<T>): Promise<T> {
  return hooks.run(laneHooks, work);
}

/**
 * Waits (`wait`: the retry's delay) as a write that did not take effect, out of its place, and
 * takes its place again before returning, so that the caller sends it only once it may.
 */
export async function waitUnsent(wait: () => Promise<void>): Promise<void> {
  const takePlace = hooks.getStore()?.stepAside?.();
  if (!takePlace) return wait();
  try {
    await wait();
  } finally {
    await takePlace();
  }
}

/** Says a single member's read is about to be sent. */
export function memberRead(): void {
  hooks.getStore()?.memberRead?.();
}

/**
 * Says a read is about to wait out the `Retry-After` the server asked for. In a paged listing,
 * writes may go meanwhile; the listing asks `listingInterrupted` once its pages are in.
 */
export function readWaits(): void {
  hooks.getStore()?.readWaits?.();
}

/**
 * Whether writes went while a page of this listing waited (`readWaits`): the pages read do not
 * make one listing, and it must be read again (after `pagedRead`). False outside a scheduler.
 */
export function listingInterrupted(): boolean {
  return hooks.getStore()?.interrupted?.() ?? false;
}

/** Says a paged listing is about to start, and waits until it may. */
export async function pagedRead(): Promise<void> {
  await hooks.getStore()?.pagedRead?.();
}
