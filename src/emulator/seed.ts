/**
 * The emulator's JSON seed format: the whole state it starts from (and what
 * `GET /_emulator/state` dumps and `PUT /_emulator/state` loads). Field names follow the
 * FreshBooks wire names. Every field marked optional has a default (see ./README.md, "Seed format").
 * Types only: validate-seed.ts checks a value against them, load-seed.ts reads a file.
 */
import type { EmulatorMemberState } from './model.js';

export interface SeedMember {
  /** Default: derived from the business id and email, so it is stable across restarts. */
  uuid?: string;
  membership_id?: number;
  email: string;
  /** API name (`business_partner`) or short name (`admin`); unknown names are kept verbatim. */
  role: string;
  /** Default `active`. */
  state?: EmulatorMemberState;
  first_name?: string | null;
  middle_name?: string | null;
  last_name?: string | null;
  job_title?: string | null;
  street_1?: string | null;
  street_2?: string | null;
  city?: string | null;
  province?: string | null;
  country?: string | null;
  postal_code?: string | null;
  phone_number?: string | null;
  /**
   * Absent: for active and deactivated members, the id of the seed identity with the same email
   * (the person who signs in with it, e.g. the OAuth caller), else a fresh id; null for invited
   * ones. When an identity has this email, an explicit id must be that identity's.
   */
  identity_id?: number | null;
  /** Absent: `created_at` for active and deactivated members, null for invited ones. */
  invitation_date_accepted?: string | null;
  created_at?: string;
  updated_at?: string;
}

export interface SeedAddress {
  street?: string | null;
  city?: string | null;
  province?: string | null;
  country?: string | null;
  postal_code?: string | null;
}

export interface SeedBusiness {
  id: number;
  business_uuid?: string;
  name: string;
  account_id: string;
  date_format?: string;
  timezone?: string;
  address?: SeedAddress;
  phone_number?: string | null;
  /**
   * Paid team-member seats (a whole number ≥ 0); absent or null: no limit. camelCase because it
   * is no FreshBooks field: FreshBooks shows the count only in its UI ("9 out of 10").
   */
  seatLimit?: number | null;
  members?: SeedMember[];
}

export interface SeedIdentity {
  id: number;
  /** Unique among identities; team rows with this email are this identity's own rows. */
  email: string;
  first_name?: string | null;
  last_name?: string | null;
  created_at?: string;
  /**
   * Businesses this identity may administer without a team row (a test seed with an empty
   * team). They appear in users/me as `business_partner` memberships.
   */
  admin_of?: number[];
}

export interface SeedClient {
  client_id: string;
  client_secret: string;
  /** The identity its tokens act as. */
  identity_id: number;
  redirect_uri?: string;
  scope?: string;
  /** Valid refresh tokens at start; one is minted when there is none. */
  refresh_tokens?: string[];
}

export interface EmulatorSeed {
  version?: 1;
  description?: string;
  identities: SeedIdentity[];
  businesses: SeedBusiness[];
  /** At least one; the first one's credentials are what `startEmulator` hands out. */
  clients: SeedClient[];
}
