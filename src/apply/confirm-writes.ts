import type { AccessReader } from '../ports.js';
import { PAGE_SIZE } from '../freshbooks/freshbooks-client.js';
import { normalizeEmail } from '../sync/live-member.js';
import type { BusinessScheduler } from './business-scheduler.js';
import { viewOfRecord, type MemberView } from './target-state.js';

/** The member a write was about: by uuid when one is known, else by email (a new invitation). */
export interface ReadBackTarget {
  uuid: string | null;
  email: string;
}

interface Batch {
  targets: ReadBackTarget[];
  /** Each target's own answer: a member's GET settles alone, a listing settles them all. */
  result: Promise<Map<ReadBackTarget, Promise<MemberView[]>>>;
}

/**
 * Read-after-write, batched per business. A 2xx is FreshBooks' word, not its state (the role
 * change and the removal are assumed calls): every write is read back before it counts.
 *
 * The read-backs of one business are gathered into one batch that waits for the writes in
 * flight there to finish (the business scheduler's listing lane), so what it reads includes
 * every write of the batch. A paged listing also holds new writes back while it reads (a write
 * landing between pages would shift them); single-member GETs do not page, so they let writes
 * go and run side by side, each settling its own operation. A batch then costs
 * the fewest requests: one `GET …/team_members/{uuid}` per member when every member is known
 * by uuid and they are no more than the team's pages, else one listing of the team
 * (ceil(members / 100) requests) for all of them — never a whole-team read per write.
 */
export class WriteConfirmer {
  private readonly open = new Map<number, Batch>();

  constructor(
    private readonly reader: AccessReader,
    private readonly scheduler: BusinessScheduler,
    /** Members per business, as last synced: how many pages a listing costs. */
    private readonly teamSizes: ReadonlyMap<number, number>,
  ) {}

  /** What FreshBooks shows now of the member: the one uuid's record, or the email's records. */
  async readBack(businessId: number, target: ReadBackTarget): Promise<MemberView[]> {
    const joined = this.open.get(businessId);
    if (joined) {
      joined.targets.push(target);
      return this.pick(await joined.result, target);
    }
    const batch: Batch = { targets: [target], result: Promise.resolve(new Map()) };
    this.open.set(businessId, batch);
    batch.result = this.scheduler.list(businessId, () => {
      // The read starts now: a write confirmed from here on joins the next batch.
      if (this.open.get(businessId) === batch) this.open.delete(businessId);
      return this.read(businessId, batch.targets);
    });
    try {
      return this.pick(await batch.result, target);
    } finally {
      if (this.open.get(businessId) === batch) this.open.delete(businessId);
    }
  }

  private async pick(
    views: Map<ReadBackTarget, Promise<MemberView[]>>,
    target: ReadBackTarget,
  ): Promise<MemberView[]> {
    return (await views.get(target)) ?? [];
  }

  private async read(
    businessId: number,
    targets: readonly ReadBackTarget[],
  ): Promise<Map<ReadBackTarget, Promise<MemberView[]>>> {
    const out = new Map<ReadBackTarget, Promise<MemberView[]>>();
    const uuids = [...new Set(targets.flatMap((t) => (t.uuid === null ? [] : [t.uuid])))];
    const pages = Math.max(1, Math.ceil((this.teamSizes.get(businessId) ?? 0) / PAGE_SIZE));
    if (targets.every((t) => t.uuid !== null) && uuids.length <= pages) {
      // Side by side, each settling on its own: a GET waiting out a 429 holds back only the
      // operation it answers, not every operation of the batch.
      const found = new Map<string, Promise<MemberView[]>>();
      for (const uuid of uuids) {
        const view = this.reader
          .getTeamMember(businessId, uuid)
          .then((record) => (record ? [viewOfRecord(record)] : []));
        // Awaited by its operation; this only keeps a failure from counting as unhandled.
        view.catch(() => {});
        found.set(uuid, view);
      }
      for (const target of targets) {
        out.set(target, found.get(target.uuid as string) ?? Promise.resolve([]));
      }
      return out;
    }
    const team = (await this.reader.listTeamMembers(businessId)).map(viewOfRecord);
    for (const target of targets) {
      const email = normalizeEmail(target.email);
      out.set(
        target,
        Promise.resolve(
          team.filter((m) => (target.uuid === null ? m.email === email : m.uuid === target.uuid)),
        ),
      );
    }
    return out;
  }
}
