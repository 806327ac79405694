/**
 * The emulator's data: businesses and their team rows, identities and OAuth clients. Built from
 * a validated seed (defaults filled in deterministically, so the same seed gives the same
 * uuids and ids on every start) and dumped back to the same format.
 */
import { createHash } from 'node:crypto';
import {
  DEFAULT_REDIRECT_URI,
  DEFAULT_SCOPE,
  PROFILE_FIELDS,
  isoSeconds,
  normalizeEmail,
  normalizeRole,
  type BusinessRecord,
  type ClientRecord,
  type IdentityRecord,
  type MemberRecord,
} from './model.js';
import type { EmulatorSeed, SeedBusiness, SeedMember } from './seed.js';

/** One business an identity can act on, as users/me lists it. */
export interface Membership {
  membershipId: number;
  role: string;
  business: BusinessRecord;
}

/** A stable uuid-shaped id from a name, so that seeds without uuids give the same ones. */
export function stableUuid(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  const variant = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export class EmulatorState {
  readonly businesses = new Map<number, BusinessRecord>();
  readonly identities = new Map<number, IdentityRecord>();
  readonly clients = new Map<string, ClientRecord>();
  /** Seed order of the clients: the first one's credentials are handed out. */
  readonly clientOrder: string[] = [];
  private nextIdentityId: number;
  private nextMembershipId: number;
  /** Membership ids of `admin_of` access, keyed `identity:business`, stable for the run. */
  private readonly adminMembershipIds = new Map<string, number>();

  constructor(seed: EmulatorSeed, now: Date) {
    const seedMembers = seed.businesses.flatMap((b) => b.members ?? []);
    this.nextIdentityId =
      Math.max(
        1000,
        ...seed.identities.map((i) => i.id),
        ...seedMembers.map((m) => m.identity_id ?? 0),
      ) + 1;
    this.nextMembershipId =
      Math.max(7_000_000, ...seedMembers.map((m) => m.membership_id ?? 0)) + 1;
    const stamp = isoSeconds(now);
    // Identities first: a team row without an identity id takes the one whose email it has.
    for (const identity of seed.identities) {
      this.identities.set(identity.id, {
        id: identity.id,
        email: normalizeEmail(identity.email),
        first_name: identity.first_name ?? null,
        last_name: identity.last_name ?? null,
        created_at: identity.created_at ?? stamp,
        admin_of: [...(identity.admin_of ?? [])],
      });
    }
    for (const business of seed.businesses)
      this.businesses.set(business.id, this.buildBusiness(business, stamp));
    for (const client of seed.clients) {
      this.clientOrder.push(client.client_id);
      this.clients.set(client.client_id, {
        client_id: client.client_id,
        client_secret: client.client_secret,
        identity_id: client.identity_id,
        redirect_uri: client.redirect_uri ?? DEFAULT_REDIRECT_URI,
        scope: client.scope ?? DEFAULT_SCOPE,
      });
    }
  }

  private buildBusiness(seed: SeedBusiness, stamp: string): BusinessRecord {
    const business: BusinessRecord = {
      id: seed.id,
      business_uuid: seed.business_uuid ?? stableUuid(`business:${seed.id}`),
      name: seed.name,
      account_id: seed.account_id,
      date_format: seed.date_format ?? 'mm/dd/yyyy',
      timezone: seed.timezone ?? 'America/New_York',
      address: {
        street: seed.address?.street ?? null,
        city: seed.address?.city ?? null,
        province: seed.address?.province ?? null,
        country: seed.address?.country ?? null,
        postal_code: seed.address?.postal_code ?? null,
      },
      phone_number: seed.phone_number ?? null,
      seatLimit: seed.seatLimit ?? null,
      members: [],
    };
    for (const member of seed.members ?? [])
      business.members.push(this.buildMember(seed.id, member, stamp));
    return business;
  }

  private buildMember(businessId: number, seed: SeedMember, stamp: string): MemberRecord {
    const state = seed.state ?? 'active';
    const email = normalizeEmail(seed.email);
    const createdAt = seed.created_at ?? stamp;
    const invited = state === 'invited';
    const member: MemberRecord = {
      uuid: seed.uuid ?? stableUuid(`member:${businessId}:${email}`),
      membership_id: seed.membership_id ?? this.newMembershipId(),
      business_id: businessId,
      email,
      role: normalizeRole(seed.role),
      state,
      identity_id: invited
        ? null
        : seed.identity_id === undefined
          ? this.identityIdFor(email)
          : seed.identity_id,
      invitation_date_accepted: invited ? null : (seed.invitation_date_accepted ?? createdAt),
      created_at: createdAt,
      updated_at: seed.updated_at ?? createdAt,
      former_identity_id: null,
      ...emptyProfile(),
    };
    for (const field of PROFILE_FIELDS) member[field] = seed[field] ?? null;
    return member;
  }

  newIdentityId(): number {
    return this.nextIdentityId++;
  }

  /** The seed identity that signs in with this email, if any (emails are unique per person). */
  identityByEmail(email: string): IdentityRecord | undefined {
    const wanted = normalizeEmail(email);
    for (const identity of this.identities.values()) if (identity.email === wanted) return identity;
    return undefined;
  }

  /**
   * The identity a team row with this email gets when it has none yet: the identity that signs
   * in with that email — so the OAuth caller and its own team row are one person, in users/me
   * and in team_members alike — or else a fresh one (a person who never signs in here).
   */
  identityIdFor(email: string): number {
    return this.identityByEmail(email)?.id ?? this.newIdentityId();
  }

  newMembershipId(): number {
    return this.nextMembershipId++;
  }

  business(id: number): BusinessRecord | undefined {
    return this.businesses.get(id);
  }

  member(businessId: number, uuid: string): MemberRecord | undefined {
    return this.businesses.get(businessId)?.members.find((m) => m.uuid === uuid);
  }

  memberByEmail(businessId: number, email: string): MemberRecord | undefined {
    const wanted = normalizeEmail(email);
    return this.businesses.get(businessId)?.members.find((m) => m.email === wanted);
  }

  /** Every business the identity can act on: its active team rows, then its `admin_of` access. */
  memberships(identityId: number): Membership[] {
    const found: Membership[] = [];
    for (const business of this.businesses.values()) {
      const row = business.members.find(
        (m) => m.identity_id === identityId && m.state === 'active',
      );
      if (row) found.push({ membershipId: row.membership_id, role: row.role, business });
    }
    for (const businessId of this.identities.get(identityId)?.admin_of ?? []) {
      const business = this.businesses.get(businessId);
      if (!business || found.some((m) => m.business.id === businessId)) continue;
      const key = `${identityId}:${businessId}`;
      let id = this.adminMembershipIds.get(key);
      if (id === undefined) {
        id = this.newMembershipId();
        this.adminMembershipIds.set(key, id);
      }
      found.push({ membershipId: id, role: 'business_partner', business });
    }
    return found;
  }

  /** The identity's role in the business, or null when it cannot act on it. */
  roleIn(identityId: number, businessId: number): string | null {
    return this.memberships(identityId).find((m) => m.business.id === businessId)?.role ?? null;
  }

  /** The state in the seed format; `refreshTokens` supplies each client's live tokens. */
  toSeed(refreshTokens: (clientId: string) => string[]): EmulatorSeed {
    return {
      version: 1,
      identities: [...this.identities.values()].map((i) => ({ ...i, admin_of: [...i.admin_of] })),
      businesses: [...this.businesses.values()].map((b) => ({
        id: b.id,
        business_uuid: b.business_uuid,
        name: b.name,
        account_id: b.account_id,
        date_format: b.date_format,
        timezone: b.timezone,
        address: { ...b.address },
        phone_number: b.phone_number,
        // Only when set: a business without a limit dumps as it did before seats existed.
        ...(b.seatLimit === null ? {} : { seatLimit: b.seatLimit }),
        members: b.members.map(
          ({ former_identity_id: _former, business_id: _business, ...rest }) => ({ ...rest }),
        ),
      })),
      clients: this.clientOrder.flatMap((id) => {
        const client = this.clients.get(id);
        return client ? [{ ...client, refresh_tokens: refreshTokens(id) }] : [];
      }),
    };
  }
}

function emptyProfile(): Record<(typeof PROFILE_FIELDS)[number], null> {
  return Object.fromEntries(PROFILE_FIELDS.map((f) => [f, null])) as Record<
    (typeof PROFILE_FIELDS)[number],
    null
  >;
}
