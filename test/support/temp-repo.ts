/**
 * Real temporary git repositories for tests: commits by given authors at given dates, branches,
 * merge commits, squash merges, and a bare remote to push to. Independent of `src/git/` on
 * purpose (it builds the fixtures that code is tested against).
 *
 * Every repository is isolated from the machine's git set-up as far as a test needs: a local
 * identity (so it works without a global one), no commit/tag signing, an empty hooks directory,
 * `main` as the initial branch. Dates are exact (`GIT_AUTHOR_DATE`/`GIT_COMMITTER_DATE`), so
 * provenance assertions are deterministic.
 *
 *   const repo = await createTempRepo();
 *   await repo.commit({ files: { 'policies/a.yaml': '…' }, message: 'Add alice (#12)',
 *                       author: DANA, date: '2024-03-01T10:00:00Z' });
 *   …
 *   await repo.cleanup();
 */
import {
  appendFile,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';

export interface Person {
  name: string;
  email: string;
}

export const DEFAULT_AUTHOR: Person = { name: 'Test Author', email: 'author@example.test' };

export interface CommitSpec {
  /** Path (relative to the repository) → new content; `null` deletes the file. */
  files?: Record<string, string | null>;
  /**
   * Path → link target: committed as a symbolic link (git mode 120000), as a contributor's
   * `ln -s` would be. The target is written verbatim and need not exist (a dangling link).
   */
  symlinks?: Record<string, string>;
  message: string;
  author?: Person;
  /** Default: the author. */
  committer?: Person;
  /** Author and committer date; ISO string or Date. Default 2024-01-01T00:00:00Z. */
  date?: string | Date;
  /** Committer date when it differs from the author date. */
  committerDate?: string | Date;
  allowEmpty?: boolean;
}

export interface MergeSpec {
  message: string;
  author?: Person;
  date?: string | Date;
}

export interface TempRepo {
  dir: string;
  /** simple-git on `dir`, allowed to set identity and date variables. */
  git: SimpleGit;
  write(path: string, content: string): Promise<void>;
  read(path: string): Promise<string>;
  /** Stages and commits `files` (or everything staged), returns the new sha. */
  commit(spec: CommitSpec): Promise<string>;
  /** Creates `name` at `from` (default HEAD) and checks it out. */
  branch(name: string, from?: string): Promise<void>;
  checkout(name: string): Promise<void>;
  /** `git merge --no-ff <branch>` with this message (a GitHub-style merge commit). */
  merge(branch: string, spec: MergeSpec): Promise<string>;
  /** `git merge --squash <branch>` then one commit (a GitHub-style squash merge). */
  squashMerge(branch: string, spec: CommitSpec): Promise<string>;
  head(): Promise<string>;
  /** `git status --porcelain` output (empty when clean). */
  status(): Promise<string>;
  /** Current branch name, or '' when detached. */
  currentBranch(): Promise<string>;
  cleanup(): Promise<void>;
}

export interface BareRemote {
  dir: string;
  /** What `git remote add` / `git push` accept (a plain path). */
  url: string;
  git: SimpleGit;
  /** `refs/heads/x` → sha. */
  refs(): Promise<Record<string, string>>;
  /** A file's content at a ref, or null. */
  show(ref: string, path: string): Promise<string | null>;
  cleanup(): Promise<void>;
}

const IDENTITY_ENV = [
  'GIT_AUTHOR_NAME',
  'GIT_AUTHOR_EMAIL',
  'GIT_AUTHOR_DATE',
  'GIT_COMMITTER_NAME',
  'GIT_COMMITTER_EMAIL',
  'GIT_COMMITTER_DATE',
];

function stamp(date: string | Date | undefined): string {
  const value = date === undefined ? new Date('2024-01-01T00:00:00Z') : new Date(date);
  if (Number.isNaN(value.getTime())) throw new Error(`temp-repo: bad date ${String(date)}`);
  return `@${Math.floor(value.getTime() / 1000)} +0000`;
}

/** The inherited environment minus guarded git variables (simple-git rejects them when explicit). */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    const lower = name.toLowerCase();
    if (value === undefined || lower.startsWith('git_')) continue;
    if (['editor', 'pager', 'prefix', 'ssh_askpass', 'visual'].includes(lower)) continue;
    env[name] = value;
  }
  return env;
}

function gitFor(dir: string): SimpleGit {
  return simpleGit({
    baseDir: dir,
    allowEnvironment: IDENTITY_ENV,
  });
}

function identityEnv(author: Person, committer: Person, date: string, committerDate: string) {
  return {
    ...baseEnv(),
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_NAME: committer.name,
    GIT_COMMITTER_EMAIL: committer.email,
    GIT_COMMITTER_DATE: committerDate,
  };
}

/** Local settings written straight into .git/config (one file write instead of seven git calls). */
async function isolate(dir: string): Promise<void> {
  const hooks = join(dir, '.git', 'rolecall-test-no-hooks');
  await mkdir(hooks, { recursive: true });
  const config = [
    '[user]',
    `\tname = ${DEFAULT_AUTHOR.name}`,
    `\temail = ${DEFAULT_AUTHOR.email}`,
    '[commit]',
    '\tgpgsign = false',
    '[tag]',
    '\tgpgsign = false',
    '[core]',
    `\thooksPath = ${hooks}`,
    '\tautocrlf = false',
    '',
  ].join('\n');
  await appendFile(join(dir, '.git', 'config'), config, 'utf8');
}

