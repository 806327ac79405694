/**
 * The applier's per-business scheduler: writes run alongside each other; a team listing waits for
 * the writes in flight and holds new ones back, so our own invitations never land between two
 * pages of a re-read (which made the client refuse the listing, and the grant fail).
 */
import { describe, expect, it } from 'vitest';
import { BusinessScheduler } from '../../../src/apply/business-scheduler.js';

function deferred() {
  let resolve = (): void => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('BusinessScheduler', () => {
  it('lets writes run together', async () => {
    const gate = new BusinessScheduler();
    const events: string[] = [];
    const a = deferred();
    const b = deferred();
    const w1 = gate.write(1, async () => {
      events.push('a start');
      await a.promise;
    });
    const w2 = gate.write(1, async () => {
      events.push('b start');
      await b.promise;
    });
    await tick();
    expect(events).toEqual(['a start', 'b start']);
    a.resolve();
    b.resolve();
    await Promise.all([w1, w2]);
  });

  it('runs a listing only once the writes in flight are done, and holds new writes back', async () => {
    const gate = new BusinessScheduler();
    const events: string[] = [];
    const write = deferred();
    const listing = deferred();
    const w1 = gate.write(1, async () => {
      events.push('write 1');
      await write.promise;
      events.push('write 1 done');
    });
    await tick();
    const l = gate.list(1, async () => {
      events.push('list');
      await listing.promise;
      events.push('list done');
      return 'team';
    });
    const w2 = gate.write(1, () => {
      events.push('write 2');
      return Promise.resolve();
    });
    // Another business is not held back.
    const other = gate.write(2, () => {
      events.push('other business');
      return Promise.resolve();
    });
    await tick();
    expect(events).toEqual(['write 1', 'other business']);
    write.resolve();
    await tick();
    expect(events).toEqual(['write 1', 'other business', 'write 1 done', 'list']);
    listing.resolve();
    await expect(l).resolves.toBe('team');
    await Promise.all([w1, w2, other]);
    expect(events).toEqual([
      'write 1',
      'other business',
      'write 1 done',
      'list',
      'list done',
      'write 2',
    ]);
  });

  it('runs listings of one business one at a time, and survives a failing one', async () => {
    const gate = new BusinessScheduler();
    const events: string[] = [];
    const first = deferred();
    const l1 = gate.list(1, async () => {
      events.push('list 1');
      await first.promise;
      throw new Error('the team changed');
    });
    const l2 = gate.list(1, () => {
      events.push('list 2');
      return Promise.resolve(2);
    });
    await tick();
    expect(events).toEqual(['list 1']);
    first.resolve();
    await expect(l1).rejects.toThrow('the team changed');
    await expect(l2).resolves.toBe(2);
    await expect(gate.write(1, () => Promise.resolve('written'))).resolves.toBe('written');
  });
});
