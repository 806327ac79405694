import { describeChangeShort } from '../describe.js';
import { listSome, type GuardInput, type GuardVerdict } from './guard-input.js';

/**
 * `self`: never revoke or downgrade the identity the token belongs to — rolecall would lock
 * itself (and usually the person running it) out halfway through. The identity is matched by
 * identity id *and* by email, so a renamed login or a second record cannot slip through.
 */
export function selfGuard(input: GuardInput): GuardVerdict {
  const { identity } = input;
  const selfUuids = new Set<string>();
  for (const member of input.live.members) {
    if (member.identityId === identity.identityId || member.email === identity.email) {
      selfUuids.add(member.uuid);
    }
  }
  const who = `${identity.email} (identity ${identity.identityId})`;
  const hits = input.changes.filter(
    (change) =>
      (change.action === 'revoke' ||
        (change.action === 'change' && change.direction === 'downgrade')) &&
      (change.email === identity.email ||
        (change.uuid !== undefined && selfUuids.has(change.uuid))),
  );
  if (hits.length === 0) {
    return { guard: 'self', ok: true, message: `the token's identity ${who} keeps its access` };
  }
  return {
    guard: 'self',
    ok: false,
    message: `this plan would revoke or downgrade the identity rolecall runs as (identity ${
      identity.identityId
    }): ${listSome(hits.map((change) => `${change.email} (${describeChangeShort(change)})`))}; rolecall would lock itself out`,
  };
}
