import { plural, type GuardInput, type GuardVerdict } from './guard-input.js';

/** Used when a policy gives no fraction (the policy loader normally fills it in). */
export const DEFAULT_MAX_REVOKE_FRACTION = 0.25;

/**
 * `maxRevokes`: a mass-removal brake (peribolos' `--maximum-removal-delta`). Fails when the
 * plan revokes more than `count` people (if set) or more than `fraction` of the business's
 * current members (active + pending invitations, the owner included). A plan with no revokes
 * always passes, even in an empty business.
 */
export function maxRevokesGuard(input: GuardInput): GuardVerdict {
  const fraction = input.rules.maxRevokes.fraction ?? DEFAULT_MAX_REVOKE_FRACTION;
  const count = input.rules.maxRevokes.count;
  let members = 0;
  for (const member of input.live.members) if (member.state !== 'deactivated') members += 1;
  let revokes = 0;
  for (const change of input.changes) if (change.action === 'revoke') revokes += 1;

  // The epsilon keeps 0.29 * 100 = 28.999… from becoming 28.
  const allowedByFraction = Math.floor(members * fraction + 1e-9);
  const limits = [
    ...(count === undefined ? [] : [`at most ${count}`]),
    `at most ${percent(fraction)} (${allowedByFraction} of ${members})`,
  ].join(' and ');
  const share = members === 0 ? '' : ` (${percent(revokes / members)})`;
  const what = `${plural(revokes, 'revoke')} of ${plural(members, 'current member')}${share}`;

  const overCount = count !== undefined && revokes > count;
  const overFraction = revokes > 0 && revokes > allowedByFraction;
  if (!overCount && !overFraction) {
    return { guard: 'maxRevokes', ok: true, message: `${what}; limit ${limits}` };
  }
  return { guard: 'maxRevokes', ok: false, message: `${what} exceeds the limit: ${limits}` };
}

function percent(value: number): string {
  const rounded = Math.round(value * 1000) / 10;
  return `${Number.isInteger(rounded) ? rounded.toFixed(0) : rounded.toFixed(1)}%`;
}
