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
 * A scheduler, not a gate: nothing is refused; outcomes do not change, only the order in which
 * requests leave. Changes made by someone else during a listing still make it fail, as they
 * should. Single-member reads need no scheduling.
 */
interface Lane {
  writes: number;
  listing: Promise<void> | null;
  /** Listings waiting for the writes in flight to drain. */
  drained: Array<() => void>;
}

export class BusinessScheduler {
  private readonly lanes = new Map<number, Lane>();

  private lane(businessId: number): Lane {
    let lane = this.lanes.get(businessId);
    if (!lane) {
      lane = { writes: 0, listing: null, drained: [] };
      this.lanes.set(businessId, lane);
    }
    return lane;
  }

  async write<T>(businessId: number, send: () => Promise<T>): Promise<T> {
    const lane = this.lane(businessId);
    // Check and increment with no await in between: a listing cannot slip in.
    while (lane.listing) await lane.listing;
    lane.writes += 1;
    try {
      return await send();
    } finally {
      lane.writes -= 1;
      if (lane.writes === 0) for (const wake of lane.drained.splice(0)) wake();
    }
  }

  async list<T>(businessId: number, read: () => Promise<T>): Promise<T> {
    const lane = this.lane(businessId);
    while (lane.listing) await lane.listing;
    let release = (): void => {};
    lane.listing = new Promise<void>((resolve) => (release = resolve));
    try {
      if (lane.writes > 0) await new Promise<void>((resolve) => lane.drained.push(resolve));
      return await read();
    } finally {
      lane.listing = null;
      release();
    }
  }
}
