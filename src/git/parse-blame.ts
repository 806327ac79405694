/**
 * A parser for `git blame --porcelain`. The format: for each line of the final file a header
 * `<sha> <orig-line> <final-line>[ <group-size>]`, then — the first time a commit appears —
 * `key value` lines (author, author-mail, author-time, …, summary, filename), then the line's
 * content prefixed by a TAB. Content lines are the only ones starting with a TAB, so the parse
 * is unambiguous whatever the file contains.
 */

export interface BlameCommit {
  sha: string;
  authorName: string;
  authorEmail: string;
  /** Seconds since the epoch. */
  authorTime: number;
  committerName: string;
  committerEmail: string;
  committerTime: number;
  summary: string;
}

export interface BlameLine {
  sha: string;
  text: string;
}

export interface ParsedBlame {
  /** Index 0 is line 1 of the final file. */
  lines: BlameLine[];
  commits: Map<string, BlameCommit>;
}

/** git's all-zero id for lines that are not committed yet. */
export function isUncommittedSha(sha: string): boolean {
  return /^0+$/.test(sha);
}

const HEADER = /^([0-9a-f]{40}|[0-9a-f]{64}) (\d+) (\d+)(?: (\d+))?$/;

function stripAngles(value: string): string {
  return value.startsWith('<') && value.endsWith('>') ? value.slice(1, -1) : value;
}

export function parseBlamePorcelain(out: string): ParsedBlame {
  const lines: BlameLine[] = [];
  const commits = new Map<string, BlameCommit>();
  const raw = out.split('\n');
  let current: { sha: string; finalLine: number } | null = null;
  let pending: Partial<BlameCommit> & { sha: string } = { sha: '' };
  for (const line of raw) {
    if (current === null) {
      if (line === '') continue;
      const match = HEADER.exec(line);
      if (!match || match[1] === undefined || match[3] === undefined) {
        throw new Error(`unexpected git blame output: ${JSON.stringify(line.slice(0, 80))}`);
      }
      current = { sha: match[1], finalLine: Number(match[3]) };
      pending = commits.has(match[1]) ? { sha: '' } : { sha: match[1] };
      continue;
    }
    if (line.startsWith('\t')) {
      if (pending.sha !== '') {
        commits.set(pending.sha, {
          sha: pending.sha,
          authorName: pending.authorName ?? '',
          authorEmail: pending.authorEmail ?? '',
          authorTime: pending.authorTime ?? 0,
          committerName: pending.committerName ?? '',
          committerEmail: pending.committerEmail ?? '',
          committerTime: pending.committerTime ?? 0,
          summary: pending.summary ?? '',
        });
      }
      lines[current.finalLine - 1] = { sha: current.sha, text: line.slice(1) };
      current = null;
      continue;
    }
    if (pending.sha === '') continue;
    const space = line.indexOf(' ');
    const key = space < 0 ? line : line.slice(0, space);
    const value = space < 0 ? '' : line.slice(space + 1);
    switch (key) {
      case 'author':
        pending.authorName = value;
        break;
      case 'author-mail':
        pending.authorEmail = stripAngles(value);
        break;
      case 'author-time':
        pending.authorTime = Number(value);
        break;
      case 'committer':
        pending.committerName = value;
        break;
      case 'committer-mail':
        pending.committerEmail = stripAngles(value);
        break;
      case 'committer-time':
        pending.committerTime = Number(value);
        break;
      case 'summary':
        pending.summary = value;
        break;
      default:
        break;
    }
  }
  return { lines, commits };
}
