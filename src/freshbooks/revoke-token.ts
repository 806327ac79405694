import { RolecallError } from '../errors.js';
import { redact, registerSecret } from '../redact.js';
import { NetworkError, type HttpTransport } from './http-transport.js';
import type { FreshBooksLogger } from './logger.js';
import { parseErrorBody } from './parse-api-error.js';
import type { RateBudget } from './rate-budget.js';
import type { RequestCounters } from './retry-policy.js';

export const REVOKE_PATH = '/auth/oauth/revoke';

export interface RevokeOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  transport: HttpTransport;
  budget: RateBudget;
  counters: RequestCounters;
  logger: FreshBooksLogger;
}

/**
 * `POST /auth/oauth/revoke` (RFC 7009): FreshBooks forgets the token and the grant it belongs
 * to. One attempt, no retry: `rolecall auth logout` forgets the token locally whatever the
 * answer, and says when the revocation failed, so a human can revoke the app in FreshBooks.
 * Throws `TOKEN_NOT_REVOKED` with a reason that holds no secret.
 */
export async function revokeToken(options: RevokeOptions, token: string): Promise<void> {
  const { baseUrl, clientId, clientSecret, transport, budget, counters, logger } = options;
  registerSecret(token);
  registerSecret(clientSecret);
  const route = `POST ${REVOKE_PATH}`;
  await budget.take();
  counters.tokenRequests++;
  let status: number;
  let text: string;
  try {
    const res = await transport.send({
      method: 'POST',
      url: `${baseUrl}${REVOKE_PATH}`,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams({
        token,
        client_id: clientId,
        client_secret: clientSecret,
      }).toString(),
    });
    status = res.status;
    text = res.text;
  } catch (error) {
    if (!(error instanceof NetworkError)) throw error;
    throw new RolecallError('TOKEN_NOT_REVOKED', redact(`${route} failed: ${error.message}`));
  }
  logger.debug(`${route} → ${status}`);
  if (status >= 200 && status < 300) return;
  const code = parseErrorBody(text).apiCode;
  throw new RolecallError(
    'TOKEN_NOT_REVOKED',
    redact(`${route} answered HTTP ${status}${code ? ` (${code})` : ''}`),
  );
}
