import { GUARD_NAMES, type BusinessPolicy, type GuardName, type GuardResult } from '../../types.js';
import { sortedSource } from '../diff-business.js';
import type { GuardInput, GuardVerdict } from './guard-input.js';
import { maxRevokesGuard } from './max-revokes.js';
import { minAdminsGuard } from './min-admins.js';
import { protectedGuard } from './protected.js';
import { seatsGuard } from './seats.js';
import { selfGuard } from './self.js';

const GUARDS: Readonly<Record<GuardName, (input: GuardInput) => GuardVerdict>> = {
  protected: protectedGuard,
  minAdmins: minAdminsGuard,
  maxRevokes: maxRevokesGuard,
  self: selfGuard,
  seats: seatsGuard,
};

export interface GuardEvaluation {
  /** Every guard, in `GUARD_NAMES` order, passed or not, so renderings can show all of them. */
  guards: GuardResult[];
  /** False when a guard failed and the policy records no override for it. */
  applyable: boolean;
}

/**
 * Runs every guard and applies the policy's overrides. A failed guard with an override stays
 * failed (`ok: false`, so every rendering shows it) but carries the override and no longer
 * blocks the plan. An override for a guard that passes is not attached: it changed nothing.
 */
export function evaluateGuards(
  input: GuardInput & { overrides: BusinessPolicy['overrides'] },
): GuardEvaluation {
  let applyable = true;
  const guards = GUARD_NAMES.map((name): GuardResult => {
    const verdict = GUARDS[name](input);
    // Keys in canonical order, so the plan digest can serialise results as they are.
    const result: GuardResult = { guard: name, message: verdict.message, ok: verdict.ok };
    if (verdict.ok) return result;
    const override = input.overrides.find((candidate) => candidate.guard === name);
    if (override === undefined) {
      applyable = false;
      return result;
    }
    result.override = {
      reason: override.reason,
      source: sortedSource(override.source),
      ticket: override.ticket,
    };
    return result;
  });
  return { guards, applyable };
}
