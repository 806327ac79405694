/**
 * The read-back of writes, batched per business: the writes in flight finish first, then one
 * batch reads them all with the fewest requests — one GET per member when there are no more
 * of them than the team has pages, else one listing — never a whole-team read per write.
 */
import { describe, expect, it } from 'vitest';
import { BusinessScheduler } from '../../../src/apply/business-scheduler.js';
import { WriteConfirmer } from '../../../src/apply/confirm-writes.js';
import { FakeFreshBooks, type FakeMember } from './fake-freshbooks.js';

const B = 1;
const team = (n: number): FakeMember[] =>
  Array.from({ length: n }, (_, i) => ({
    email: `m${i}@x.example`,
    apiRole: 'business_employee',
    uuid: `u${i}`,
  }));

function setUp(size: number) {
  const fake = new FakeFreshBooks().addBusiness(B, 'X', team(size));
  const scheduler = new BusinessScheduler();
  const confirmer = new WriteConfirmer(fake, scheduler, new Map([[B, size]]));
  return { fake, scheduler, confirmer };
}

/** A write that stays in flight until `release()`. */
function heldWrite(scheduler: BusinessScheduler) {
  let release = (): void => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const done = scheduler.write(B, () => gate);
  return { release, done };
}

describe('WriteConfirmer', () => {
  it('reads a member known by uuid with one GET', async () => {
    const { fake, confirmer } = setUp(30);
    const seen = await confirmer.readBack(B, { uuid: 'u3', email: 'm3@x.example' });
    expect(seen.map((m) => m.email)).toEqual(['m3@x.example']);
    expect(fake.readCalls).toEqual({ list: 0, get: 1 });
  });

  it('a member FreshBooks does not know reads back as nobody', async () => {
    const { confirmer } = setUp(3);
    expect(await confirmer.readBack(B, { uuid: 'u-gone', email: 'z@x.example' })).toEqual([]);
  });

  it('gathers the read-backs that wait for writes in flight into one batch', async () => {
    const { fake, scheduler, confirmer } = setUp(250); // 3 pages
    const write = heldWrite(scheduler);
    const reads = [0, 1, 2].map((i) =>
      confirmer.readBack(B, { uuid: `u${i}`, email: `m${i}@x.example` }),
    );
    await Promise.resolve();
    expect(fake.reads).toBe(0); // nothing is read while a write is in flight
    write.release();
    await write.done;
    const seen = await Promise.all(reads);
    expect(seen.map((s) => s[0]?.uuid)).toEqual(['u0', 'u1', 'u2']);
    // 3 members, 3 pages: GETs are no dearer than a listing.
    expect(fake.readCalls).toEqual({ list: 0, get: 3 });
  });

  it('lists the team once when that is cheaper than a GET per member', async () => {
    const { fake, scheduler, confirmer } = setUp(150); // 2 pages
    const write = heldWrite(scheduler);
    const reads = [0, 1, 2, 3].map((i) =>
      confirmer.readBack(B, { uuid: `u${i}`, email: `m${i}@x.example` }),
    );
    write.release();
    const seen = await Promise.all(reads);
    expect(seen.map((s) => s.map((m) => m.uuid))).toEqual([['u0'], ['u1'], ['u2'], ['u3']]);
    expect(fake.readCalls).toEqual({ list: 1, get: 0 });
  });

  it('an invitation with no uuid is found by email in one listing, shared with the others', async () => {
    const { fake, scheduler, confirmer } = setUp(500);
    fake.members(B).push({ ...fake.members(B)[0]!, uuid: 'u-new', email: 'new@x.example' });
    const write = heldWrite(scheduler);
    const invitee = confirmer.readBack(B, { uuid: null, email: 'NEW@x.example' });
    const changed = confirmer.readBack(B, { uuid: 'u7', email: 'm7@x.example' });
    write.release();
    expect((await invitee).map((m) => m.uuid)).toEqual(['u-new']);
    expect((await changed).map((m) => m.uuid)).toEqual(['u7']);
    expect(fake.readCalls).toEqual({ list: 1, get: 0 });
  });

  it('a read-back asked for once the batch is reading starts the next batch', async () => {
    const { fake, confirmer } = setUp(10);
    let second: Promise<unknown> | undefined;
    fake.delay = async () => {
      // Asked while the first batch's GET is answering: it must not be folded into it.
      second ??= confirmer.readBack(B, { uuid: 'u2', email: 'm2@x.example' });
    };
    await confirmer.readBack(B, { uuid: 'u1', email: 'm1@x.example' });
    await second;
    expect(fake.readCalls).toEqual({ list: 0, get: 2 });
  });

  it('a failed read fails every read-back of its batch', async () => {
    const { fake, scheduler, confirmer } = setUp(10);
    fake.readFault = () => new Error('503');
    const write = heldWrite(scheduler);
    const reads = [1, 2].map((i) =>
      confirmer.readBack(B, { uuid: `u${i}`, email: `m${i}@x.example` }).catch((e: Error) => e),
    );
    write.release();
    expect((await Promise.all(reads)).map((e) => (e as Error).message)).toEqual(['503', '503']);
  });
});
