import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { FreshBooksApiError, isManualFallback } from '../../../src/errors.js';
import { apiErrorFromResponse, parseErrorBody } from '../../../src/freshbooks/parse-api-error.js';
import { clearRegisteredSecrets, registerSecret } from '../../../src/redact.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/freshbooks/${name}`, import.meta.url), 'utf8');

afterEach(() => clearRegisteredSecrets());

describe('parseErrorBody', () => {
  it.each([
    [
      'auth-error-401.response.json',
      {
        apiCode: 'unauthenticated',
        errno: null,
        detail: 'This action requires authentication to continue.',
      },
    ],
    [
      'accounting-error.response.json',
      {
        apiCode: null,
        errno: 1003,
        detail: 'The server could not verify that you are authorized to access the URL requested.',
      },
    ],
    [
      'accounting-error-404.response.json',
      { apiCode: null, errno: 1012, detail: 'Client not found.' },
    ],
    [
      'accounting-error-new-style.response.json',
      { apiCode: null, errno: 1012, detail: 'Item not found.' },
    ],
    ['staff-delete.response.json', { apiCode: null, errno: 1003, detail: 'Permission Denied.' }],
    [
      'server-error-500.response.json',
      { apiCode: 'internal_server_error', errno: null, detail: 'internal server error' },
    ],
  ])('reads the published sample %s', (name, expected) => {
    expect(parseErrorBody(fixture(name))).toEqual(expected);
  });

  it.each([[''], ['<html>502 Bad Gateway</html>'], ['[]'], ['{"response":{}}'], ['null']])(
    'yields nulls for %j',
    (body) => {
      expect(parseErrorBody(body)).toEqual({ apiCode: null, errno: null, detail: null });
    },
  );
});

describe('apiErrorFromResponse', () => {
  it('carries status, errno, code, request id and route, and reads as one line', () => {
    const error = apiErrorFromResponse({
      route: 'DELETE /auth/api/v1/businesses/1/team_members/u-1',
      status: 403,
      body: fixture('staff-delete.response.json'),
      requestId: 'req-42',
    });
    expect(error).toBeInstanceOf(FreshBooksApiError);
    expect(error).toMatchObject({
      status: 403,
      errno: 1003,
      apiCode: null,
      requestId: 'req-42',
      route: 'DELETE /auth/api/v1/businesses/1/team_members/u-1',
      outcomeUnknown: false,
    });
    expect(error.message).toBe(
      'FreshBooks answered 403 to DELETE /auth/api/v1/businesses/1/team_members/u-1 (errno 1003: Permission Denied.) [request id req-42]',
    );
    expect(isManualFallback(error)).toBe(true);
  });

  it.each([
    [404, '', true],
    [405, '', true],
    [403, fixture('staff-delete.response.json'), true],
    [403, fixture('auth-error-401.response.json'), false],
    [400, fixture('accounting-error-404.response.json'), false],
  ])('status %d is a manual fallback: %s', (status, body, manual) => {
    const error = apiErrorFromResponse({ route: 'PUT /x', status, body, requestId: null });
    expect(isManualFallback(error)).toBe(manual);
  });

  it('never puts a secret into the message, even one FreshBooks echoes back', () => {
    registerSecret('sandbox-refresh-0123456789abcdef');
    const error = apiErrorFromResponse({
      route: 'POST /auth/oauth/token',
      status: 400,
      body: JSON.stringify({
        error: 'invalid_request',
        error_description:
          'bad refresh_token=sandbox-refresh-0123456789abcdef and Bearer abcdefghijkl',
      }),
      requestId: null,
    });
    expect(error.message).not.toContain('sandbox-refresh-0123456789abcdef');
    expect(error.message).not.toContain('abcdefghijkl');
    expect(error.message).toContain('[REDACTED]');
  });
});
