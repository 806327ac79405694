/**
 * What the emulator was asked, for tests and benchmarks: counters per route and status, and
 * a bounded log. Control routes (`/_emulator/…`) are never recorded. Never holds a secret:
 * no headers are kept, and OAuth bodies are reduced to their `grant_type`.
 */
import type { FaultKind } from './faults.js';

export interface RequestLogEntry {
  seq: number;
  method: string;
  /** Path and query string. */
  path: string;
  /** The matched route, e.g. `GET /auth/api/v1/businesses/:id/team_members`; `unmatched` otherwise. */
  route: string;
  /** HTTP status; 0 when the connection was reset without an answer. */
  status: number;
  clientId: string | null;
  requestId: string;
  fault?: FaultKind;
  /** Request body of writes (JSON), or `{grant_type}` for the token endpoint. */
  body?: unknown;
  /** Writes only: whether the write took effect (true even when a fault hid the answer). */
  applied?: boolean;
}

export interface RequestStats {
  total: number;
  byRoute: Record<string, Record<string, number>>;
  log: RequestLogEntry[];
}

export class RequestLog {
  private total = 0;
  private byRoute: Record<string, Record<string, number>> = {};
  private entries: RequestLogEntry[] = [];

  constructor(private readonly limit = 10_000) {}

  record(entry: RequestLogEntry): void {
    this.total += 1;
    const counts = (this.byRoute[entry.route] ??= {});
    const key = String(entry.status);
    counts[key] = (counts[key] ?? 0) + 1;
    this.entries.push(entry);
    // Keep the newest entries; counters keep counting past the limit.
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
  }

  stats(): RequestStats {
    return {
      total: this.total,
      byRoute: structuredClone(this.byRoute),
      log: structuredClone(this.entries),
    };
  }

  reset(): void {
    this.total = 0;
    this.byRoute = {};
    this.entries = [];
  }
}
