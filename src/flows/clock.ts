import { UsageError } from '../errors.js';
import { systemClock, type Clock } from '../ports.js';

/**
 * The command's notion of now. `ROLECALL_NOW` (an ISO-8601 instant with an offset) lets tests,
 * demos and dry runs travel in time — "what will expire tomorrow?" — without touching the
 * system clock. Every command reads the clock once, here, and passes `now` down.
 */
export function nowFrom(env: Record<string, string | undefined>): Date {
  const value = env['ROLECALL_NOW'];
  if (value === undefined || value === '') return new Date();
  const date = new Date(value);
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) ||
    Number.isNaN(date.getTime())
  ) {
    throw new UsageError(`ROLECALL_NOW must be an ISO-8601 instant with an offset, got "${value}"`);
  }
  return date;
}

/**
 * The command's clock for the journal and audit log: `now`, advancing in real time from there.
 * With ROLECALL_NOW the records carry the travelled time, consistent with the plan's.
 */
export function clockFrom(now: Date, env: Record<string, string | undefined>): Clock {
  if (!env['ROLECALL_NOW']) return systemClock;
  const offset = now.getTime() - Date.now();
  return { now: () => new Date(Date.now() + offset) };
}
