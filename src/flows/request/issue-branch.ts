/**
 * The branch of a request issue (`rolecall/request/issue-N`): one commit on the base branch,
 * rebuilt whenever the request changes and force-pushed, so that editing the issue updates the
 * same pull request with exactly "base plus this request" — never a pile of commits, never a
 * conflict with what was merged meanwhile.
 *
 * Force-pushing is safe because the branch is rolecall's: it is rewritten only when its head is
 * a rolecall request commit for this issue (one parent, the `Rolecall-Request: #N` trailer). A
 * commit someone pushed on top makes rolecall stop and say so instead of destroying it. When
 * the branch already holds exactly the policy files the request produces, nothing is committed
 * or pushed (an edit of the title alone changes nothing, and approvals of the head stay valid).
 */
import { RolecallError } from '../../errors.js';
import { commitOnBranch, pushBranch, type GitIdentity } from '../../git/index.js';
import { parseRequestTrailers } from '../../jit/request-link.js';
import type { PolicySource } from '../../policy/validate-documents.js';
import { fetchCommit, remoteBranchSha, samePolicies, singleParentMessage } from '../bot-branch.js';
import { readPoliciesAtCommit } from '../policy-snapshot.js';

export interface IssueBranchInput {
  cwd: string;
  remote: string;
  branch: string;
  issue: number;
  baseSha: string;
  policiesDir: string;
  /** Every policy source with the request applied: what the branch must hold. */
  sources: readonly PolicySource[];
  file: string;
  after: string;
  message: string;
  date: Date;
  author: GitIdentity;
}

export interface IssueBranchResult {
  action: 'created' | 'rebuilt' | 'unchanged';
  sha: string;
}

/** One parent and the trailer naming this issue: a commit rolecall made for it. */
async function isOwnRequestCommit(cwd: string, sha: string, issue: number): Promise<boolean> {
  const message = await singleParentMessage(cwd, sha);
  return message !== null && parseRequestTrailers(message).issues.includes(issue);
}

export async function syncIssueBranch(input: IssueBranchInput): Promise<IssueBranchResult> {
  const { cwd, remote, branch } = input;
  const remoteSha = await remoteBranchSha(cwd, remote, branch);
  if (remoteSha !== null) {
    await fetchCommit(cwd, remote, branch, remoteSha);
    if (!(await isOwnRequestCommit(cwd, remoteSha, input.issue))) {
      throw new RolecallError(
        'REQUEST_BRANCH_FOREIGN',
        `${branch} has a commit rolecall did not make for issue #${input.issue} (${remoteSha.slice(0, 12)}); rolecall does not overwrite it. Change the policy in that pull request by hand, or delete the branch and edit the issue again`,
      );
    }
    // Same policies, same request: left alone even when the base moved elsewhere, so that the
    // approvals of the head commit stay valid.
    const current = await readPoliciesAtCommit(cwd, input.policiesDir, remoteSha).catch(() => null);
    if (current && current.problems.length === 0 && samePolicies(current.sources, input.sources)) {
      return { action: 'unchanged', sha: remoteSha };
    }
  }
  const commit = await commitOnBranch(cwd, {
    branch,
    base: input.baseSha,
    files: [{ path: input.file, content: input.after }],
    message: input.message,
    date: input.date,
    replace: true,
    author: input.author,
  });
  await pushBranch(cwd, { remote, branch, force: remoteSha !== null });
  return { action: remoteSha === null ? 'created' : 'rebuilt', sha: commit.sha };
}
