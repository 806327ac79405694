/**
 * The one place that constructs `simple-git` instances. simple-git (v4) strips guarded `GIT_*`
 * variables inherited from the environment and rejects guarded ones passed explicitly unless
 * they are allowed by name; rolecall allows exactly the variables it sets itself (identity and
 * dates of a commit, a temporary index, no terminal prompt) and, for network operations only,
 * the operator's own transport settings (`GIT_SSH_COMMAND`, `GIT_ASKPASS`, …) so that a push
 * authenticates the way a plain `git push` would.
 */
import { existsSync } from 'node:fs';
import { simpleGit, type SimpleGit } from 'simple-git';
import { RolecallError, type ErrorCode } from '../errors.js';
import { redactGitText } from './redact-url.js';

export interface OpenGitOptions {
  /** Extra environment for the git child (only names listed in `ALLOWED_ENV`). */
  env?: Record<string, string>;
  /** Push/fetch: pass the operator's transport settings through and never prompt. */
  network?: boolean;
  /**
   * Kill git after this long without output (ms). Default: 10 min for local work (a blame of a
   * long history prints nothing until it is done); 2 min for network work (a stalled remote).
   */
  timeoutMs?: number;
}

/** Variables rolecall itself may set. */
const ALLOWED_ENV = [
  'GIT_AUTHOR_NAME',
  'GIT_AUTHOR_EMAIL',
  'GIT_AUTHOR_DATE',
  'GIT_COMMITTER_NAME',
  'GIT_COMMITTER_EMAIL',
  'GIT_COMMITTER_DATE',
  'GIT_INDEX_FILE',
  'GIT_TERMINAL_PROMPT',
] as const;

/** The operator's transport settings, honoured for push only. */
const NETWORK_ENV = ['GIT_SSH_COMMAND', 'GIT_SSH', 'GIT_ASKPASS', 'SSH_ASKPASS'] as const;

/** What simple-git treats as guarded besides the `GIT_` prefix. */
const GUARDED_PLAIN = new Set(['editor', 'pager', 'prefix', 'ssh_askpass', 'visual']);

function isGuarded(name: string): boolean {
  const lower = name.toLowerCase().trim();
  return lower.startsWith('git_') || GUARDED_PLAIN.has(lower);
}

export function openGit(dir: string, options: OpenGitOptions = {}): SimpleGit {
  if (!existsSync(dir)) {
    throw new RolecallError('GIT_NO_DIRECTORY', `not a git repository: ${dir} does not exist`);
  }
  const network = options.network ?? false;
  const extra: Record<string, string> = { ...(options.env ?? {}) };
  for (const name of Object.keys(extra)) {
    if (!(ALLOWED_ENV as readonly string[]).includes(name)) {
      throw new Error(`internal: git environment variable ${name} is not allowed`);
    }
  }
  if (network) extra['GIT_TERMINAL_PROMPT'] = '0';
  const passThrough: string[] = network ? [...NETWORK_ENV] : [];
  const git = simpleGit({
    baseDir: dir,
    maxConcurrentProcesses: 4,
    trimmed: false,
    allowEnvironment: [...ALLOWED_ENV, ...passThrough],
    unsafe: network ? { allowUnsafeSshCommand: true, allowUnsafeAskPass: true } : {},
    timeout: { block: options.timeoutMs ?? (network ? 120_000 : 600_000) },
  });
  if (Object.keys(extra).length === 0) return git;
  // An explicit environment replaces the inherited one: keep the ordinary variables (PATH,
  // HOME, …), drop guarded ones rolecall does not set, then add ours.
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (isGuarded(name) && !passThrough.includes(name)) continue;
    env[name] = value;
  }
  return git.env({ ...env, ...extra });
}

/** The message of a git failure, credentials masked, trimmed to something printable. */
export function gitMessage(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  const lines = redactGitText(raw)
    .split('\n')
    .map((line) => line.replace(/\s+$/, ''))
    .filter((line) => line.length > 0);
  return lines.slice(0, 12).join('\n');
}

export function isNotARepository(error: unknown): boolean {
  return /not a git repository/i.test(error instanceof Error ? error.message : String(error));
}

/**
 * Wraps any git failure in a `RolecallError`; `what` says what rolecall was doing. The raw
 * error is deliberately not kept as `cause`: its text may carry a credential-bearing URL.
 */
export function gitFailure(
  error: unknown,
  what: string,
  code: ErrorCode = 'GIT_FAILED',
): RolecallError {
  if (error instanceof RolecallError) return error;
  if (isNotARepository(error)) {
    return new RolecallError('GIT_NOT_A_REPOSITORY', `${what}: not a git repository`);
  }
  return new RolecallError(code, `${what}: ${gitMessage(error)}`);
}
