/** Users, repository permissions, teams, and Actions secrets (repository and environment). */
import sodium from 'libsodium-wrappers';
import {
  HttpError,
  repoOf,
  requirePower,
  requireString,
  route,
  type Route,
  type RouteContext,
} from './router.js';
import { userJson } from './serialize.js';
import type { SecretBox } from './state.js';

function publicKeyOf(box: SecretBox) {
  return {
    key_id: box.keyId,
    key: sodium.to_base64(box.publicKey, sodium.base64_variants.ORIGINAL),
  };
}

function putSecret(ctx: RouteContext, box: SecretBox) {
  const name = ctx.params['name'] ?? '';
  const encrypted = requireString(ctx.body, 'encrypted_value');
  const keyId = requireString(ctx.body, 'key_id');
  if (keyId !== box.keyId) throw new HttpError(422, 'Bad key_id');
  try {
    sodium.from_base64(encrypted, sodium.base64_variants.ORIGINAL);
  } catch {
    throw new HttpError(422, 'encrypted_value is not valid base64');
  }
  const existed = box.secrets.has(name);
  box.secrets.set(name, { encryptedValue: encrypted, keyId, updatedAt: ctx.world.clock.tick() });
  return { status: existed ? 204 : 201, body: existed ? undefined : {} };
}

/**
 * A write needs "Secrets: Read and write": a read-only token passes the public-key read and is
 * refused here, as GitHub refuses a fine-grained token with "Secrets: Read-only".
 */
function requireSecretsWrite(ctx: RouteContext): void {
  requirePower(ctx, 'secrets');
  if (ctx.token.powers.secrets !== true) {
    throw new HttpError(403, 'Resource not accessible by personal access token');
  }
}

function environmentOf(ctx: RouteContext): SecretBox {
  const box = repoOf(ctx).environments.get(ctx.params['env'] ?? '');
  if (!box) throw new HttpError(404, 'Not Found');
  return box;
}

export const miscRoutes: Route[] = [
  route('GET', '/user', (ctx) => {
    requirePower(ctx, 'user');
    return { status: 200, body: { ...userJson(ctx.token.user), email: ctx.token.user.email } };
  }),

  route('GET', '/users/:login', (ctx) => {
    const user = ctx.world.users.get((ctx.params['login'] ?? '').toLowerCase());
    if (!user) throw new HttpError(404, 'Not Found');
    return { status: 200, body: { ...userJson(user), email: user.email } };
  }),

  route('GET', '/repos/:owner/:repo/collaborators/:login/permission', (ctx) => {
    const repo = repoOf(ctx);
    const login = ctx.params['login'] ?? '';
    const user = ctx.world.users.get(login.toLowerCase());
    if (!user) throw new HttpError(404, 'Not Found');
    // On a public repository everyone can read: the default for a non-collaborator.
    const permission = repo.permissions.get(login.toLowerCase()) ?? 'read';
    return { status: 200, body: { permission, role_name: permission, user: userJson(user) } };
  }),

  route('GET', '/orgs/:org/teams/:slug', (ctx) => {
    requirePower(ctx, 'teams');
    const key = `${ctx.params['org']}/${ctx.params['slug']}`.toLowerCase();
    if (!ctx.world.teams.has(key)) throw new HttpError(404, 'Not Found');
    return {
      status: 200,
      body: {
        slug: ctx.params['slug'],
        name: ctx.params['slug'],
        organization: { login: ctx.params['org'] },
      },
    };
  }),

  route('GET', '/orgs/:org/teams/:slug/memberships/:login', (ctx) => {
    requirePower(ctx, 'teams');
    const team = ctx.world.teams.get(`${ctx.params['org']}/${ctx.params['slug']}`.toLowerCase());
    const state = team?.get((ctx.params['login'] ?? '').toLowerCase());
    if (!state) throw new HttpError(404, 'Not Found');
    return { status: 200, body: { state, role: 'member' } };
  }),

  route('GET', '/repos/:owner/:repo/actions/secrets/public-key', (ctx) => {
    requirePower(ctx, 'secrets');
    return { status: 200, body: publicKeyOf(repoOf(ctx).repoSecrets) };
  }),

  route('PUT', '/repos/:owner/:repo/actions/secrets/:name', (ctx) => {
    requireSecretsWrite(ctx);
    return putSecret(ctx, repoOf(ctx).repoSecrets);
  }),

  route('GET', '/repos/:owner/:repo/environments/:env/secrets/public-key', (ctx) => {
    requirePower(ctx, 'secrets');
    return { status: 200, body: publicKeyOf(environmentOf(ctx)) };
  }),

  route('PUT', '/repos/:owner/:repo/environments/:env/secrets/:name', (ctx) => {
    requireSecretsWrite(ctx);
    return putSecret(ctx, environmentOf(ctx));
  }),
];
