import { RolecallError } from '../errors.js';
import type { AccessReader, AccessWriter, TokenStore, TokenTarget } from '../ports.js';
import { redact } from '../redact.js';
import { ApiClient } from './api-client.js';
import { FreshBooksClient } from './freshbooks-client.js';
import { createHttpTransport, type HttpTransport } from './http-transport.js';
import { redactingLogger, type FreshBooksLogger } from './logger.js';
import { OAuthClient } from './oauth.js';
import { openTokenStore } from './open-token-store.js';
import { createRateBudget, realSleep, type RateBudget } from './rate-budget.js';
import {
  CREDENTIAL_VARIABLES,
  readCredentialsEnv,
  type EnvCredential,
} from './read-credentials-env.js';
import { newCounters, type RequestCounters, type RetrySettings } from './retry-policy.js';
import { revokeToken } from './revoke-token.js';
import { TokenManager, type TokenSource } from './token-manager.js';
import { normaliseApiUrl } from './token-target.js';

export const PRODUCTION_API_URL = 'https://api.freshbooks.com';

/** About 5 requests/second per app is the figure third parties cite; stay a little under it. */
export const DEFAULT_RATE = 4;
export const DEFAULT_BURST = 4;
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_RETRIES = 5;

export interface ConnectOptions {
  env: Record<string, string | undefined>;
  cwd: string;
  /** `file:PATH` (default `file:.rolecall/credentials.json`) or `github-secret:NAME[@environment]`. */
  tokenStore?: string;
  /** An already-open store; wins over `tokenStore` (embedding, tests). */
  store?: TokenStore;
  /** Requests per second for this connection (every request shares it). */
  rate?: number;
  burst?: number;
  /** Per request, headers and body included. */
  timeoutMs?: number;
  maxRetries?: number;
  /** First backoff step and the longest single wait, ms (tests make them tiny). */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** A `Retry-After` longer than this fails the request instead of waiting. Default 120 s. */
  maxRetryAfterMs?: number;
  /** Pages of one business read at once. */
  pageConcurrency?: number;
  logger?: FreshBooksLogger;
  /** Jitter source, [0, 1). */
  random?: () => number;
  /** How retries and the rate budget wait. */
  sleep?: (ms: number) => Promise<void>;
  /** Wall clock (token expiry, Retry-After dates). */
  now?: () => Date;
  /**
   * Lines the user sees whatever the verbosity (a CLI's stderr): which refresh token is used
   * and why, which of two differing variable names is used. Redacted before they get here.
   * Default: the logger's `warn`.
   */
  notice?: (line: string) => void;
}

export interface ConnectionStats {
  /** API requests sent, every attempt counted (token endpoint excluded). */
  requests: number;
  /** Attempts beyond the first. */
  retries: number;
  /** Calls to the OAuth token endpoint. */
  tokenRequests: number;
}

export interface FreshBooksConnection extends AccessReader, AccessWriter {
  /** The API base URL in use (no secret in it). */
  readonly baseUrl: string;
  /** Where the refresh token lives, e.g. `file .rolecall/credentials.json`. */
  readonly storeDescription: string;
  /** Where the next refresh would take its refresh token from, and why (never the value). */
  tokenSource(): Promise<TokenSource>;
  stats(): ConnectionStats;
  close(): Promise<void>;
}

