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
import { API, idOf, privateUserJson, publicUserJson, userJson, WEB } from './serialize.js';
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

const ROLE_PERMISSION: Record<string, string> = {
  admin: 'admin',
  maintain: 'write',
  write: 'write',
  triage: 'read',
  read: 'read',
  none: 'none',
};

function permissionsOf(permission: string) {
  const rank = ['none', 'read', 'write', 'admin'].indexOf(permission);
  return {
    pull: rank >= 1,
    triage: rank >= 1,
    push: rank >= 2,
    maintain: rank >= 2,
    admin: rank >= 3,
  };
}

/** `team-full`. */
function teamJson(org: string, slug: string) {
  const id = idOf(`${org}/${slug}`);
  const url = `${API}/organizations/${idOf(org)}/team/${id}`;
  const orgUrl = `${API}/orgs/${org}`;
  return {
    id,
    node_id: `T_${id}`,
    url,
    html_url: `${WEB}/orgs/${org}/teams/${slug}`,
    name: slug,
    slug,
    description: null,
    privacy: 'closed',
    notification_setting: 'notifications_enabled',
    permission: 'pull',
    members_url: `${url}/members{/member}`,
    repositories_url: `${url}/repos`,
    parent: null,
    type: 'organization',
    members_count: 0,
    repos_count: 0,
    created_at: '2020-01-01T00:00:00Z',
    updated_at: '2020-01-01T00:00:00Z',
    organization: {
      login: org,
      id: idOf(org),
      node_id: `O_${idOf(org)}`,
      url: orgUrl,
      repos_url: `${orgUrl}/repos`,
      events_url: `${orgUrl}/events`,
      hooks_url: `${orgUrl}/hooks`,
      issues_url: `${orgUrl}/issues`,
      members_url: `${orgUrl}/members{/member}`,
      public_members_url: `${orgUrl}/public_members{/member}`,
      avatar_url: `https://avatars.githubusercontent.com/u/${idOf(org)}?v=4`,
      description: null,
      html_url: `${WEB}/${org}`,
      has_organization_projects: true,
      has_repository_projects: true,
      public_repos: 0,
      public_gists: 0,
      followers: 0,
      following: 0,
      type: 'Organization',
      created_at: '2020-01-01T00:00:00Z',
      updated_at: '2020-01-01T00:00:00Z',
      archived_at: null,
    },
  };
}

export const miscRoutes: Route[] = [
  route('GET', '/user', (ctx) => {
    requirePower(ctx, 'user');
    return { status: 200, body: privateUserJson(ctx.token.user) };
  }),

  route('GET', '/users/:login', (ctx) => {
    const user = ctx.world.users.get((ctx.params['login'] ?? '').toLowerCase());
    if (!user) throw new HttpError(404, 'Not Found');
    return { status: 200, body: publicUserJson(user) };
  }),

  route('GET', '/repos/:owner/:repo/collaborators/:login/permission', (ctx) => {
    const repo = repoOf(ctx);
    const login = ctx.params['login'] ?? '';
    const user = ctx.world.users.get(login.toLowerCase());
    if (!user) throw new HttpError(404, 'Not Found');
    // On a public repository everyone can read: the default for a non-collaborator.
    const role = repo.permissions.get(login.toLowerCase()) ?? 'read';
    // GitHub's `permission` is one of admin/write/read/none; `role_name` names the role
    // (maintain counts as write, triage as read).
    const permission = ROLE_PERMISSION[role] ?? 'read';
    return {
      status: 200,
      body: {
        permission,
        role_name: role,
        user: { ...userJson(user), permissions: permissionsOf(permission), role_name: role },
      },
    };
  }),

  route('GET', '/orgs/:org/teams/:slug', (ctx) => {
    requirePower(ctx, 'teams');
    const key = `${ctx.params['org']}/${ctx.params['slug']}`.toLowerCase();
    if (!ctx.world.teams.has(key)) throw new HttpError(404, 'Not Found');
    return { status: 200, body: teamJson(ctx.params['org'] ?? '', ctx.params['slug'] ?? '') };
  }),

  route('GET', '/orgs/:org/teams/:slug/memberships/:login', (ctx) => {
    requirePower(ctx, 'teams');
    const team = ctx.world.teams.get(`${ctx.params['org']}/${ctx.params['slug']}`.toLowerCase());
    const state = team?.get((ctx.params['login'] ?? '').toLowerCase());
    if (!state) throw new HttpError(404, 'Not Found');
    const url = `${API}/organizations/${idOf(ctx.params['org'] ?? '')}/team/${idOf(ctx.params['slug'] ?? '')}/memberships/${ctx.params['login'] ?? ''}`;
    return { status: 200, body: { url, state, role: 'member' } };
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
