/**
 * The FreshBooks side of `rolecall doctor`, as facts: the token store (opened as every command
 * opens it), one refresh (forced: it is what proves the refresh token is alive, and the token
 * answer is the only place FreshBooks shows the granted scopes — the rotated token is saved
 * like every command saves it), and who the token is. Nothing is written to FreshBooks.
 */
import { RolecallError, UsageError } from '../../errors.js';
import type { FreshBooksFacts, IdentityFact, RefreshFact, StoreFact } from '../../doctor/index.js';
import { ApiClient } from '../../freshbooks/api-client.js';
import { createPlumbing, tokenManagerFor, type Plumbing } from '../../freshbooks/connect.js';
import { FreshBooksClient } from '../../freshbooks/freshbooks-client.js';
import { streamLogger } from '../../freshbooks/logger.js';
import { describeTarget, sameTarget } from '../../freshbooks/token-target.js';
import type { Console, StoredCredentials } from '../../ports.js';
import { redact } from '../../redact.js';

export interface FreshBooksProbeOptions {
  tokenStore?: string | undefined;
  verbose?: boolean | undefined;
}

export async function probeFreshBooks(
  io: Console,
  options: FreshBooksProbeOptions,
): Promise<FreshBooksFacts> {
  let plumbing: Plumbing;
  try {
    plumbing = await createPlumbing({
      env: io.env,
      cwd: io.cwd,
      ...(options.tokenStore === undefined ? {} : { tokenStore: options.tokenStore }),
      ...(options.verbose ? { logger: streamLogger(io.stderr) } : {}),
      notice: (line) => io.stderr.write(`rolecall: ${redact(line)}\n`),
    });
  } catch (error) {
    return {
      target: null,
      store: { state: 'error', description: null, ...failureOf(error) },
      refresh: { state: 'skipped', reason: 'the token store did not open' },
      identity: { state: 'skipped' },
    };
  }
  const spec = options.tokenStore ?? (io.env['ROLECALL_TOKEN_STORE']?.trim() || undefined);
  try {
    return await probe(plumbing, spec);
  } finally {
    await plumbing.transport.close();
  }
}

async function probe(plumbing: Plumbing, spec: string | undefined): Promise<FreshBooksFacts> {
  const { store, target } = plumbing;
  const description = store.describe();
  const shownTarget = target ? describeTarget(target) : null;
  let stored: StoredCredentials | null;
  try {
    // A GitHub secret store writes the secret back here: the proof that it can write.
    stored = await store.load();
  } catch (error) {
    return {
      target: shownTarget,
      store: { state: 'error', description, ...failureOf(error) },
      refresh: { state: 'skipped', reason: 'the token store could not be read' },
      identity: { state: 'skipped' },
    };
  }
  const inventory = store.inventory ? await store.inventory() : null;
  const secret = githubSecretOf(spec);
  const storeFact: StoreFact = {
    state: 'open',
    description,
    entry: stored !== null && !stored.unclaimed,
    envToken: plumbing.envRefreshToken?.variable ?? null,
    unclaimed: stored?.unclaimed === true || inventory?.unclaimed === true,
    otherTargets: (inventory?.targets ?? [])
      .filter((t) => !target || !sameTarget(t, target))
      .map((t) => describeTarget(t)),
    secret,
  };
  const noToken = !storeFact.entry && storeFact.envToken === null && !storeFact.unclaimed;
  if (target === null || noToken) {
    return {
      target: shownTarget,
      store: storeFact,
      refresh: {
        state: 'skipped',
        reason: target === null ? 'no client id' : `no refresh token for ${shownTarget}`,
      },
      identity: { state: 'skipped' },
    };
  }

  const tokens = tokenManagerFor(plumbing, store);
  let refresh: RefreshFact;
  try {
    // No access token has been handed out yet, so "renew" is a refresh, whatever is cached.
    await tokens.renew('');
    const after = await store.load();
    refresh = {
      state: 'refreshed',
      persisted: after !== null && !after.unclaimed && after.refreshToken !== stored?.refreshToken,
      store: description,
      scope: plumbing.oauth().grantedScope ?? null,
    };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    return {
      target: shownTarget,
      store: storeFact,
      refresh: { state: 'failed', message: messageOf(error) },
      identity: { state: 'skipped' },
    };
  }

  // Who the token is, with the access token just issued (no second rotation).
  const client = new FreshBooksClient(
    new ApiClient({
      baseUrl: plumbing.baseUrl,
      transport: plumbing.transport,
      budget: plumbing.budget,
      tokens,
      retry: plumbing.retry,
      counters: plumbing.counters,
      logger: plumbing.logger,
    }),
  );
  let identity: IdentityFact;
  try {
    const me = await client.whoami();
    identity = {
      state: 'read',
      email: me.email,
      businesses: me.businesses.map((b) => ({
        businessId: b.businessId,
        name: b.name,
        role: b.role,
      })),
    };
  } catch (error) {
    identity = { state: 'failed', message: messageOf(error) };
  }
  return { target: shownTarget, store: storeFact, refresh, identity };
}

/** `github-secret:NAME[@environment]` → its name and environment; anything else → null. */
function githubSecretOf(
  spec: string | undefined,
): { name: string; environment: string | null } | null {
  const match = /^github-secret:([A-Za-z_][A-Za-z0-9_]*)(?:@([^\s/]+))?$/.exec(spec ?? '');
  return match ? { name: match[1] as string, environment: match[2] ?? null } : null;
}

/** A rolecall error's message; anything else is a defect and is thrown again. */
function messageOf(error: unknown): string {
  return failureOf(error).message;
}

function failureOf(error: unknown): { message: string; code: string } {
  if (error instanceof UsageError) throw error;
  if (error instanceof RolecallError) return { message: redact(error.message), code: error.code };
  throw error;
}
