import { readFile } from 'node:fs/promises';
import { RolecallError } from '../errors.js';
import { schemaValidator } from '../schemas.js';
import type { LiveBusiness, LiveMember, LiveState } from '../types.js';
import { businessFingerprint, compareMembers, memberFingerprint } from './live-member.js';

/**
 * A LiveState as a file (`rolecall sync --out`, `plan --live`): JSON with a fixed key order and
 * a trailing newline, so the same state always gives the same bytes.
 */
export function serializeLiveState(state: LiveState): string {
  const ordered: LiveState = {
    version: state.version,
    syncedAt: state.syncedAt,
    identity: { identityId: state.identity.identityId, email: state.identity.email },
    businesses: state.businesses.map(orderBusiness),
  };
  if (state.stats) {
    ordered.stats = {
      requests: state.stats.requests,
      retries: state.stats.retries,
      elapsedMs: state.stats.elapsedMs,
    };
  }
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

function orderBusiness(b: LiveBusiness): LiveBusiness {
  return {
    businessId: b.businessId,
    name: b.name,
    accountId: b.accountId,
    members: b.members.map(orderMember),
    unknownRoles: b.unknownRoles,
    fingerprint: b.fingerprint,
  };
}

function orderMember(m: LiveMember): LiveMember {
  return {
    uuid: m.uuid,
    email: m.email,
    apiRole: m.apiRole,
    role: m.role,
    state: m.state,
    identityId: m.identityId,
    invitationAcceptedAt: m.invitationAcceptedAt,
    firstName: m.firstName,
    lastName: m.lastName,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
    fingerprint: m.fingerprint,
  };
}

/**
 * Reads a snapshot written by `rolecall sync --out`. Checked against
 * `schemas/live-state.schema.json`, then for internal consistency: every fingerprint must match
 * its content, so a hand-edited snapshot cannot pass for what FreshBooks said.
 */
export async function readLiveStateFile(path: string): Promise<LiveState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new RolecallError(
      'LIVE_STATE_UNREADABLE',
      code === 'ENOENT'
        ? `${path}: no such file (write one with \`rolecall sync --out ${path}\`)`
        : `${path}: cannot read (${code ?? String(error)})`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new RolecallError(
      'LIVE_STATE_INVALID',
      `${path}: not valid JSON (${(error as Error).message})`,
    );
  }
  return parseLiveState(raw, path);
}

/** Validates an already-parsed snapshot; `label` names it in error messages. */
export function parseLiveState(raw: unknown, label: string): LiveState {
  const validate = schemaValidator('live-state');
  if (!validate(raw)) {
    const problems = (validate.errors ?? [])
      .slice(0, 10)
      .map(
        (e) => `  ${e.instancePath === '' ? '(root)' : e.instancePath}: ${e.message ?? 'invalid'}`,
      );
    throw new RolecallError(
      'LIVE_STATE_INVALID',
      `${label} is not a rolecall LiveState snapshot (schemas/live-state.schema.json):\n${problems.join('\n')}`,
    );
  }
  const state = raw as LiveState;
  const problems: string[] = [];
  const seen = new Set<number>();
  state.businesses.forEach((business, b) => {
    if (seen.has(business.businessId))
      problems.push(`/businesses/${b}: business ${business.businessId} appears twice`);
    seen.add(business.businessId);
    business.members.forEach((member, m) => {
      const { fingerprint, ...content } = member;
      if (memberFingerprint(content) !== fingerprint) {
        problems.push(
          `/businesses/${b}/members/${m} (${member.email}): fingerprint does not match the member`,
        );
      }
    });
    const sorted = [...business.members].sort(compareMembers);
    if (sorted.some((member, i) => member !== business.members[i])) {
      problems.push(`/businesses/${b}: members are not sorted by email, then uuid`);
    }
    if (businessFingerprint(business.businessId, business.members) !== business.fingerprint) {
      problems.push(`/businesses/${b}: fingerprint does not match the business's members`);
    }
  });
  if (problems.length > 0) {
    throw new RolecallError(
      'LIVE_STATE_TAMPERED',
      `${label} was changed after \`rolecall sync\` wrote it (re-run sync):\n${problems
        .slice(0, 10)
        .map((p) => `  ${p}`)
        .join('\n')}`,
    );
  }
  return state;
}
