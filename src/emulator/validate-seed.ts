/**
 * Checks an untrusted JSON value against the seed format and reports every problem at once,
 * each with its JSON path (`businesses[0].members[3].state: …`), so a hand-written seed can be
 * fixed in one pass. Returns the value typed as a seed; never mutates it.
 */
import { RolecallError } from '../errors.js';
import { MEMBER_STATES, PROFILE_FIELDS, normalizeEmail, normalizeRole } from './model.js';
import { Checker, type Json } from './seed-checker.js';
import type { EmulatorSeed } from './seed.js';

const MEMBER_KEYS = [
  'uuid',
  'membership_id',
  'email',
  'role',
  'state',
  ...PROFILE_FIELDS,
  'identity_id',
  'invitation_date_accepted',
  'created_at',
  'updated_at',
] as const;
/** The free-text profile fields: a string or null, like FreshBooks sends them. */
const NULLABLE_MEMBER_TEXT = PROFILE_FIELDS;
const BUSINESS_KEYS = [
  'id',
  'business_uuid',
  'name',
  'account_id',
  'date_format',
  'timezone',
  'address',
  'phone_number',
  'seatLimit',
  'members',
];
const ADDRESS_KEYS = ['street', 'city', 'province', 'country', 'postal_code'];
const IDENTITY_KEYS = ['id', 'email', 'first_name', 'last_name', 'created_at', 'admin_of'];
const CLIENT_KEYS = [
  'client_id',
  'client_secret',
  'identity_id',
  'redirect_uri',
  'scope',
  'refresh_tokens',
];

export function validateSeed(value: unknown, source = 'seed'): EmulatorSeed {
  const c = new Checker();
  const root = c.object(value, '(root)');
  if (root) checkRoot(c, root);
  if (c.problems.length > 0) {
    const list = c.problems.map((p) => `  - ${p}`).join('\n');
    throw new RolecallError('EMULATOR_SEED', `invalid emulator seed ${source}:\n${list}`);
  }
  return value as EmulatorSeed;
}

function checkRoot(c: Checker, root: Json): void {
  c.keys(root, '(root)', [
    'version',
    'description',
    '$schema',
    'identities',
    'businesses',
    'clients',
  ]);
  if (root['version'] !== undefined && root['version'] !== 1) c.fail('version', 'must be 1');
  if (root['description'] !== undefined && typeof root['description'] !== 'string') {
    c.fail('description', 'must be a string');
  }
  const businessIds = new Set<number>();
  const uuids = new Set<string>();
  const membershipIds = new Set<number>();
  c.array(root['businesses'], 'businesses').forEach((raw, i) => {
    const path = `businesses[${i}]`;
    const b = c.object(raw, path);
    if (!b) return;
    c.keys(b, path, BUSINESS_KEYS);
    const id = c.id(b, 'id', path);
    if (id !== undefined) {
      if (businessIds.has(id)) c.fail(`${path}.id`, `duplicate business id ${id}`);
      businessIds.add(id);
    }
    c.text(b, 'name', path);
    c.text(b, 'account_id', path);
    for (const key of ['business_uuid', 'date_format', 'timezone'])
      c.text(b, key, path, { optional: true });
    c.text(b, 'phone_number', path, { optional: true, nullable: true });
    // No check against the members: a business may be over its limit (seats sold back, a
    // limit lowered), as FreshBooks allows; only new paid seats are refused.
    c.count(b, 'seatLimit', path, { nullable: true });
    if (b['address'] !== undefined) {
      const address = c.object(b['address'], `${path}.address`);
      if (address) {
        c.keys(address, `${path}.address`, ADDRESS_KEYS);
        for (const key of ADDRESS_KEYS) {
          c.text(address, key, `${path}.address`, { optional: true, nullable: true });
        }
      }
    }
    checkMembers(c, c.array(b['members'], `${path}.members`, true), path, uuids, membershipIds);
  });

  const identityIds = new Set<number>();
  const identityByEmail = new Map<string, number>();
  c.array(root['identities'], 'identities').forEach((raw, i) => {
    const path = `identities[${i}]`;
    const identity = c.object(raw, path);
    if (!identity) return;
    c.keys(identity, path, IDENTITY_KEYS);
    const id = c.id(identity, 'id', path);
    if (id !== undefined) {
      if (identityIds.has(id)) c.fail(`${path}.id`, `duplicate identity id ${id}`);
      identityIds.add(id);
    }
    const email = c.email(identity, 'email', path);
    if (email !== undefined) {
      // One person per email: a team row with that email is linked to this identity.
      const other = identityByEmail.get(email);
      if (other !== undefined)
        c.fail(`${path}.email`, `${email} is already the email of identity ${other}`);
      else if (id !== undefined) identityByEmail.set(email, id);
    }
    c.text(identity, 'first_name', path, { optional: true, nullable: true });
    c.text(identity, 'last_name', path, { optional: true, nullable: true });
    c.instant(identity, 'created_at', path);
    c.array(identity['admin_of'], `${path}.admin_of`, true).forEach((businessId, j) => {
      if (typeof businessId !== 'number' || !businessIds.has(businessId)) {
        c.fail(
          `${path}.admin_of[${j}]`,
          `${JSON.stringify(businessId)} is not a business of this seed`,
        );
      }
    });
  });

  checkIdentityLinks(c, root, identityByEmail);

  const clientIds = new Set<string>();
  const refreshTokens = new Set<string>();
  const clients = c.array(root['clients'], 'clients');
  if (Array.isArray(root['clients']) && clients.length === 0)
    c.fail('clients', 'needs at least one OAuth client');
  clients.forEach((raw, i) => {
    const path = `clients[${i}]`;
    const client = c.object(raw, path);
    if (!client) return;
    c.keys(client, path, CLIENT_KEYS);
    const clientId = c.text(client, 'client_id', path);
    if (clientId) {
      if (clientIds.has(clientId)) c.fail(`${path}.client_id`, `duplicate client id "${clientId}"`);
      clientIds.add(clientId);
    }
    c.text(client, 'client_secret', path);
    const identityId = c.id(client, 'identity_id', path);
    if (identityId !== undefined && !identityIds.has(identityId)) {
      c.fail(`${path}.identity_id`, `${identityId} is not an identity of this seed`);
    }
    c.text(client, 'redirect_uri', path, { optional: true });
    c.text(client, 'scope', path, { optional: true });
    c.array(client['refresh_tokens'], `${path}.refresh_tokens`, true).forEach((token, j) => {
      const at = `${path}.refresh_tokens[${j}]`;
      if (typeof token !== 'string' || token.length < 16)
        c.fail(at, 'must be a string of at least 16 characters');
      else if (refreshTokens.has(token)) c.fail(at, 'duplicate refresh token');
      else refreshTokens.add(token);
    });
  });
}

