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
  /**
   * What a person must hear even without `--verbose`: FreshBooks did not answer and rolecall
   * is retrying (else the first word comes only after every retry, seconds later). Optional:
   * a logger without it stays silent there.
   */
  notice?(line: string): void;
}

export const silentLogger: FreshBooksLogger = { debug: () => {}, warn: () => {} };

/** Wraps a logger so that nothing unredacted can reach it, whatever the caller passes. */
export function redactingLogger(logger: FreshBooksLogger | undefined): FreshBooksLogger {
  if (!logger) return silentLogger;
  return {
    debug: (line) => logger.debug(redact(line)),
    warn: (line) => logger.warn(redact(line)),
    notice: (line) => logger.notice?.(redact(line)),
  };
}

/**
 * Prints notices to a stream, each once: requests failing together (a page read, writes in
 * parallel) would otherwise say the same line several times in a row.
 */
function noticePrinter(stream: { write(text: string): unknown }): (line: string) => void {
  let last: string | null = null;
  return (line) => {
    if (line === last) return;
    last = line;
    stream.write(`${redact(line)}\n`);
  };
}

/** Writes every line to a stream (a CLI's stderr), one per line: `--verbose`. */
export function streamLogger(stream: { write(text: string): unknown }): FreshBooksLogger {
  return {
    debug: (line) => stream.write(`${redact(line)}\n`),
    warn: (line) => stream.write(`${redact(line)}\n`),
    notice: noticePrinter(stream),
  };
}

/** Only the notices, to a stream (a CLI's stderr without `--verbose`). */
export function noticeLogger(stream: { write(text: string): unknown }): FreshBooksLogger {
  return { debug: () => {}, warn: () => {}, notice: noticePrinter(stream) };
}
