/**
 * The flow context: the only place that loads policies, opens FreshBooks and opens GitHub for a
 * flow (plan, drift, expire, review, apply --github, the demo and the benchmarks): load and
 * validate the policies, read live FreshBooks (or a snapshot), record which commit the policies
 * came from, open a GitHub session whose warnings are always redacted. One code path, so that the
 * CLI and the GitHub Action cannot drift apart.
 */
import { resolve } from 'node:path';
import { RolecallError } from '../errors.js';
import { connectFreshBooks, type FreshBooksConnection } from '../freshbooks/connect.js';
import { noticeLogger, streamLogger } from '../freshbooks/logger.js';
import { commitOf } from '../git/commit-of.js';
import { formatDiagnostic, formatGitHubAnnotation } from '../policy/load-desired-state.js';
import type { AccessReader } from '../ports.js';
import { readLiveStateFile } from '../sync/live-state-file.js';
import { syncLiveState } from '../sync/sync-live-state.js';
import type { DesiredState, LiveState, PolicyCommit } from '../types.js';
import type { Console } from '../ports.js';
import { inGitHubActions } from '../console.js';
import { readPolicies, type LoadPoliciesOptions } from './read-policies.js';
import { openGitHubSession, type GitHubSession } from '../github/session.js';
import { redact } from '../redact.js';

export {
  DEFAULT_POLICIES_DIR,
  type LoadPoliciesOptions,
  type PoliciesAt,
} from './read-policies.js';

/**
 * Loads and validates the policies; prints every problem (and, in GitHub Actions, an
 * annotation for it) on stderr; throws when there is an error, so that an invalid policy
 * never reaches the FreshBooks API.
 */
export async function loadPolicies(
  io: Console,
  options: LoadPoliciesOptions,
): Promise<DesiredState> {
  const at = options.at;
  const result = await readPolicies(io.cwd, options);
  const annotate = inGitHubActions(io);
  for (const diagnostic of [...result.errors, ...result.warnings]) {
    io.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
    if (annotate) io.stderr.write(`${formatGitHubAnnotation(diagnostic)}\n`);
  }
  if (result.errors.length > 0 || !result.value) {
    const n = result.errors.length;
    const where = at ? `${options.dir} at ${at.sha.slice(0, 12)}` : options.dir;
    const command = at ? `rolecall validate --at ${at.sha.slice(0, 12)}` : 'rolecall validate';
    throw new RolecallError(
      'POLICY_INVALID',
      `${n} error${n === 1 ? '' : 's'} in ${where}; nothing was planned (run \`${command}\`)`,
    );
  }
  return result.value;
}

/** Restricts the desired state to some businesses; each must be named by a policy. */
export function selectBusinesses(desired: DesiredState, ids: readonly number[]): DesiredState {
  if (ids.length === 0) return desired;
  const known = new Set(desired.businesses.map((b) => b.businessId));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new RolecallError(
      'UNKNOWN_BUSINESS',
      `business ${unknown.join(', ')} is not named by any policy; the policies name ${
        [...known].join(', ') || 'no business'
      }`,
    );
  }
  const wanted = new Set(ids);
  return { businesses: desired.businesses.filter((b) => wanted.has(b.businessId)) };
}

export interface ConnectionOptions {
  tokenStore?: string | undefined;
  rate?: number | undefined;
  /** Requests a connection may send at once before the rate applies (the demo's sandbox). */
  burst?: number | undefined;
  verbose?: boolean | undefined;
}

/** Opens the FreshBooks connection a command uses for the whole run (one rate budget). */
export function openFreshBooks(
  io: Console,
  options: ConnectionOptions,
): Promise<FreshBooksConnection> {
  return connectFreshBooks({
    env: io.env,
    cwd: io.cwd,
    ...(options.tokenStore === undefined ? {} : { tokenStore: options.tokenStore }),
    ...(options.rate === undefined ? {} : { rate: options.rate }),
    ...(options.burst === undefined ? {} : { burst: options.burst }),
    logger: options.verbose ? streamLogger(io.stderr) : noticeLogger(io.stderr),
    // Which refresh token or variable name is used, when that is not the obvious one.
    notice: (line) => io.stderr.write(`rolecall: ${redact(line)}\n`),
  });
}

/**
 * Where the live state comes from: a snapshot file (`--live FILE`, offline), a reader the
 * caller already holds, or a FreshBooks connection opened for this read and closed after it.
 */
export type LiveSource =
  { liveFile: string } | { reader: AccessReader } | { connect: ConnectionOptions };

/** `--live FILE` when given, else a connection with the command's options. */
export function liveSourceOf(
  options: ConnectionOptions & { liveFile?: string | undefined },
): LiveSource {
  return options.liveFile !== undefined ? { liveFile: options.liveFile } : { connect: options };
}

/** The live state of the given businesses. A snapshot must hold every business asked for. */
export async function readLive(
  io: Console,
  source: LiveSource,
  businessIds: readonly number[],
  now: Date,
): Promise<LiveState> {
  if ('liveFile' in source) {
    const live = await readLiveStateFile(resolve(io.cwd, source.liveFile));
    const present = new Set(live.businesses.map((b) => b.businessId));
    const missing = businessIds.filter((id) => !present.has(id));
    if (missing.length > 0) {
      throw new RolecallError(
        'LIVE_INCOMPLETE',
        `${source.liveFile} has no business ${missing.join(', ')}; sync it again with \`rolecall sync --out ${source.liveFile}\``,
      );
    }
    return live;
  }
  if ('reader' in source) return syncLiveState(source.reader, [...businessIds], { now });
  const connection = await openFreshBooks(io, source.connect);
  try {
    return await syncLiveState(connection, [...businessIds], { now });
  } finally {
    await connection.close();
  }
}

/**
 * policy file → the commit it was read at (HEAD, and whether that file is dirty). One git call
 * when the policies are clean (CI); per file only when something is dirty (a laptop). Policies
 * read from a commit's objects (`at`) came from exactly that commit, clean by construction.
 */
export async function policyCommitsOf(
  io: Console,
  desired: DesiredState,
  at?: string,
): Promise<Record<string, PolicyCommit>> {
  const files = desired.businesses.map((business) => business.file);
  if (at !== undefined) {
    return Object.fromEntries(files.map((file) => [file, { sha: at, dirty: false }]));
  }
  const all = await commitOf(io.cwd, files);
  const commits: Record<string, PolicyCommit> = {};
  for (const file of files) commits[file] = all.dirty ? await commitOf(io.cwd, [file]) : all;
  return commits;
}

/**
 * The GitHub session of a flow, from the Actions environment (`GITHUB_TOKEN`, `GITHUB_REPOSITORY`,
 * the event). Its warnings go to stderr through the redactor: a token in an error never prints.
 */
export function openGitHub(io: Console): Promise<GitHubSession> {
  return openGitHubSession(io.env, { warn: (message) => io.stderr.write(`${redact(message)}\n`) });
}
