/**
 * `--changed-since REF` (and `plan --github`, with the pull request's base): which businesses a
 * change to the policies touches. The diff is the one GitHub shows as "Files changed" (merge
 * base of REF and HEAD → HEAD), so commits that landed on the base later do not count. When the
 * policies were read from a commit that is not checked out (`head`: a pull request's head under
 * `pull_request_target`), the diff ends at that commit, and "deleted" means absent from it.
 *
 * A policy file that disappeared is *reported*, never planned: its business is no longer
 * managed by rolecall, and nothing is revoked because a file vanished (a deleted file is far
 * more often a move, a mistake or a hand-over than a decision to remove a whole team). Revoking
 * everyone takes an explicit policy with `members: []`.
 */
import { existsSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { parse } from 'yaml';
import { changedFiles } from '../../git/changed-files.js';
import { readFileAt } from '../../git/read-file-at.js';
import { mergeBase, resolveCommit } from '../../git/repo-info.js';
import type { DesiredState } from '../../types.js';

export interface DeletedPolicy {
  /** Path relative to the working directory, `/`-separated. */
  file: string;
  /** The business the file named at the base, when it could be read. */
  businessId?: number;
  name?: string;
  /** The business is named by another policy file now (the file was moved or merged). */
  stillManaged: boolean;
}

export interface ChangedScope {
  /** The revision compared against, as given. */
  base: string;
  /** Businesses whose policy file was added or modified, ascending. */
  businessIds: number[];
  /** Every changed path under the policy directory (policy files or not). */
  changed: string[];
  deleted: DeletedPolicy[];
}

const POLICY_FILE = /\.ya?ml$/i;

/**
 * The businesses whose policy files changed between the merge base of `base` and `head`
 * (default HEAD, with the working tree deciding what was deleted).
 */
export async function changedScope(
  cwd: string,
  desired: DesiredState,
  options: { base: string; policiesDir: string; head?: string },
): Promise<ChangedScope> {
  const under = toPosix(relative(cwd, resolve(cwd, options.policiesDir))) || '.';
  const head = options.head;
  const changed = await changedFiles(cwd, {
    base: options.base,
    under,
    ...(head === undefined ? {} : { head }),
  });
  const exists = async (file: string) =>
    head === undefined
      ? existsSync(resolve(cwd, file))
      : (await readFileAt(cwd, head, file)) !== null;
  const byFile = new Map(desired.businesses.map((b) => [b.file, b.businessId]));
  const ids = new Set<number>();
  const gone: string[] = [];
  for (const file of changed) {
    if (!POLICY_FILE.test(file)) continue;
    const id = byFile.get(file);
    if (id !== undefined) ids.add(id);
    else if (!(await exists(file))) gone.push(file);
  }
  const managed = new Set(desired.businesses.map((b) => b.businessId));
  const deleted: DeletedPolicy[] = [];
  if (gone.length > 0) {
    const mergeBase = await mergeBaseOf(cwd, options.base, head ?? 'HEAD');
    for (const file of gone) {
      const named = mergeBase === null ? null : await businessAt(cwd, mergeBase, file);
      deleted.push({
        file,
        ...(named?.businessId === undefined ? {} : { businessId: named.businessId }),
        ...(named?.name === undefined ? {} : { name: named.name }),
        stillManaged: named?.businessId !== undefined && managed.has(named.businessId),
      });
    }
  }
  return {
    base: options.base,
    businessIds: [...ids].sort((a, b) => a - b),
    changed,
    deleted,
  };
}

/** One line per deleted policy file, for the terminal and the pull-request comment. */
export function describeDeletedPolicy(deleted: DeletedPolicy): string {
  const business =
    deleted.businessId === undefined
      ? 'the business it named'
      : `business ${deleted.businessId}${deleted.name === undefined ? '' : ` (${deleted.name})`}`;
  if (deleted.stillManaged) {
    return `${deleted.file} was removed; ${business} is still named by another policy file and is planned from there.`;
  }
  return (
    `${deleted.file} was deleted: ${business} is no longer managed by rolecall. ` +
    'Nothing is revoked; its members keep their access. To remove everyone, keep the file with `members: []`.'
  );
}

async function mergeBaseOf(cwd: string, base: string, head: string): Promise<string | null> {
  try {
    const [baseSha, headSha] = [await resolveCommit(cwd, base), await resolveCommit(cwd, head)];
    return await mergeBase(cwd, baseSha, headSha);
  } catch {
    return null;
  }
}

/** `business:` and `name:` of a file as it was at `rev`; best effort (any failure → null). */
async function businessAt(
  cwd: string,
  rev: string,
  file: string,
): Promise<{ businessId?: number; name?: string } | null> {
  try {
    const text = await readFileAt(cwd, rev, file);
    if (text === null) return null;
    const value: unknown = parse(text, { maxAliasCount: 0 });
    if (value === null || typeof value !== 'object') return null;
    const { business, name } = value as { business?: unknown; name?: unknown };
    return {
      ...(Number.isSafeInteger(business) ? { businessId: business as number } : {}),
      ...(typeof name === 'string' ? { name: oneLine(name) } : {}),
    };
  } catch {
    return null;
  }
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]+/g;

function oneLine(text: string): string {
  return text.replace(CONTROL, ' ').trim().slice(0, 200);
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}