function checkMembers(
  c: Checker,
  members: unknown[],
  businessPath: string,
  uuids: Set<string>,
  membershipIds: Set<number>,
): void {
  const emails = new Set<string>();
  let owners = 0;
  members.forEach((raw, i) => {
    const path = `${businessPath}.members[${i}]`;
    const m = c.object(raw, path);
    if (!m) return;
    c.keys(m, path, MEMBER_KEYS);
    const email = c.email(m, 'email', path);
    if (email !== undefined) {
      if (emails.has(email)) c.fail(`${path}.email`, `${email} appears twice in this business`);
      emails.add(email);
    }
    const uuid = c.text(m, 'uuid', path, { optional: true });
    if (uuid) {
      if (uuids.has(uuid)) c.fail(`${path}.uuid`, `duplicate uuid ${uuid}`);
      uuids.add(uuid);
    }
    const membershipId = c.id(m, 'membership_id', path, true);
    if (membershipId !== undefined) {
      if (membershipIds.has(membershipId))
        c.fail(`${path}.membership_id`, `duplicate membership id ${membershipId}`);
      membershipIds.add(membershipId);
    }
    const role = c.text(m, 'role', path) ?? undefined;
    const state = m['state'] ?? 'active';
    if (!(MEMBER_STATES as readonly unknown[]).includes(state)) {
      c.fail(`${path}.state`, `must be one of ${MEMBER_STATES.join(', ')}`);
    }
    for (const key of NULLABLE_MEMBER_TEXT)
      c.text(m, key, path, { optional: true, nullable: true });
    if (m['identity_id'] !== undefined && m['identity_id'] !== null) c.id(m, 'identity_id', path);
    for (const key of ['created_at', 'updated_at']) c.instant(m, key, path);
    c.instant(m, 'invitation_date_accepted', path, true);
    if (state === 'invited') {
      if (m['identity_id'] != null)
        c.fail(`${path}.identity_id`, 'a pending invitation has no identity yet');
      if (m['invitation_date_accepted'] != null) {
        c.fail(`${path}.invitation_date_accepted`, 'a pending invitation has not been accepted');
      }
    }
    if (state === 'deactivated' && m['invitation_date_accepted'] === null) {
      c.fail(`${path}.invitation_date_accepted`, 'a deactivated member has an accepted invitation');
    }
    if (role !== undefined && normalizeRole(role) === 'owner') {
      owners += 1;
      if (state !== 'active') c.fail(`${path}.state`, 'the owner is always active');
    }
  });
  if (owners > 1) c.fail(`${businessPath}.members`, 'has more than one owner');
}

/**
 * A team row whose email is an identity's is that identity's own row (state.ts links them when
 * the row gives no `identity_id`); an explicit other id would make the OAuth caller and its own
 * row two people, so users/me and team_members would disagree about who the caller is.
 */
function checkIdentityLinks(c: Checker, root: Json, identityByEmail: Map<string, number>): void {
  const businesses = Array.isArray(root['businesses']) ? (root['businesses'] as unknown[]) : [];
  businesses.forEach((business, i) => {
    const members = (business as Json | null)?.['members'];
    if (!Array.isArray(members)) return;
    members.forEach((raw: unknown, j) => {
      const m = raw as Json | null;
      const email = m?.['email'];
      const given = m?.['identity_id'];
      if (typeof email !== 'string' || typeof given !== 'number') return;
      const wanted = identityByEmail.get(normalizeEmail(email));
      if (wanted === undefined || wanted === given) return;
      c.fail(
        `businesses[${i}].members[${j}].identity_id`,
        `${given} is not identity ${wanted}, which signs in as ${normalizeEmail(email)}; give ${wanted} or leave identity_id out`,
      );
    });
  });
}
