import type { Change } from '../../types.js';
import { describeChangeShort } from '../describe.js';
import { listSome, plural, type GuardInput, type GuardVerdict } from './guard-input.js';

/**
 * `protected`: no change may touch a person in `rules.protected` or the owner. The diff never
 * plans the owner; checking here too keeps the promise if a plan ever comes from elsewhere.
 */
export function protectedGuard(input: GuardInput): GuardVerdict {
  const protectedEmails = new Set(input.rules.protected);
  for (const member of input.live.members) {
    if (member.role === 'owner') protectedEmails.add(member.email);
  }
  const touching: Change[] = input.changes.filter((change) => protectedEmails.has(change.email));
  const who = listSome([...protectedEmails].sort());
  if (touching.length === 0) {
    return {
      guard: 'protected',
      ok: true,
      message:
        protectedEmails.size === 0
          ? 'no protected people'
          : `no change touches a protected person (${who})`,
    };
  }
  return {
    guard: 'protected',
    ok: false,
    message: `${plural(touching.length, 'change')} would touch protected people: ${listSome(
      touching.map((change) => `${change.email} (${describeChangeShort(change)})`),
    )}`,
  };
}
