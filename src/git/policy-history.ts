/**
 * The commits of a branch's first-parent history that changed a directory — on the default
 * branch, one per merged pull request or direct push that touched the policies. Newest first.
 *
 * One `rev-list` and one `cat-file --batch-check` (the directory's tree id at every commit), so
 * a walk through hundreds of commits costs two git processes, not hundreds.
 */
import { gitFailure, openGit } from './open-git.js';

export interface PolicyHistory {
  /** Commits whose `dir` tree differs from their first parent's, newest first. */
  commits: string[];
  /** True when the walk stopped at `maxCommits` before the root: older commits were not seen. */
  truncated: boolean;
}

/**
 * `dirFromRoot`: the directory relative to the repository's top level, `/`-separated, no
 * trailing slash (`policies`, `access/policies`).
 */
export async function commitsChangingDir(
  cwd: string,
  options: { from: string; dirFromRoot: string; maxCommits: number },
): Promise<PolicyHistory> {
  const git = openGit(cwd);
  let listing: string;
  try {
    listing = await git.raw([
      'rev-list',
      '--first-parent',
      `--max-count=${options.maxCommits + 1}`,
      options.from,
    ]);
  } catch (error) {
    throw gitFailure(error, `listing the history of ${options.from.slice(0, 12)}`);
  }
  const chain = listing.split('\n').filter(Boolean);
  const truncated = chain.length > options.maxCommits;
  const input = chain.map((sha) => `${sha}:${options.dirFromRoot}`).join('\n');
  let output: string;
  try {
    output = await runWithInput(cwd, ['cat-file', '--batch-check=%(objectname)'], `${input}\n`);
  } catch (error) {
    throw gitFailure(error, `reading the history of ${options.dirFromRoot}`);
  }
  // "<oid>" or "<sha>:<dir> missing" per line.
  const ids = output
    .split('\n')
    .slice(0, chain.length)
    .map((line) => (/^[0-9a-f]{40,64}$/.test(line.trim()) ? line.trim() : 'missing'));
  const commits: string[] = [];
  const seen = truncated ? chain.length - 1 : chain.length;
  for (let i = 0; i < seen; i++) {
    const mine = ids[i];
    // The root commit's "parent" has no directory at all.
    const parent = i + 1 < ids.length ? ids[i + 1] : 'missing';
    if (mine !== parent) commits.push(chain[i] as string);
  }
  return { commits, truncated };
}

async function runWithInput(cwd: string, args: string[], input: string): Promise<string> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(err.trim() || `git exited with ${code}`)),
    );
    child.stdin.end(input);
  });
}
