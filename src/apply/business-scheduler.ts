import { withLaneHooks } from '../freshbooks/lane-hooks.js';

/**
 * Keeps our own writes out of the way of a team listing. FreshBooks pages by offset, so an
 * invitation that lands between page 1 and the last page moves the total, and the client
 * (rightly) refuses the listing as one that never existed — three times in a row when the
 * applier keeps four writes in flight on a team of several pages. So, per business:
 *
 * - writes run alongside each other, as before;
 * - a listing waits for the writes in flight to finish and holds new ones back until it is
 *   done (listings of one business run one at a time).
 *
 * The FreshBooks client says when that is more than needed (src/freshbooks/lane-hooks.ts):
 *
 * - a write waiting to be sent again after an answer that proves it was not applied (a 429's
 *   `Retry-After`, a refused connection) is not in flight: it steps out of the lane while it
 *   waits, and takes a place again, behind any listing that started meanwhile, before it is
 *   sent. A write whose outcome is unknown (a 5xx, a reset) keeps its place until it has failed;
 * - a single member's read does not page: once a listing's work turns out to be such reads
 *   (the read-back of a few members), it stops holding writes back, and another listing may
 *   start; should it then page after all, it waits and holds them again first;
 * - a page waiting out a `Retry-After` would hold every write back for a second or more: the
 *   listing lets them go while it waits, and if any went, the client reads the team again
 *   from page 1 with writes held back (a few more requests instead of a silent second). At
 *   most `MAX_LET_GO` times per listing; after that a listing holds writes through its waits,
 *   so it always ends.
 *
 * A scheduler, not a gate: nothing is refused; outcomes do not change, only the order in which
 * requests leave. Changes made by someone else during a listing still make it fail, as they
 * should. Single-member reads need no scheduling.
 */
/** Times one listing lets writes go while its pages wait out a Retry-After. */
export const MAX_LET_GO = 3;

interface Lane {
  writes: number;
  /** Writes that ever took a place: tells a listing whether any went while it let them. */
  entered: number;
  listing: Promise<void> | null;
  /** Listings waiting for the writes in flight to drain. */
  drained: Array<() => void>;
}

export class BusinessScheduler {
  private readonly lanes = new Map<number, Lane>();

  private lane(businessId: number): Lane {
    let lane = this.lanes.get(businessId);
    if (!lane) {
      lane = { writes: 0, entered: 0, listing: null, drained: [] };
      this.lanes.set(businessId, lane);
    }
    return lane;
  }

  async write<T>(businessId: number, send: () => Promise<T>): Promise<T> {
    const lane = this.lane(businessId);
    await enter(lane);
    let inLane = true;
    const stepAside = () => {
      if (inLane) leave(lane);
      inLane = false;
      return async () => {
        if (inLane) return;
        await enter(lane);
        inLane = true;
      };
    };
    try {
      return await withLaneHooks({ stepAside }, send);
    } finally {
      if (inLane) leave(lane);
      inLane = false;
    }
  }

  async list<T>(businessId: number, read: () => Promise<T>): Promise<T> {
    const lane = this.lane(businessId);
    // The hold in place (the function that ends it), or null once writes may go.
    let letGo: (() => void) | null = await hold(lane);
    const memberRead = () => {
      letGo?.();
      letGo = null;
    };
    // Reads of one listing running side by side share the one new hold (a second `hold` would
    // wait for the first to end).
    let holding: Promise<void> | null = null;
    const pagedRead = (): Promise<void> => {
      if (letGo) return Promise.resolve();
      holding ??= hold(lane).then((release) => {
        letGo = release;
        holding = null;
      });
      return holding;
    };
    // Writes let go while a page waits out a Retry-After: how often, and the count of writes
    // that had entered when they were (null: not let go since the last `interrupted`).
    let letGoForWaits = 0;
    let enteredWhenLetGo: number | null = null;
    const readWaits = () => {
      if (!letGo || letGoForWaits >= MAX_LET_GO) return;
      letGoForWaits += 1;
      enteredWhenLetGo = lane.entered;
      // Let writes go, as for a member's read; the listing's next attempt holds them again.
      memberRead();
    };
    const interrupted = () => {
      const went = enteredWhenLetGo !== null && lane.entered > enteredWhenLetGo;
      enteredWhenLetGo = null;
      return went;
    };
    try {
      return await withLaneHooks({ memberRead, pagedRead, readWaits, interrupted }, read);
    } finally {
      letGo?.();
    }
  }
}

/**
 * Holds the lane for a listing: once no other listing holds it, new writes are held back and
 * the writes in flight finish. Returns the function that lets writes go again.
 */
async function hold(lane: Lane): Promise<() => void> {
  while (lane.listing) await lane.listing;
  let release = (): void => {};
  const mine = new Promise<void>((resolve) => (release = resolve));
  lane.listing = mine;
  if (lane.writes > 0) await new Promise<void>((resolve) => lane.drained.push(resolve));
  return () => {
    if (lane.listing === mine) lane.listing = null;
    release();
  };
}

/** Takes a place among the writes in flight, once no listing holds the lane. */
async function enter(lane: Lane): Promise<void> {
  // Check and increment with no await in between: a listing cannot slip in.
  while (lane.listing) await lane.listing;
  lane.writes += 1;
  lane.entered += 1;
}

function leave(lane: Lane): void {
  lane.writes -= 1;
  if (lane.writes === 0) for (const wake of lane.drained.splice(0)) wake();
}
