/**
 * Out-of-band control: what a test, a benchmark or the demo does *behind* rolecall's back.
 * The same operations are served over HTTP under `/_emulator/` (control-routes.ts). None of
 * them needs OAuth, none is counted in the request log, and none is subject to faults.
 */
import { RolecallError } from '../errors.js';
import { patchConfig, type EmulatorConfig } from './config.js';
import type { EmulatorContext } from './context.js';
import { isFaultKind, type FaultKind } from './faults.js';
import { MemberOpError } from './members.js';
import {
  acceptInvitation,
  addMember,
  patchMember,
  type AddMemberInput,
  type PatchMemberInput,
} from './members-control.js';
import { normalizeEmail } from './model.js';
import type { RequestStats } from './request-log.js';
import { seatsOf, type SeatsJson } from './seats.js';
import type { EmulatorSeed } from './seed.js';
import { validateSeed } from './validate-seed.js';
import { teamMemberJson, type TeamMemberJson } from './wire.js';

/** A refused control call; `status` is what the HTTP twin answers. */
export class EmulatorControlError extends RolecallError {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super('EMULATOR_CONTROL', message);
    this.name = 'EmulatorControlError';
  }
}

export interface MintCodeInput {
  client_id: string;
  /** Default: the client's registered redirect URI. The token request must repeat it. */
  redirect_uri?: string;
  /** Default: the client's identity. */
  identity_id?: number;
  /**
   * Space-separated scopes the user approves: by default all the client's. Fewer is a user who
   * authorised the app with less (a read-only token): every token of this grant carries them.
   */
  scope?: string;
}

export interface EmulatorControl {
  /** The whole state in the seed format (with each client's live refresh tokens). */
  dumpState(): EmulatorSeed;
  /** Replaces the state (validated like a seed file). */
  loadState(seed: unknown): void;
  /** The business's team rows as FreshBooks would list them (all states, list order). */
  members(businessId: number): TeamMemberJson[];
  /** One row by uuid or email, or null. */
  member(businessId: number, uuidOrEmail: string): TeamMemberJson | null;
  addMember(businessId: number, input: AddMemberInput): TeamMemberJson;
  updateMember(businessId: number, uuid: string, patch: PatchMemberInput): TeamMemberJson;
  acceptInvitation(businessId: number, uuid: string): TeamMemberJson;
  /** The business's paid seats: its limit (null: none), how many are in use, how many free. */
  seats(businessId: number): SeatsJson;
  /**
   * Sets the business's paid-seat limit (a whole number ≥ 0), or removes it (null). Members
   * already over a lowered limit stay; only new paid seats are refused.
   */
  setSeatLimit(businessId: number, limit: unknown): SeatsJson;
  requests(): RequestStats;
  resetRequests(): void;
  config(): EmulatorConfig;
  configure(patch: Partial<EmulatorConfig> | Record<string, unknown>): EmulatorConfig;
  mintCode(input: MintCodeInput): string;
  /** The next matching request gets this fault (route: `POST /auth/api/v1/users/invitation`, …). */
  queueFault(fault: FaultKind, route?: string): void;
  clearQueuedFaults(): void;
}

function mapMemberError(error: unknown): never {
  if (error instanceof MemberOpError) {
    const status =
      error.kind === 'not_found'
        ? 404
        : error.kind === 'conflict' || error.kind === 'seat_limit'
          ? 409
          : 400;
    throw new EmulatorControlError(status, error.message);
  }
  throw error;
}

function controlError(error: unknown): never {
  if (error instanceof RolecallError && !(error instanceof EmulatorControlError)) {
    throw new EmulatorControlError(400, error.message);
  }
  throw error;
}

/**
 * The scopes a code grants: those asked for, each one the client's (an authorisation can narrow
 * what the app may do, never widen it), in the client's order; the client's when none are asked.
 */
