/**
 * What approval a request's pull request needs, in words, from the business's `approvals:`
 * rules (the gate in flows/github/approval-gate.ts decides; this only tells the requester what
 * to expect). No rules: one approval, as the gate's default.
 */
import type { ApprovalRule, ApprovalRules } from '../types.js';

function from(rule: ApprovalRule): string {
  const who = [
    ...(rule.teams ?? []).map((t) => `team ${t}`),
    ...(rule.users ?? []).map((u) => `@${u}`),
  ];
  return who.length > 0 ? ` from ${who.join(' or ')}` : '';
}

function count(n: number): string {
  return `${n} approving review${n === 1 ? '' : 's'}`;
}

export function approvalNeeds(rules: ApprovalRules | undefined, role: string): string[] {
  const base = rules ?? { required: 1 };
  const lines = [`${count(base.required)}${from(base)} (approvals.required)`];
  const forRole = base.roles?.[role as keyof NonNullable<ApprovalRules['roles']>];
  if (forRole) lines.push(`${count(forRole.required)}${from(forRole)} (approvals.roles.${role})`);
  return lines;
}