export async function createTempRepo(options: { prefix?: string } = {}): Promise<TempRepo> {
  const dir = await mkdtemp(join(tmpdir(), options.prefix ?? 'rolecall-repo-'));
  const git = gitFor(dir);
  await git.raw(['init', '--quiet', '--initial-branch=main']);
  await isolate(dir);

  // HEAD read from the files git just wrote (no process to spawn: tests build many commits);
  // falls back to git for anything unusual (packed refs).
  const head = async (): Promise<string> => {
    try {
      const text = (await readFile(join(dir, '.git', 'HEAD'), 'utf8')).trim();
      const ref = /^ref: (refs\/heads\/\S+)$/.exec(text)?.[1];
      const sha =
        ref === undefined ? text : (await readFile(join(dir, '.git', ref), 'utf8')).trim();
      if (/^[0-9a-f]{40}$/.test(sha)) return sha;
    } catch {
      // fall through
    }
    return (await git.raw(['rev-parse', 'HEAD'])).trim();
  };

  const write = async (path: string, content: string): Promise<void> => {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    // A file replaces a symbolic link at its path; it never writes through it.
    if ((await lstat(join(dir, path)).catch(() => null))?.isSymbolicLink())
      await rm(join(dir, path));
    await writeFile(join(dir, path), content, 'utf8');
  };

  const commit = async (spec: CommitSpec): Promise<string> => {
    const paths = [...Object.keys(spec.files ?? {}), ...Object.keys(spec.symlinks ?? {})];
    for (const [path, content] of Object.entries(spec.files ?? {})) {
      if (content === null) await rm(join(dir, path), { force: true });
      else await write(path, content);
    }
    for (const [path, target] of Object.entries(spec.symlinks ?? {})) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await rm(join(dir, path), { force: true });
      await symlink(target, join(dir, path));
    }
    // One `add -A` stages writes and deletions alike.
    if (paths.length > 0) await git.raw(['add', '-A', '--', ...paths]);
    const author = spec.author ?? DEFAULT_AUTHOR;
    const date = stamp(spec.date);
    await git
      .env(
        identityEnv(
          author,
          spec.committer ?? author,
          date,
          spec.committerDate === undefined ? date : stamp(spec.committerDate),
        ),
      )
      .raw([
        'commit',
        '--quiet',
        '--no-verify',
        ...(spec.allowEmpty ? ['--allow-empty'] : []),
        '-m',
        spec.message,
      ]);
    return head();
  };

  return {
    dir,
    git,
    write,
    read: (path) => readFile(join(dir, path), 'utf8'),
    commit,
    async branch(name, from) {
      await git.raw(['checkout', '--quiet', '-b', name, ...(from === undefined ? [] : [from])]);
    },
    async checkout(name) {
      await git.raw(['checkout', '--quiet', name]);
    },
    async merge(branch, spec) {
      const author = spec.author ?? DEFAULT_AUTHOR;
      const date = stamp(spec.date);
      await git
        .env(identityEnv(author, author, date, date))
        .raw(['merge', '--quiet', '--no-ff', '--no-verify', '-m', spec.message, branch]);
      return head();
    },
    async squashMerge(branch, spec) {
      await git.raw(['merge', '--quiet', '--squash', branch]);
      return commit(spec);
    },
    head,
    status: () => git.raw(['status', '--porcelain']),
    currentBranch: async () => (await git.raw(['branch', '--show-current'])).trim(),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

export async function createBareRemote(): Promise<BareRemote> {
  const dir = await mkdtemp(join(tmpdir(), 'rolecall-remote-'));
  const git = simpleGit({ baseDir: dir });
  await git.raw(['init', '--quiet', '--bare', '--initial-branch=main']);
  // Its own hooks directory, whatever a global core.hooksPath says (installRemoteHook).
  await appendFile(join(dir, 'config'), `[core]\n\thooksPath = ${join(dir, 'hooks')}\n`, 'utf8');
  return {
    dir,
    url: dir,
    git,
    async refs() {
      const out = await git.raw(['for-each-ref', '--format=%(refname) %(objectname)']);
      const refs: Record<string, string> = {};
      for (const line of out.split('\n')) {
        const [name, sha] = line.trim().split(' ');
        if (name && sha) refs[name] = sha;
      }
      return refs;
    },
    async show(ref, path) {
      try {
        return await git.raw(['show', `${ref}:${path}`]);
      } catch {
        return null;
      }
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A hook in a bare remote, e.g. a `pre-receive` that refuses pushes like a protected branch. */
export async function installRemoteHook(
  remote: BareRemote,
  name: string,
  script: string,
): Promise<void> {
  const path = join(remote.dir, 'hooks', name);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, script, { encoding: 'utf8', mode: 0o755 });
}
