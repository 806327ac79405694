/**
 * Provenance of policy lines from `git blame`: who last changed a line, when, in which commit
 * and through which pull request. One `git blame --porcelain` per file (the whole file, whatever
 * the number of lines asked about) and, only when some blamed commit names no pull request, one
 * `git blame --first-parent` to find the merge that brought it into the first-parent line (the
 * merge commit's `Merge pull request #N` then names the pull request). So at most two git calls
 * per file, however many members and commits it has.
 *
 * Rules:
 * - The working-tree file is blamed: line numbers are those the policy loader reported.
 *   Uncommitted lines (and untracked files, and files outside a repository) have no provenance.
 *   With `rev`, the file as it is in that commit is blamed instead (the policies of a pull
 *   request's head read from git objects, never checked out): line numbers are those of the
 *   file at `rev`, as the at-commit loader reports them.
 * - No `-w`, `-M`, `-C`, no `blame.ignoreRevsFile`: in YAML indentation is meaning, and an
 *   ignore list would let a commit hide who granted access.
 * - `prNumber`: the pull request of the merge that brought the line to the first-parent line
 *   when there is one, else the commit's own subject (`… (#12)` squash merges).
 */
import type { Provenance } from '../types.js';
import { RolecallError } from '../errors.js';
import { entryKeyLines } from './entry-lines.js';
import { gitFailure, isNotARepository, openGit } from './open-git.js';
import { isUncommittedSha, parseBlamePorcelain, type ParsedBlame } from './parse-blame.js';
import { prNumberOf } from './pr-number.js';

export interface BlameOptions {
  /** Look for the merge that brought a line in (one more blame per file). Default true. */
  mergePullRequests?: boolean;
  /** Blame the file in this commit (a full sha) instead of the working tree. */
  rev?: string;
}

/** Keys whose change makes a new grant: who, and which role. */
export const GRANT_KEYS: readonly string[] = ['email', 'role'];
/** Keys whose change starts a grant's duration: who, which role, and until when (an extension). */
export const GRANT_TIME_KEYS: readonly string[] = ['email', 'role', 'expires'];

export interface FileBlame {
  file: string;
  lineCount: number;
  /** Provenance of one line (1-based); undefined when uncommitted or out of range. */
  line(n: number): Provenance | undefined;
  /**
   * Provenance of the member entry containing line `n`: of its lines that set one of `keys`
   * (and its first line), the most recently committed. Undefined when any of them is
   * uncommitted — the entry as it stands is not in git yet.
   */
  entry(n: number, keys?: readonly string[]): Provenance | undefined;
}

const EMPTY: ParsedBlame = { lines: [], commits: new Map() };

async function runBlame(
  repoDir: string,
  file: string,
  firstParent: boolean,
  rev: string | undefined,
): Promise<ParsedBlame> {
  if (file.startsWith('-')) {
    throw new RolecallError('GIT_INVALID_PATH', `invalid file name ${JSON.stringify(file)}`);
  }
  if (rev !== undefined && !/^[0-9a-f]{40,64}$/.test(rev)) {
    // A full sha only: a name could be an option, and a branch could move under the caller.
    throw new RolecallError('GIT_UNKNOWN_REVISION', `not a commit sha: ${JSON.stringify(rev)}`);
  }
  let out: string;
  try {
    const args = [
      'blame',
      '--porcelain',
      ...(firstParent ? ['--first-parent'] : []),
      ...(rev === undefined ? [] : [rev]),
      '--',
      file,
    ];
    out = await openGit(repoDir).raw(args);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Not versioned (yet): no provenance, not an error.
    if (
      isNotARepository(error) ||
      /no such path .* in HEAD|no such ref: HEAD|bad revision 'HEAD'/i.test(message)
    ) {
      return EMPTY;
    }
    throw gitFailure(error, `reading the history of ${file}`);
  }
  return parseBlamePorcelain(out);
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

function later(a: Provenance, b: Provenance): Provenance {
  if (a.committedAt !== b.committedAt) return a.committedAt > b.committedAt ? a : b;
  if (a.date !== b.date) return a.date > b.date ? a : b;
  return a.sha >= b.sha ? a : b;
}

/** Blames `file` (relative to `repoDir`, or absolute) once and answers questions about it. */
export async function blameFile(
  repoDir: string,
  file: string,
  options: BlameOptions = {},
): Promise<FileBlame> {
  const blame = await runBlame(repoDir, file, false, options.rev);
  const needsMerges =
    (options.mergePullRequests ?? true) &&
    [...blame.commits.values()].some(
      (commit) => !isUncommittedSha(commit.sha) && prNumberOf(commit.summary) === null,
    );
  const mainline = needsMerges ? await runBlame(repoDir, file, true, options.rev) : EMPTY;
  const cache = new Map<number, Provenance | undefined>();

  const line = (n: number): Provenance | undefined => {
    if (cache.has(n)) return cache.get(n);
    const entry = blame.lines[n - 1];
    let result: Provenance | undefined;
    const commit = entry === undefined ? undefined : blame.commits.get(entry.sha);
    if (entry !== undefined && commit !== undefined && !isUncommittedSha(entry.sha)) {
      result = {
        sha: commit.sha,
        authorName: commit.authorName,
        authorEmail: commit.authorEmail,
        date: iso(commit.authorTime),
        committedAt: iso(commit.committerTime),
        subject: commit.summary,
        prNumber: prNumberOf(commit.summary),
      };
      const mergeSha = mainline.lines[n - 1]?.sha;
      const merge = mergeSha === undefined ? undefined : mainline.commits.get(mergeSha);
      if (merge !== undefined && merge.sha !== commit.sha && !isUncommittedSha(merge.sha)) {
        result.mergeSha = merge.sha;
        result.prNumber = prNumberOf(merge.summary) ?? result.prNumber;
      }
    }
    cache.set(n, result);
    return result;
  };

  const texts = blame.lines.map((entry) => entry?.text ?? '');
  return {
    file,
    lineCount: blame.lines.length,
    line,
    entry(n, keys = GRANT_KEYS) {
      if (n < 1 || n > texts.length) return undefined;
      let latest: Provenance | undefined;
      for (const k of entryKeyLines(texts, n, keys)) {
        const found = line(k);
        if (found === undefined) return undefined;
        latest = latest === undefined ? found : later(latest, found);
      }
      return latest;
    },
  };
}

/** Provenance of the given lines of one file (one blame call, two when merges are resolved). */
export async function lineProvenance(
  repoDir: string,
  file: string,
  lines: readonly number[],
  options: BlameOptions = {},
): Promise<Map<number, Provenance>> {
  const blame = await blameFile(repoDir, file, options);
  const result = new Map<number, Provenance>();
  for (const n of lines) {
    const found = blame.line(n);
    if (found !== undefined) result.set(n, found);
  }
  return result;
}