/** The base URL: `FRESHBOOKS_API_URL` (the official SDK's variable) or production. */
export function apiBaseUrl(env: Record<string, string | undefined>): string {
  const raw = env['FRESHBOOKS_API_URL']?.trim() || PRODUCTION_API_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RolecallError('BAD_API_URL', `FRESHBOOKS_API_URL is not a URL: ${raw}`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    throw new RolecallError(
      'BAD_API_URL',
      `FRESHBOOKS_API_URL must be https (plain http only to loopback, for the emulator): ${raw}`,
    );
  }
  return raw.replace(/\/+$/, '');
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The pieces a connection and `rolecall auth` share. */
export interface Plumbing {
  baseUrl: string;
  transport: HttpTransport;
  budget: RateBudget;
  retry: RetrySettings;
  counters: RequestCounters;
  logger: FreshBooksLogger;
  store: TokenStore;
  /** The API URL and client id the tokens are for; null without a client id. */
  target: TokenTarget | null;
  /** The environment's refresh token (`FRESHBOOKS_REFRESH_TOKEN` or `BATON_REFRESH_TOKEN`). */
  envRefreshToken: EnvCredential | undefined;
  now: () => Date;
  notice: (line: string) => void;
  /** Needs FRESHBOOKS_CLIENT_ID and FRESHBOOKS_CLIENT_SECRET; throws a clear error without them. */
  oauth: () => OAuthClient;
  /** Revokes a token at FreshBooks (`POST /auth/oauth/revoke`); one attempt. */
  revoke: (token: string) => Promise<void>;
  /** The scopes of the last token FreshBooks issued here (`OAuthClient.grantedScope`). */
  grantedScope: () => string | null | undefined;
}

export async function createPlumbing(options: ConnectOptions): Promise<Plumbing> {
  const env = options.env;
  const baseUrl = apiBaseUrl(env);
  const credentials = readCredentialsEnv(env);
  const clientId = credentials.clientId?.value;
  const clientSecret = credentials.clientSecret?.value;
  const target: TokenTarget | null = clientId
    ? { apiUrl: normaliseApiUrl(baseUrl), clientId }
    : null;
  const store =
    options.store ?? (await openTokenStore(options.tokenStore, { env, cwd: options.cwd, target }));
  const rate = options.rate ?? DEFAULT_RATE;
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? (() => new Date());
  const logger = redactingLogger(options.logger);
  const notice = (line: string): void => {
    if (options.notice) options.notice(redact(line));
    else logger.warn(line);
  };
  if (credentials.notice) notice(credentials.notice);
  const budget = createRateBudget({
    rate,
    // An explicit --rate also bounds the burst: asking for 1/s should not allow 4 at once.
    burst: options.burst ?? (options.rate === undefined ? DEFAULT_BURST : Math.ceil(rate)),
    sleep,
  });
  const retry: RetrySettings = {
    maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
    backoff: {
      baseMs: options.backoffBaseMs ?? 250,
      capMs: options.backoffCapMs ?? 8_000,
      random: options.random ?? Math.random,
    },
    maxRetryAfterMs: options.maxRetryAfterMs ?? 120_000,
    sleep,
    wallNow: () => now().getTime(),
  };
  const transport = createHttpTransport({
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    connections: 8,
  });
  const counters = newCounters();
  const clientCredentials = (): { clientId: string; clientSecret: string } => {
    if (clientId && clientSecret) return { clientId, clientSecret };
    const missing = [
      clientId ? null : CREDENTIAL_VARIABLES.clientId,
      clientSecret ? null : CREDENTIAL_VARIABLES.clientSecret,
    ].filter((names): names is NonNullable<typeof names> => names !== null);
    throw new RolecallError(
      'NO_CREDENTIALS',
      `${missing.map(([name]) => name).join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not set (nor ${missing.map(([, alias]) => alias).join(' and ')}): the FreshBooks app's OAuth client credentials are needed to get an access token`,
    );
  };
  let oauthClient: OAuthClient | undefined;
  const oauth = (): OAuthClient => {
    oauthClient ??= new OAuthClient({
      baseUrl,
      ...clientCredentials(),
      transport,
      budget,
      retry,
      counters,
      logger,
    });
    return oauthClient;
  };
  const revoke = (token: string): Promise<void> =>
    revokeToken({ baseUrl, ...clientCredentials(), transport, budget, counters, logger }, token);
  return {
    baseUrl,
    transport,
    budget,
    retry,
    counters,
    logger,
    store,
    target,
    envRefreshToken: credentials.refreshToken,
    now,
    notice,
    oauth,
    revoke,
    grantedScope: () => oauthClient?.grantedScope,
  };
}

/**
 * Opens a connection to FreshBooks: one rate budget, one token lifecycle and one keep-alive
 * pool shared by every request made through it. Nothing is sent until the first call.
 */
export async function connectFreshBooks(options: ConnectOptions): Promise<FreshBooksConnection> {
  return openConnection(await createPlumbing(options), options);
}

/** The token manager of this plumbing's store, OAuth client and refresh-token variable. */
export function tokenManagerFor(
  plumbing: Plumbing,
  store: TokenStore = plumbing.store,
): TokenManager {
  return new TokenManager({
    store,
    oauth: plumbing.oauth,
    envRefreshToken: plumbing.envRefreshToken?.value,
    ...(plumbing.envRefreshToken
      ? { envRefreshTokenVariable: plumbing.envRefreshToken.variable }
      : {}),
    now: () => plumbing.now().getTime(),
    logger: plumbing.logger,
    notice: plumbing.notice,
  });
}

/** A connection over existing plumbing (`rolecall auth login` saves tokens first, then reads). */
export function openConnection(
  plumbing: Plumbing,
  options: Pick<ConnectOptions, 'pageConcurrency'> = {},
): FreshBooksConnection {
  const tokens = tokenManagerFor(plumbing);
  const api = new ApiClient({
    baseUrl: plumbing.baseUrl,
    transport: plumbing.transport,
    budget: plumbing.budget,
    tokens,
    retry: plumbing.retry,
    counters: plumbing.counters,
    logger: plumbing.logger,
    grantedScope: plumbing.grantedScope,
  });
  const client = new FreshBooksClient(api, { pageConcurrency: options.pageConcurrency ?? 4 });
  const { counters } = plumbing;
  return {
    baseUrl: plumbing.baseUrl,
    storeDescription: plumbing.store.describe(),
    tokenSource: () => tokens.source(),
    whoami: () => client.whoami(),
    listTeamMembers: (businessId) => client.listTeamMembers(businessId),
    getTeamMember: (businessId, uuid) => client.getTeamMember(businessId, uuid),
    lastTeamPage: (businessId) => client.lastTeamPage(businessId),
    invite: (businessId, email, apiRole, options) =>
      client.invite(businessId, email, apiRole, options),
    changeRole: (businessId, uuid, apiRole) => client.changeRole(businessId, uuid, apiRole),
    remove: (businessId, uuid) => client.remove(businessId, uuid),
    stats: () => ({
      requests: counters.requests,
      retries: counters.retries,
      tokenRequests: counters.tokenRequests,
    }),
    close: () => plumbing.transport.close(),
  };
}
