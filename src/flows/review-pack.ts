/**
 * The access review pack, as every `rolecall review` mode needs it: the policies (validated),
 * the live members (FreshBooks or a snapshot), and git provenance loaded once up front, so that
 * the pure `buildReviewPack` can ask "who granted this line" synchronously.
 */
import { gitFailure, isNotARepository, openGit } from '../git/open-git.js';
import { loadPolicyProvenance } from '../git/provenance-index.js';
import { RolecallError } from '../errors.js';
import {
  buildReviewPack,
  summarizeReviewSeats,
  type ReviewRow,
  type ReviewSeats,
} from '../review/index.js';
import type { DesiredState, LiveState } from '../types.js';
import type { Console } from '../ports.js';
import { liveSourceOf, loadPolicies, readLive, selectBusinesses } from './context.js';

export interface ReviewPackOptions {
  /** `--policies`, as given (relative to `io.cwd`). */
  dir: string;
  businessIds: readonly number[];
  liveFile?: string | undefined;
  tokenStore?: string | undefined;
  rate?: number | undefined;
  verbose?: boolean | undefined;
  now: Date;
}

export interface ReviewPack {
  desired: DesiredState;
  live: LiveState;
  rows: ReviewRow[];
  /** Paid seats per business the policies name, in their order. */
  seats: ReviewSeats[];
}

export async function loadReviewPack(io: Console, options: ReviewPackOptions): Promise<ReviewPack> {
  const desired = selectBusinesses(
    await loadPolicies(io, { dir: options.dir, now: options.now }),
    options.businessIds,
  );
  const ids = desired.businesses.map((business) => business.businessId);
  const live = await readLive(io, liveSourceOf(options), ids, options.now);
  // One blame per policy file, whatever the number of members.
  const index = await loadPolicyProvenance(io.cwd, options.dir);
  const rows = buildReviewPack({
    desired,
    live,
    // `entry` (not `line`): the commit that last set the entry's email or role, so that a role
    // changed later names the change, not the commit that first added the person.
    provenance: (file, line) => index.entry(file, line),
    now: options.now,
  });
  await warnAboutProvenance(io, rows, index.files.length);
  return { desired, live, rows, seats: summarizeReviewSeats({ desired, live, rows }) };
}

/** Says why `granted_by` is empty or unreliable, on stderr (stdout may be the CSV). */
async function warnAboutProvenance(io: Console, rows: readonly ReviewRow[], blamed: number) {
  const missing = rows.filter((row) => row.inPolicy && row.commit === null);
  if (blamed === 0) {
    if (rows.some((row) => row.inPolicy)) {
      io.stderr.write(
        'rolecall: warning: the policies are not committed in a git repository: the pack has no provenance (granted by, commit, pull request)\n',
      );
    }
    return;
  }
  if (missing.length > 0) {
    const list = missing.map((row) => row.policySource ?? row.email).join(', ');
    io.stderr.write(
      `rolecall: warning: ${missing.length} policy ${missing.length === 1 ? 'entry is' : 'entries are'} not committed yet (no provenance): ${list}\n`,
    );
  }
  if (await isShallow(io.cwd)) {
    io.stderr.write(
      'rolecall: warning: this is a shallow clone: lines older than the fetched history are attributed to its oldest commit; fetch the full history (actions/checkout `fetch-depth: 0`)\n',
    );
  }
}

async function isShallow(dir: string): Promise<boolean> {
  try {
    const out = await openGit(dir).raw(['rev-parse', '--is-shallow-repository']);
    return out.trim() === 'true';
  } catch (error) {
    if (isNotARepository(error)) return false;
    if (error instanceof RolecallError) return false;
    throw gitFailure(error, 'checking for a shallow clone');
  }
}
