import { describe, expect, it } from 'vitest';
import { errors } from 'undici';
import { classifyNetworkError } from '../../../src/freshbooks/http-transport.js';

const withCode = (code: string) => Object.assign(new Error(code), { code });

describe('classifyNetworkError', () => {
  it.each([
    [withCode('ECONNREFUSED'), 'refused'],
    [new TypeError('fetch failed', { cause: withCode('ECONNREFUSED') }), 'refused'],
    [Object.assign(new AggregateError([withCode('ECONNREFUSED')]), {}), 'refused'],
    [new errors.ConnectTimeoutError(), 'refused'],
    [withCode('ENOTFOUND'), 'refused'],
    [withCode('ECONNRESET'), 'reset'],
    [new errors.SocketError('other side closed'), 'reset'],
    [withCode('EPIPE'), 'reset'],
    [new errors.HeadersTimeoutError(), 'timeout'],
    [new errors.BodyTimeoutError(), 'timeout'],
    [new Error('something else'), 'other'],
  ])('%s → %s', (error, kind) => {
    expect(classifyNetworkError(error)).toBe(kind);
  });
});
