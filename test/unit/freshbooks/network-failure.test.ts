/**
 * What a person reads when FreshBooks does not answer: the host (and the address tried) in the
 * error, and a notice at the first retry rather than silence until the last.
 */
import { describe, expect, it } from 'vitest';
import { errors } from 'undici';
import { NetworkError, networkFailure } from '../../../src/freshbooks/http-transport.js';
import {
  noticeLogger,
  redactingLogger,
  streamLogger,
  type FreshBooksLogger,
} from '../../../src/freshbooks/logger.js';
import { logRetry } from '../../../src/freshbooks/retry-policy.js';
import { registerSecret } from '../../../src/redact.js';

/** A Node socket error as `net` builds it: code, address, port. */
function socketError(code: string, address?: string, port?: number) {
  return Object.assign(new Error(`${code} mock`), { code, address, port });
}

const API = 'https://api.freshbooks.com/auth/api/v1/users/me?secret=no';
const HINT = ' — check FRESHBOOKS_API_URL and your network';

describe('networkFailure names where the request went', () => {
  it.each([
    [
      socketError('ECONNREFUSED', '52.1.2.3', 443),
      'refused',
      `cannot reach api.freshbooks.com (52.1.2.3:443): connection refused${HINT}`,
    ],
    [
      Object.assign(new Error('getaddrinfo ENOTFOUND'), {
        code: 'ENOTFOUND',
        hostname: 'api.freshbooks.com',
      }),
      'refused',
      `cannot reach api.freshbooks.com: host not found${HINT}`,
    ],
    [
      // Happy eyeballs: every address refused; the first one tried is named.
      Object.assign(
        new AggregateError([
          socketError('ECONNREFUSED', '::1', 443),
          socketError('ECONNREFUSED', '127.0.0.1', 443),
        ]),
        { code: 'ECONNREFUSED' },
      ),
      'refused',
      `cannot reach api.freshbooks.com ([::1]:443): connection refused${HINT}`,
    ],
    [
      socketError('EHOSTUNREACH', '52.1.2.3', 443),
      'refused',
      expect.stringContaining('host unreachable'),
    ],
    [
      new errors.ConnectTimeoutError(),
      'refused',
      `cannot reach api.freshbooks.com: connection timed out${HINT}`,
    ],
    [socketError('ECONNRESET'), 'reset', 'connection reset by api.freshbooks.com'],
    [new errors.HeadersTimeoutError(), 'timeout', 'timed out waiting for api.freshbooks.com'],
    [socketError('EWEIRD'), 'other', 'network error (EWEIRD) talking to api.freshbooks.com'],
  ])('%s', (error, kind, message) => {
    const failure = networkFailure(error, API);
    expect(failure).toBeInstanceOf(NetworkError);
    expect(failure.kind).toBe(kind);
    expect(failure.message).toEqual(message);
    // Nothing of the request but its host: no path, no query.
    expect(failure.message).not.toMatch(/users|secret/);
  });

  it('the address is left out when it is the host itself (the emulator on loopback)', () => {
    const failure = networkFailure(
      socketError('ECONNREFUSED', '127.0.0.1', 4010),
      'http://127.0.0.1:4010/auth/oauth/token',
    );
    expect(failure.message).toBe(`cannot reach 127.0.0.1:4010: connection refused${HINT}`);
    expect(failure.where).toBe('127.0.0.1:4010');
    expect(failure.reason).toBe('connection refused');
  });
});

function recorder(): FreshBooksLogger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    debug: (line) => lines.push(`debug ${line}`),
    warn: (line) => lines.push(`warn ${line}`),
    notice: (line) => lines.push(`notice ${line}`),
  };
}

describe('logRetry', () => {
  const refused = networkFailure(socketError('ECONNREFUSED', '52.1.2.3', 443), API);

  it('FreshBooks did not answer: the detail for --verbose, and a notice for everyone', () => {
    const log = recorder();
    logRetry(log, { route: 'GET /x', failure: refused, retry: 1, maxRetries: 5, delayMs: 250 });
    expect(log.lines).toEqual([
      `warn GET /x: ${refused.message}; retry 1 of 5 in 250 ms`,
      'notice FreshBooks at api.freshbooks.com (52.1.2.3:443) did not answer (connection refused); retrying (1/5)…',
    ]);
  });

  it('an answer (429, 5xx) is only the detail', () => {
    const log = recorder();
    logRetry(log, { route: 'GET /x', failure: '503', retry: 2, maxRetries: 5, delayMs: 500 });
    expect(log.lines).toEqual(['warn GET /x: 503; retry 2 of 5 in 500 ms']);
  });
});

describe('the loggers', () => {
  function stream() {
    let text = '';
    return { write: (t: string) => (text += t), text: () => text };
  }

  it('noticeLogger prints notices only, a line repeated back to back once', () => {
    const out = stream();
    const log = noticeLogger(out);
    log.debug('GET /x → 200');
    log.warn('GET /x: 503; retry 1 of 5 in 250 ms');
    log.notice?.('retrying (1/5)…');
    log.notice?.('retrying (1/5)…'); // a second request failing at the same moment
    log.notice?.('retrying (2/5)…');
    expect(out.text()).toBe('retrying (1/5)…\nretrying (2/5)…\n');
  });

  it('streamLogger (--verbose) prints everything', () => {
    const out = stream();
    const log = streamLogger(out);
    log.debug('a');
    log.warn('b');
    log.notice?.('c');
    expect(out.text()).toBe('a\nb\nc\n');
  });

  it('redactingLogger passes notices on, redacted; a logger without notices is left alone', () => {
    registerSecret('s3cr3t-notice-token');
    const log = recorder();
    redactingLogger(log).notice?.('did not answer: s3cr3t-notice-token');
    expect(log.lines).toEqual(['notice did not answer: [REDACTED]']);
    const plain = { debug: () => {}, warn: () => {} };
    expect(() => redactingLogger(plain).notice?.('x')).not.toThrow();
  });
});
