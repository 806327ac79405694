/**
 * Starts the embedded FreshBooks emulator: a `node:http` server on 127.0.0.1 (never another
 * interface) serving the FreshBooks routes of the contract and the `/_emulator/` control.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { RolecallError } from '../errors.js';
import {
  DEFAULT_CONFIG,
  patchConfig,
  type CapacityAcceptance,
  type EmulatorConfig,
  type WriteOperation,
} from './config.js';
import { EmulatorContext } from './context.js';
import { createControl, type EmulatorControl } from './control.js';
import { handleControlRequest } from './control-routes.js';
import type { FaultSpec } from './faults.js';
import { handleApiRequest } from './handle-request.js';
import { send } from './http.js';
import type { RequestLogEntry } from './request-log.js';
import { loadDefaultSeed, loadSeedFile } from './load-seed.js';
import type { EmulatorSeed } from './seed.js';
import { validateSeed } from './validate-seed.js';
import { SERVER_ERROR } from './wire.js';

export interface EmulatorOptions {
  /** 0 (default) = a free port; always binds 127.0.0.1. */
  port?: number;
  /** A seed object or the path of a JSON seed; default: the shipped default seed. */
  seed?: EmulatorSeed | string;
  /** Requests per second per OAuth client (token bucket); default unlimited. */
  rate?: number;
  /** Bucket size; default = rate. */
  burst?: number;
  /** Base latency per request, ms. */
  latencyMs?: number;
  /** Extra random latency in [0, jitterMs), from a stream seeded by `faultSeed`. */
  jitterMs?: number;
  /** e.g. "429=0.1,500=0.05,502=0.02,503=0.02,reset=0.02,slow=0.01,expire=0.01". */
  faults?: string | FaultSpec;
  /** Same seed + same request sequence → same faults. Default 1. */
  faultSeed?: number;
  /** How late a `slow` fault answers, ms. Default 3000. */
  slowMs?: number;
  /** Let random faults hit the OAuth token/revoke endpoints too. Default false. */
  faultTokenEndpoint?: boolean;
  /** Default 43200 (12 h). */
  accessTokenTtlSeconds?: number;
  /** An access token dies after answering this many API requests (tests). */
  accessTokenMaxRequests?: number;
  /** These write routes answer 404, as if FreshBooks did not offer them. */
  disabledWrites?: WriteOperation[];
  /** False: `team_members` does not show pending invitations (default true). */
  listPendingInvitations?: boolean;
  /** Which invitation `capacity` encodings are accepted: `any` (default), `short` or `api`. */
  inviteCapacity?: CapacityAcceptance;
  /** Injectable clock: code expiry, token expiry, rate-limit refills, timestamps. */
  now?: () => Date;
  /** Newest request-log entries kept (counters are never truncated). Default 10000. */
  requestLogLimit?: number;
  /** Called after each FreshBooks-route request (the CLI's `--verbose` uses it). */
  onRequest?: (entry: RequestLogEntry) => void;
}

export interface EmulatorCredentials {
  clientId: string;
  clientSecret: string;
  /** The seed's first refresh token for the first client; single-use, like FreshBooks'. */
  refreshToken: string;
  redirectUri: string;
}

export interface RunningEmulator {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  credentials: EmulatorCredentials;
  control: EmulatorControl;
  close(): Promise<void>;
}

function resolveSeed(seed: EmulatorOptions['seed']): EmulatorSeed {
  if (seed === undefined) return loadDefaultSeed();
  if (typeof seed === 'string') return loadSeedFile(seed);
  return validateSeed(seed, '(seed object)');
}

function configFrom(options: EmulatorOptions): EmulatorConfig {
  const patch: Record<string, unknown> = {
    rate: options.rate,
    burst: options.burst,
    latencyMs: options.latencyMs,
    jitterMs: options.jitterMs,
    faults: options.faults,
    faultSeed: options.faultSeed,
    slowMs: options.slowMs,
    faultTokenEndpoint: options.faultTokenEndpoint,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds,
    accessTokenMaxRequests: options.accessTokenMaxRequests,
    disabledWrites: options.disabledWrites,
    listPendingInvitations: options.listPendingInvitations,
    inviteCapacity: options.inviteCapacity,
  };
  return patchConfig(DEFAULT_CONFIG, patch);
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RolecallError('EMULATOR_CONFIG', `emulator port must be 0–65535, got ${port}`);
  }
  const seed = resolveSeed(options.seed);
  const contextOptions: ConstructorParameters<typeof EmulatorContext>[3] = {};
  if (options.requestLogLimit !== undefined)
    contextOptions.requestLogLimit = options.requestLogLimit;
  if (options.onRequest) contextOptions.onRequest = options.onRequest;
  const ctx = new EmulatorContext(
    seed,
    configFrom(options),
    options.now ?? (() => new Date()),
    contextOptions,
  );
  const control = createControl(ctx);

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    // Every answer carries a request id, as FreshBooks' do.
    const requestId = randomUUID();
    res.setHeader('x-request-id', requestId);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const isControl = url.pathname === '/_emulator' || url.pathname.startsWith('/_emulator/');
    const work = isControl
      ? handleControlRequest(control, req, res, url)
      : handleApiRequest(ctx, req, res, url, requestId);
    work.catch(() => send(res, { status: 500, json: SERVER_ERROR }));
  });
  // Keep-alive sockets must not hold `close()` up; tests start one emulator per file.
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRINUSE' ? `port ${port} is already in use` : error.message;
      reject(
        new RolecallError(
          'EMULATOR_LISTEN',
          `the emulator cannot listen on 127.0.0.1:${port}: ${reason}`,
        ),
      );
    });
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address !== null ? address.port : port;

  const first = seed.clients[0];
  const firstClient = first ? ctx.state.clients.get(first.client_id) : undefined;
  if (!first || !firstClient)
    throw new RolecallError('EMULATOR_SEED', 'the seed has no OAuth client');
  const refreshToken =
    first.refresh_tokens?.[0] ?? ctx.tokens.liveRefreshTokens(first.client_id)[0] ?? '';

  let closing: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    credentials: {
      clientId: firstClient.client_id,
      clientSecret: firstClient.client_secret,
      refreshToken,
      redirectUri: firstClient.redirect_uri,
    },
    control,
    close() {
      closing ??= new Promise<void>((resolve) => {
        ctx.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
