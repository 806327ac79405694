/**
 * A branch rolecall owns and rebuilds (the expiry clean-up, a request from an issue): reading
 * its remote head, fetching that commit without moving any ref of the user's, telling rolecall's
 * own commits apart, and whether it already holds the policy files a run would write.
 */
import { RolecallError } from '../errors.js';
import { commitIsPresent } from '../git/index.js';
import { gitFailure, openGit } from '../git/open-git.js';
import type { PolicySource } from '../policy/validate-documents.js';

/** The sha of `refs/heads/<branch>` on the remote, or null. */
export async function remoteBranchSha(
  cwd: string,
  remote: string,
  branch: string,
): Promise<string | null> {
  let out: string;
  try {
    out = await openGit(cwd, { network: true }).raw([
      'ls-remote',
      '--heads',
      remote,
      `refs/heads/${branch}`,
    ]);
  } catch (error) {
    throw gitFailure(error, `reading ${branch} on ${remote}`);
  }
  const line = out.split('\n').find((l) => l.endsWith(`\trefs/heads/${branch}`));
  return line ? (line.split('\t')[0] ?? null) : null;
}

/** Makes the remote branch's head commit available locally (no ref of the user's is moved). */
export async function fetchCommit(cwd: string, remote: string, branch: string, sha: string) {
  if (await commitIsPresent(cwd, sha)) return;
  try {
    await openGit(cwd, { network: true }).raw([
      'fetch',
      '--quiet',
      '--no-tags',
      '--no-write-fetch-head',
      remote,
      `refs/heads/${branch}`,
    ]);
  } catch (error) {
    throw gitFailure(error, `fetching ${branch} from ${remote}`);
  }
  if (!(await commitIsPresent(cwd, sha))) {
    throw new RolecallError(
      'CLEANUP_BRANCH_MOVED',
      `${branch} on ${remote} moved while rolecall was reading it; run again`,
    );
  }
}

/** The commit's message when it has exactly one parent (as rolecall's commits do), else null. */
export async function singleParentMessage(cwd: string, sha: string): Promise<string | null> {
  let out: string;
  try {
    out = await openGit(cwd).raw(['log', '-1', '--format=%P%x00%B', sha]);
  } catch (error) {
    throw gitFailure(error, `reading commit ${sha.slice(0, 12)}`);
  }
  const [parents = '', message = ''] = out.split('\0');
  return parents.trim().split(/\s+/).filter(Boolean).length === 1 ? message : null;
}

/** Whether two sets of policy files are the same files with the same text. */
export function samePolicies(a: readonly PolicySource[], b: readonly PolicySource[]): boolean {
  if (a.length !== b.length) return false;
  const byFile = new Map(a.map((s) => [s.file, s.text]));
  return b.every((s) => byFile.get(s.file) === s.text);
}