function grantedScope(asked: unknown, clientScope: string): string {
  if (asked === undefined) return clientScope;
  if (typeof asked !== 'string') {
    throw new EmulatorControlError(400, 'scope must be a string of space-separated scopes');
  }
  const allowed = clientScope.split(/\s+/).filter(Boolean);
  const wanted = new Set(asked.split(/\s+/).filter(Boolean));
  const foreign = [...wanted].filter((scope) => !allowed.includes(scope));
  if (foreign.length > 0) {
    throw new EmulatorControlError(
      400,
      `scope ${foreign.join(', ')} is not one of the client's (${allowed.join(' ')})`,
    );
  }
  return allowed.filter((scope) => wanted.has(scope)).join(' ');
}

export function createControl(ctx: EmulatorContext): EmulatorControl {
  const business = (id: number) => {
    const found = ctx.state.business(id);
    if (!found) throw new EmulatorControlError(404, `no business ${id}`);
    return found;
  };
  return {
    dumpState: () => ctx.state.toSeed((clientId) => ctx.tokens.liveRefreshTokens(clientId)),
    loadState(seed) {
      try {
        ctx.loadSeed(validateSeed(seed, '(loaded state)'));
      } catch (error) {
        controlError(error);
      }
    },
    members: (businessId) => business(businessId).members.map(teamMemberJson),
    member(businessId, key) {
      const wanted = key.includes('@') ? normalizeEmail(key) : key;
      const row = business(businessId).members.find((m) => m.uuid === wanted || m.email === wanted);
      return row ? teamMemberJson(row) : null;
    },
    addMember(businessId, input) {
      try {
        return teamMemberJson(addMember(ctx.state, businessId, input, ctx.now()));
      } catch (error) {
        return mapMemberError(error);
      }
    },
    updateMember(businessId, uuid, patch) {
      try {
        return teamMemberJson(patchMember(ctx.state, businessId, uuid, patch, ctx.now()));
      } catch (error) {
        return mapMemberError(error);
      }
    },
    acceptInvitation(businessId, uuid) {
      try {
        return teamMemberJson(acceptInvitation(ctx.state, businessId, uuid, ctx.now()));
      } catch (error) {
        return mapMemberError(error);
      }
    },
    seats: (businessId) => seatsOf(business(businessId)),
    setSeatLimit(businessId, limit) {
      const target = business(businessId);
      if (
        limit !== null &&
        !(typeof limit === 'number' && Number.isSafeInteger(limit) && limit >= 0)
      ) {
        throw new EmulatorControlError(
          400,
          `limit must be a whole number ≥ 0, or null for no limit; got ${JSON.stringify(limit ?? null)}`,
        );
      }
      target.seatLimit = limit;
      return seatsOf(target);
    },
    requests: () => ctx.log.stats(),
    resetRequests: () => ctx.log.reset(),
    config: () => structuredClone(ctx.config),
    configure(patch) {
      try {
        ctx.setConfig(patchConfig(ctx.config, patch as Record<string, unknown>));
      } catch (error) {
        controlError(error);
      }
      return structuredClone(ctx.config);
    },
    mintCode(input) {
      const client = ctx.state.clients.get(input.client_id);
      if (!client)
        throw new EmulatorControlError(404, `no OAuth client "${String(input.client_id)}"`);
      const identityId = input.identity_id ?? client.identity_id;
      if (!ctx.state.identities.has(identityId))
        throw new EmulatorControlError(404, `no identity ${identityId}`);
      const redirectUri = input.redirect_uri ?? client.redirect_uri;
      return ctx.tokens.mintCode(
        client.client_id,
        identityId,
        redirectUri,
        grantedScope(input.scope, client.scope),
        ctx.now(),
      );
    },
    queueFault(fault, route) {
      if (!isFaultKind(fault))
        throw new EmulatorControlError(400, `unknown fault "${String(fault)}"`);
      ctx.faults.enqueue(fault, route);
    },
    clearQueuedFaults: () => ctx.faults.clearQueue(),
  };
}
