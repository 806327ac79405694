import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FAULT_KINDS,
  FaultInjector,
  formatFaultSpec,
  mulberry32,
  parseFaultSpec,
} from '../../../src/emulator/faults.js';

describe('parseFaultSpec', () => {
  it.each([
    ['', {}],
    ['none', {}],
    ['429=0.1', { '429': 0.1 }],
    [
      ' 500 = .05 , reset=0.02,reset-after=0.01 ',
      { '500': 0.05, reset: 0.02, 'reset-after': 0.01 },
    ],
    ['slow=1', { slow: 1 }],
  ])('parses %j', (text, spec) => {
    expect(parseFaultSpec(text)).toEqual(spec);
  });

  it.each([
    ['404=0.1', /unknown fault "404"/],
    ['500', /"500" is not kind=rate/],
    ['500=abc', /rate of 500 must be a number from 0 to 1/],
    ['500=1.5', /from 0 to 1/],
    ['500=0.6,502=0.6', /add up to 1.2/],
    ['500=0.1=0.2', /not kind=rate/],
  ])('refuses %j', (text, message) => {
    expect(() => parseFaultSpec(text)).toThrow(message);
  });

  it('checks object specs the same way and formats them back', () => {
    expect(() => parseFaultSpec({ '503': -0.1 })).toThrow(/from 0 to 1/);
    const spec = parseFaultSpec({ reset: 0.02, '429': 0.1 });
    expect(formatFaultSpec(spec)).toBe('429=0.1,reset=0.02');
    expect(parseFaultSpec(formatFaultSpec(spec))).toEqual(spec);
  });
});

describe('mulberry32', () => {
  it('is a pure function of its seed, in [0, 1)', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const a = mulberry32(seed);
        const b = mulberry32(seed);
        for (let i = 0; i < 20; i += 1) {
          const x = a();
          expect(x).toBe(b());
          expect(x).toBeGreaterThanOrEqual(0);
          expect(x).toBeLessThan(1);
        }
      }),
    );
  });

  it('differs between seeds', () => {
    expect(mulberry32(1)()).not.toBe(mulberry32(2)());
  });
});

describe('FaultInjector', () => {
  const draws = (injector: FaultInjector, n: number) =>
    Array.from({ length: n }, () => injector.draw(true));

  it('gives the same faults for the same seed and sequence (property)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(fc.boolean(), { maxLength: 50 }), (seed, faultable) => {
        const spec = { '500': 0.2, reset: 0.1, '429': 0.1 };
        const a = new FaultInjector(spec, seed);
        const b = new FaultInjector(spec, seed);
        expect(faultable.map((f) => a.draw(f))).toEqual(faultable.map((f) => b.draw(f)));
      }),
    );
  });

  it('honours the rates over many draws', () => {
    const injector = new FaultInjector({ '429': 0.1, '500': 0.05, 'reset-after': 0.2 }, 12345);
    const results = draws(injector, 20_000);
    const share = (kind: string) => results.filter((r) => r === kind).length / results.length;
    expect(share('429')).toBeCloseTo(0.1, 1);
    expect(share('500')).toBeCloseTo(0.05, 1);
    expect(share('reset-after')).toBeCloseTo(0.2, 1);
    expect(share('503')).toBe(0);
    expect(results.filter((r) => r === null).length / results.length).toBeCloseTo(0.65, 1);
  });

  it('ack, added last, leaves every draw of an older spec as it was (property)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.double({ min: 0, max: 0.3, noNaN: true }), (seed, ack) => {
        const spec = { '429': 0.1, '500': 0.05, 'reset-after': 0.2 };
        const before = draws(new FaultInjector(spec, seed), 40);
        const after = draws(new FaultInjector({ ...spec, ack }, seed), 40);
        after.forEach((kind, i) => expect(kind === 'ack' ? null : kind).toBe(before[i]));
      }),
    );
  });

  it('never faults exempt requests at random, and draws nothing with no rates', () => {
    const injector = new FaultInjector({ '500': 1 }, 1);
    expect(injector.draw(false)).toBeNull();
    expect(injector.draw(true)).toBe('500');
    expect(draws(new FaultInjector({}, 1), 10).every((r) => r === null)).toBe(true);
  });

  it('restarts the stream on configure, so a run replays from its seed', () => {
    const injector = new FaultInjector({ '500': 0.5 }, 9);
    const first = draws(injector, 30);
    injector.configure({ '500': 0.5 }, 9);
    expect(draws(injector, 30)).toEqual(first);
  });

  it('serves queued faults first, by route, in FIFO order', () => {
    const injector = new FaultInjector({}, 1);
    injector.enqueue('reset-after', 'POST /x');
    injector.enqueue('500');
    injector.enqueue('503');
    expect(injector.takeQueued('GET /y', true)).toBe('500');
    expect(injector.takeQueued('POST /auth/oauth/token', false)).toBeNull();
    expect(injector.takeQueued('POST /x', false)).toBe('reset-after');
    expect(injector.takeQueued('GET /y', true)).toBe('503');
    expect(injector.takeQueued('GET /y', true)).toBeNull();
    injector.enqueue('429');
    injector.clearQueue();
    expect(injector.pending()).toEqual([]);
  });

  it('knows every kind it documents', () => {
    expect(FAULT_KINDS).toEqual([
      '429',
      '500',
      '502',
      '503',
      'reset',
      'slow',
      'expire',
      '500-after',
      '502-after',
      '503-after',
      'reset-after',
      'ack',
    ]);
  });
});
