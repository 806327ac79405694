/**
 * Everything one running emulator holds, in one place, so that the HTTP pipeline and the
 * in-process control act on the same objects.
 */
import type { EmulatorConfig } from './config.js';
import { FaultInjector, mulberry32 } from './faults.js';
import { RateLimiter } from './rate-limit.js';
import { RequestLog, type RequestLogEntry } from './request-log.js';
import type { EmulatorSeed } from './seed.js';
import { EmulatorState } from './state.js';
import { TokenStore } from './tokens.js';

export class EmulatorClosedError extends Error {}

export class EmulatorContext {
  state: EmulatorState;
  readonly tokens = new TokenStore();
  readonly faults: FaultInjector;
  readonly limiter: RateLimiter;
  readonly log: RequestLog;
  /** Called after each FreshBooks-route request is answered (the CLI's --verbose). */
  readonly onRequest: ((entry: RequestLogEntry) => void) | undefined;
  private current: EmulatorConfig;
  private jitter: () => number;
  private seq = 0;
  private closed = false;
  private readonly sleepers = new Set<{ timer: NodeJS.Timeout; reject: (e: Error) => void }>();

  constructor(
    seed: EmulatorSeed,
    config: EmulatorConfig,
    readonly now: () => Date,
    options: { requestLogLimit?: number; onRequest?: (entry: RequestLogEntry) => void } = {},
  ) {
    this.current = config;
    this.state = new EmulatorState(seed, now());
    this.faults = new FaultInjector(config.faults, config.faultSeed);
    this.limiter = new RateLimiter(config.rate, config.burst);
    this.log = new RequestLog(options.requestLogLimit);
    this.jitter = jitterStream(config.faultSeed);
    this.onRequest = options.onRequest;
    this.loadTokens(seed);
  }

  get config(): EmulatorConfig {
    return this.current;
  }

  /** Applies a new config; fault and jitter streams restart only when their inputs change. */
  setConfig(next: EmulatorConfig): void {
    const before = this.current;
    this.current = next;
    if (
      JSON.stringify(before.faults) !== JSON.stringify(next.faults) ||
      before.faultSeed !== next.faultSeed
    ) {
      this.faults.configure(next.faults, next.faultSeed);
      this.jitter = jitterStream(next.faultSeed);
    }
    if (before.rate !== next.rate || before.burst !== next.burst)
      this.limiter.configure(next.rate, next.burst);
  }

  /**
   * Replaces the data. Tokens issued at run time survive when their client and identity still
   * exist (a test can reseed without logging in again); the seed's refresh tokens are valid
   * again, and a client left without any gets a fresh one.
   */
  loadSeed(seed: EmulatorSeed): void {
    this.state = new EmulatorState(seed, this.now());
    this.tokens.retain((clientId, identityId) => {
      const client = this.state.clients.get(clientId);
      return (
        client !== undefined &&
        client.identity_id === identityId &&
        this.state.identities.has(identityId)
      );
    });
    this.loadTokens(seed);
  }

  private loadTokens(seed: EmulatorSeed): void {
    for (const client of seed.clients) {
      const record = this.state.clients.get(client.client_id);
      if (!record) continue;
      for (const token of client.refresh_tokens ?? []) {
        this.tokens.addRefreshToken(
          record.client_id,
          record.identity_id,
          record.scope,
          token,
          this.now(),
        );
      }
      if (this.tokens.liveRefreshTokens(record.client_id).length === 0) {
        this.tokens.mintRefreshToken(
          record.client_id,
          record.identity_id,
          record.scope,
          this.now(),
        );
      }
    }
  }

  nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  /** Base latency plus seeded jitter, in ms. */
  latencyMs(): number {
    const { latencyMs, jitterMs } = this.current;
    return latencyMs + (jitterMs > 0 ? Math.floor(this.jitter() * jitterMs) : 0);
  }

  /** A real delay that `close()` cuts short (rejecting with EmulatorClosedError). */
  sleep(ms: number): Promise<void> {
    if (this.closed) return Promise.reject(new EmulatorClosedError());
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const sleeper = {
        timer: setTimeout(() => {
          this.sleepers.delete(sleeper);
          resolve();
        }, ms),
        reject,
      };
      this.sleepers.add(sleeper);
    });
  }

  close(): void {
    this.closed = true;
    for (const sleeper of this.sleepers) {
      clearTimeout(sleeper.timer);
      sleeper.reject(new EmulatorClosedError());
    }
    this.sleepers.clear();
  }
}

/** Jitter has its own stream so that turning jitter on does not shift the fault sequence. */
function jitterStream(seed: number): () => number {
  return mulberry32((seed ^ 0x9e3779b9) >>> 0);
}
