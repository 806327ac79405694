/**
 * Seeded fault injection. Each faultable request draws exactly one number from a mulberry32
 * stream seeded with `faultSeed`, so the same seed and the same sequence of requests give the
 * same faults, run after run. A fault happens either *before* the request is processed (a
 * write does not take effect) or *after* it (the `-after` kinds, `slow`: the write took
 * effect, the caller just cannot tell) — the case a careful applier must handle. `ack` is the
 * third case: a write answered with its ordinary success (2xx, the usual body) that changed
 * nothing, which only reading the member back can tell (it leaves reads alone).
 */
import { RolecallError } from '../errors.js';

/** Draw order: the cumulative rates are walked in this order. */
export const FAULT_KINDS = [
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
  // Last, so that adding it left the draws of every older spec unchanged.
  'ack',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export type FaultSpec = Partial<Record<FaultKind, number>>;

/** Faults that let the request take effect before the answer goes wrong. */
export function faultIsAfter(kind: FaultKind): boolean {
  return kind.endsWith('-after') || kind === 'slow';
}

export function isFaultKind(value: unknown): value is FaultKind {
  return typeof value === 'string' && (FAULT_KINDS as readonly string[]).includes(value);
}

/** mulberry32: a tiny, fast, well-distributed 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function specError(message: string): RolecallError {
  return new RolecallError(
    'FAULT_SPEC',
    `invalid fault spec: ${message} (expected e.g. "429=0.1,500=0.05,reset=0.02"; kinds: ${FAULT_KINDS.join(', ')})`,
  );
}

/** Parses `"429=0.1,500=0.05,…"` (or checks an object); rates in [0, 1] summing to ≤ 1. */
export function parseFaultSpec(input: string | FaultSpec | undefined): FaultSpec {
  let entries: Array<[string, unknown]>;
  if (input === undefined) return {};
  if (typeof input === 'string') {
    const text = input.trim();
    if (text === '' || text === 'none') return {};
    entries = text.split(',').map((part) => {
      const [kind, rate, extra] = part.split('=').map((s) => s.trim());
      if (kind === undefined || rate === undefined || extra !== undefined || rate === '') {
        throw specError(`"${part.trim()}" is not kind=rate`);
      }
      return [kind, /^\d*\.?\d+$/.test(rate) ? Number(rate) : rate];
    });
  } else if (typeof input === 'object' && input !== null) {
    entries = Object.entries(input);
  } else {
    throw specError('must be a string or an object');
  }
  const spec: FaultSpec = {};
  let sum = 0;
  for (const [kind, rate] of entries) {
    if (!isFaultKind(kind)) throw specError(`unknown fault "${kind}"`);
    if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) {
      throw specError(
        `the rate of ${kind} must be a number from 0 to 1, got ${JSON.stringify(rate)}`,
      );
    }
    spec[kind] = rate;
    sum += rate;
  }
  if (sum > 1 + 1e-9) throw specError(`rates add up to ${sum}, more than 1`);
  return spec;
}

export function formatFaultSpec(spec: FaultSpec): string {
  return FAULT_KINDS.filter((k) => (spec[k] ?? 0) > 0)
    .map((k) => `${k}=${spec[k]}`)
    .join(',');
}

interface QueuedFault {
  fault: FaultKind;
  /** Route name (`POST /auth/api/v1/users/invitation`); absent: the next faultable request. */
  route?: string;
}

export class FaultInjector {
  private random: () => number;
  private readonly queued: QueuedFault[] = [];

  constructor(
    private spec: FaultSpec,
    seed: number,
  ) {
    this.random = mulberry32(seed);
  }

  /** New rates or seed restart the stream, so a run can be replayed from its seed. */
  configure(spec: FaultSpec, seed: number): void {
    this.spec = spec;
    this.random = mulberry32(seed);
  }

  /** Scripted faults take precedence over random ones, in FIFO order. */
  enqueue(fault: FaultKind, route?: string): void {
    this.queued.push(route === undefined ? { fault } : { fault, route });
  }

  clearQueue(): void {
    this.queued.length = 0;
  }

  pending(): QueuedFault[] {
    return this.queued.map((q) => ({ ...q }));
  }

  /**
   * The random draw for the next request: exactly one number per faultable request, so the
   * sequence depends only on the seed and the order of requests. `faultable` is false for
   * routes exempt from random faults (the token endpoint by default).
   */
  draw(faultable: boolean): FaultKind | null {
    return faultable ? this.pick() : null;
  }

  /** The first queued fault for this request, removed from the queue; a route-named one hits even when exempt. */
  takeQueued(route: string, faultable: boolean): FaultKind | null {
    const index = this.queued.findIndex((q) =>
      q.route === undefined ? faultable : q.route === route,
    );
    return index >= 0 ? (this.queued.splice(index, 1)[0]?.fault ?? null) : null;
  }

  private pick(): FaultKind | null {
    if (!FAULT_KINDS.some((k) => (this.spec[k] ?? 0) > 0)) return null;
    const u = this.random();
    let cumulative = 0;
    for (const kind of FAULT_KINDS) {
      cumulative += this.spec[kind] ?? 0;
      if (u < cumulative) return kind;
    }
    return null;
  }
}
