/**
 * Push one local branch. Uses the operator's git transport as configured (credential helper,
 * `http.extraheader` from actions/checkout, `GIT_SSH_COMMAND`), never prompts (a prompt would
 * hang CI), and reports a refusal with the remote's reason. URLs in messages lose their
 * credentials.
 */
import { RolecallError } from '../errors.js';
import { gitMessage, isNotARepository, openGit } from './open-git.js';
import { redactGitText } from './redact-url.js';
import { assertBranchName, branchSha } from './branches.js';

export interface PushBranchOptions {
  /** A remote name (`origin`) or URL. */
  remote: string;
  branch: string;
  /** The branch name on the remote. Default: the same name. */
  remoteBranch?: string;
  /** Overwrite the remote branch (rolecall's own clean-up branch, rebuilt from the base). */
  force?: boolean;
}

export type PushStatus = 'created' | 'updated' | 'forced' | 'up-to-date';

export interface PushResult {
  remote: string;
  branch: string;
  remoteRef: string;
  sha: string;
  status: PushStatus;
}

interface PorcelainRef {
  flag: string;
  refs: string;
  summary: string;
}

/** `git push --porcelain` lines: `<flag>\t<from>:<to>\t<summary>`. */
export function parsePushPorcelain(out: string): PorcelainRef[] {
  const refs: PorcelainRef[] = [];
  for (const line of out.split('\n')) {
    const match = /^([ +\-*!=])\t([^\t]+)\t(.*)$/.exec(line);
    if (match && match[1] !== undefined && match[2] !== undefined && match[3] !== undefined) {
      refs.push({ flag: match[1], refs: match[2], summary: match[3].trim() });
    }
  }
  return refs;
}

const STATUS_BY_FLAG: Record<string, PushStatus> = {
  '*': 'created',
  ' ': 'updated',
  '+': 'forced',
  '=': 'up-to-date',
};

export async function pushBranch(repoDir: string, options: PushBranchOptions): Promise<PushResult> {
  const { remote, branch } = options;
  const remoteBranch = options.remoteBranch ?? branch;
  await assertBranchName(repoDir, branch);
  await assertBranchName(repoDir, remoteBranch);
  if (remote === '' || remote.startsWith('-')) {
    throw new RolecallError(
      'GIT_INVALID_REMOTE',
      `invalid remote ${JSON.stringify(redactGitText(remote))}`,
    );
  }
  const sha = await branchSha(repoDir, branch);
  if (sha === null) {
    throw new RolecallError('GIT_UNKNOWN_BRANCH', `cannot push ${branch}: no such local branch`);
  }
  const remoteRef = `refs/heads/${remoteBranch}`;
  const shownRemote = redactGitText(remote);
  const args = [
    'push',
    '--porcelain',
    ...(options.force ? ['--force'] : []),
    remote,
    `refs/heads/${branch}:${remoteRef}`,
  ];
  let out: string;
  try {
    out = await openGit(repoDir, { network: true }).raw(args);
  } catch (error) {
    if (isNotARepository(error)) {
      throw new RolecallError(
        'GIT_NOT_A_REPOSITORY',
        `cannot push ${branch}: not a git repository`,
      );
    }
    const text = error instanceof Error ? error.message : String(error);
    const rejected = parsePushPorcelain(text).find((ref) => ref.flag === '!');
    if (rejected !== undefined) {
      // The remote's own words (`remote: GH006: Protected branch update failed …`) say why.
      const remoteLines = text
        .split('\n')
        .filter((line) => line.startsWith('remote:'))
        .map((line) => line.replace(/^remote:\s*/, '').trim())
        .filter((line) => line.length > 0)
        .slice(0, 5);
      const detail = remoteLines.length > 0 ? `; the remote said: ${remoteLines.join(' / ')}` : '';
      const hint = /non-fast-forward|fetch first|stale info/.test(rejected.summary)
        ? ' (the remote branch has commits this one does not have)'
        : '';
      throw new RolecallError(
        'GIT_PUSH_REFUSED',
        redactGitText(
          `push refused: ${remoteBranch} on ${shownRemote}: ${rejected.summary}${hint}${detail}`,
        ),
      );
    }
    throw new RolecallError(
      'GIT_PUSH_FAILED',
      `push of ${branch} to ${shownRemote} failed: ${gitMessage(error)}`,
    );
  }
  const ref = parsePushPorcelain(out).find((entry) => entry.refs.endsWith(`:${remoteRef}`));
  const status = (ref && STATUS_BY_FLAG[ref.flag]) ?? 'updated';
  return { remote: shownRemote, branch, remoteRef, sha, status };
}
