import { confirmationGate, refusingGate } from '../../apply/approval-gates.js';
import type { ApprovalGate, Console } from '../../ports.js';

/** Why `expire --github` refuses a business without `rules.autoApproveExpiry`. */
export const GITHUB_EXPIRY_REFUSAL =
  'rules.autoApproveExpiry is not set in its policy, so the scheduled job does not revoke on its own. The expired access stays (the drift issue lists it) until someone runs `rolecall expire` at a terminal, or the policy sets rules.autoApproveExpiry: true';

/**
 * The gate for businesses that did not opt in to `autoApproveExpiry`. Under `--github` it
 * refuses, even with `--yes`: whether expiry may skip a human is decided in the policy, where
 * it is reviewed, not by a flag in a workflow file. Locally: `--yes`, else the terminal prompt
 * (only the exact answer "yes" approves; without a terminal it refuses).
 */
export function manualExpiryGate(
  io: Console,
  options: { github: boolean; yes: boolean },
): ApprovalGate {
  if (options.github) return refusingGate(GITHUB_EXPIRY_REFUSAL);
  return confirmationGate(io, {
    yes: options.yes,
    ask: (changes) => `Revoke these ${changes} expired grant(s) in FreshBooks now?`,
  });
}
