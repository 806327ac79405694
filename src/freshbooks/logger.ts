import { redact } from '../redact.js';

/**
 * Where the FreshBooks client reports what it does. Every line is passed through `redact()`
 * before it reaches a logger, so an implementation may print it as is.
 */
export interface FreshBooksLogger {
  /** One line per HTTP exchange: method, path, status, time, request id. */
  debug(line: string): void;
  /** Retries, rate-limit pauses, token refreshes. */
  warn(line: string): void;
}

export const silentLogger: FreshBooksLogger = { debug: () => {}, warn: () => {} };

/** Wraps a logger so that nothing unredacted can reach it, whatever the caller passes. */
export function redactingLogger(logger: FreshBooksLogger | undefined): FreshBooksLogger {
  if (!logger) return silentLogger;
  return {
    debug: (line) => logger.debug(redact(line)),
    warn: (line) => logger.warn(redact(line)),
  };
}

/** Writes every line to a stream (a CLI's stderr), one per line. */
export function streamLogger(stream: { write(text: string): unknown }): FreshBooksLogger {
  return {
    debug: (line) => stream.write(`${redact(line)}\n`),
    warn: (line) => stream.write(`${redact(line)}\n`),
  };
}
