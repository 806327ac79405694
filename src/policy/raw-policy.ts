/**
 * A policy file exactly as written, once `schemas/policy.schema.json` has accepted it.
 *
 * The schema is the single source of truth; these types mirror it, and
 * `test/unit/policy/raw-policy-schema.test.ts` reads this file with the TypeScript compiler and
 * fails when a key or its optionality differs between the two. Keep one interface per schema
 * object and name nested types directly (no inline object types), so that test can follow them.
 */
import type { GuardName, ProvisioningMode, PolicyMode } from '../types.js';
import type { KnownRole, PolicyRole } from '../roles.js';

export interface RawPolicy {
  business: number;
  name?: string;
  mode?: PolicyMode;
  rules?: RawRules;
  teams?: RawTeam[];
  members?: RawMember[];
  overrides?: RawOverride[];
  provisioning?: RawProvisioning;
  approvals?: RawApprovals;
  identities?: RawIdentity[];
  seats?: RawSeats;
}

export interface RawRules {
  protected?: string[];
  minAdmins?: number;
  maxRevokes?: RawMaxRevokes;
  requireExpiry?: PolicyRole[];
  /** Role → duration string (`8h`, `14d`, `2w`). */
  maxDuration?: Partial<Record<PolicyRole, string>>;
  allowedDomains?: string[];
  requireReason?: boolean;
  autoApproveExpiry?: boolean;
  expiringSoonDays?: number;
  pendingInvitationDays?: number;
}

export interface RawMaxRevokes {
  count?: number;
  fraction?: number;
}

export interface RawTeam {
  name: string;
  role: PolicyRole;
  members: string[];
  reason?: string;
  ticket?: string;
  expires?: string;
}

export interface RawMember {
  email: string;
  role: PolicyRole;
  reason?: string;
  ticket?: string;
  expires?: string;
}

export interface RawOverride {
  guard: GuardName;
  reason: string;
  ticket: string;
}

export interface RawProvisioning {
  grant?: ProvisioningMode;
  change?: ProvisioningMode;
  revoke?: ProvisioningMode;
}

export interface RawApprovalRule {
  required: number;
  teams?: string[];
  users?: string[];
}

/** "This GitHub login is the person with these emails" (for the approval gate). */
export interface RawIdentity {
  github: string;
  emails: string[];
}

export interface RawApprovals {
  required: number;
  teams?: string[];
  users?: string[];
  roles?: Partial<Record<PolicyRole, RawApprovalRule>>;
}

export interface RawSeats {
  limit?: number;
  price?: RawSeatPrice;
  paidRoles?: KnownRole[];
}

export interface RawSeatPrice {
  amount: number;
  currency: string;
  per?: 'month' | 'year';
}
