/**
 * What a GitHub Actions job knows about itself, read once from the environment the runner sets
 * (https://docs.github.com/actions/reference/variables-reference) and the event payload file.
 */
import { readFileSync } from 'node:fs';
import { RolecallError } from '../errors.js';

export interface RepoRef {
  owner: string;
  repo: string;
}

/**
 * The event plan.yml runs on. GitHub takes its workflow file, `GITHUB_REF` and `GITHUB_SHA` from
 * the default branch (and judges environment branch rules against it); the pull request's head
 * and base are only in the payload (`pull_request.head.sha`, `pull_request.base.sha`), which has
 * the same shape as a `pull_request` event's.
 */
export const PULL_REQUEST_TARGET = 'pull_request_target';

/**
 * The pull request of a `pull_request` or `pull_request_target` event, as rolecall needs it.
 * Under `pull_request_target`, `headSha` is the commit whose policies are planned (fetched as
 * objects, never checked out) and `baseSha` the base the scope diff starts from.
 */
export interface PullRequestContext {
  number: number;
  /** `https://github.com/o/r/pull/N`: the salt of the plan digest. */
  htmlUrl: string;
  headSha: string;
  headRef: string;
  baseRef: string;
  baseSha: string;
  /** `owner/repo` of the head branch; `null` when the fork was deleted. */
  headRepoFullName: string | null;
  /** True when the head lives in another repository: the job has no secrets and a read-only token. */
  isFork: boolean;
  author: string;
}

export interface GitHubContext extends RepoRef {
  /** `owner/repo`. */
  repository: string;
  serverUrl: string;
  apiUrl: string;
  eventName: string | null;
  /** The parsed event payload, or `{}` when `GITHUB_EVENT_PATH` is unset. */
  event: Record<string, unknown>;
  sha: string | null;
  ref: string | null;
  actor: string | null;
  runId: string | null;
  /** Link to this workflow run, when the run id is known. */
  runUrl: string | null;
  stepSummaryPath: string | null;
  outputPath: string | null;
  pullRequest: PullRequestContext | null;
}

type Env = Record<string, string | undefined>;

/**
 * Reads the Actions environment. Only `GITHUB_REPOSITORY` is required (so that `--github` also
 * works from a laptop with `GITHUB_REPOSITORY=o/r GITHUB_TOKEN=… rolecall …`); everything else
 * is `null` when absent. A malformed event file is an error, never silently ignored.
 */
export function githubContext(
  env: Env,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): GitHubContext {
  const repository = env['GITHUB_REPOSITORY'];
  const match = /^([^/\s]+)\/([^/\s]+)$/.exec(repository ?? '');
  if (!repository || !match) {
    throw new RolecallError(
      'GITHUB_CONTEXT',
      repository
        ? `GITHUB_REPOSITORY must be "owner/repo", got "${repository}"`
        : 'GITHUB_REPOSITORY is not set: --github runs inside GitHub Actions, or set GITHUB_REPOSITORY=owner/repo and GITHUB_TOKEN yourself',
    );
  }
  const [, owner, repo] = match as unknown as [string, string, string];
  const event = readEvent(env['GITHUB_EVENT_PATH'], readFile);
  const serverUrl = (env['GITHUB_SERVER_URL'] || 'https://github.com').replace(/\/+$/, '');
  const runId = env['GITHUB_RUN_ID'] || null;
  return {
    owner,
    repo,
    repository,
    serverUrl,
    apiUrl: (env['GITHUB_API_URL'] || 'https://api.github.com').replace(/\/+$/, ''),
    eventName: env['GITHUB_EVENT_NAME'] || null,
    event,
    sha: env['GITHUB_SHA'] || null,
    ref: env['GITHUB_REF'] || null,
    actor: env['GITHUB_ACTOR'] || null,
    runId,
    runUrl: runId ? `${serverUrl}/${repository}/actions/runs/${runId}` : null,
    stepSummaryPath: env['GITHUB_STEP_SUMMARY'] || null,
    outputPath: env['GITHUB_OUTPUT'] || null,
    pullRequest: pullRequestOf(event, repository),
  };
}

function readEvent(path: string | undefined, readFile: (path: string) => string) {
  if (!path) return {};
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    throw new RolecallError('GITHUB_CONTEXT', `cannot read GITHUB_EVENT_PATH ${path}`, {
      cause: error,
    });
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
  } catch {
    // fall through to the error below
  }
  throw new RolecallError('GITHUB_CONTEXT', `GITHUB_EVENT_PATH ${path} is not a JSON object`);
}

function pullRequestOf(
  event: Record<string, unknown>,
  repository: string,
): PullRequestContext | null {
  const pr = record(event['pull_request']);
  if (!pr) return null;
  const head = record(pr['head']) ?? {};
  const base = record(pr['base']) ?? {};
  const headRepo = record(head['repo']);
  const headRepoFullName =
    typeof headRepo?.['full_name'] === 'string' ? headRepo['full_name'] : null;
  return {
    number: Number(pr['number'] ?? event['number']),
    htmlUrl: String(pr['html_url'] ?? ''),
    headSha: String(head['sha'] ?? ''),
    headRef: String(head['ref'] ?? ''),
    baseRef: String(base['ref'] ?? ''),
    baseSha: String(base['sha'] ?? ''),
    headRepoFullName,
    isFork: isForkPullRequest(headRepoFullName, repository),
    author: String(record(pr['user'])?.['login'] ?? ''),
  };
}

/**
 * The workflows' own test, `github.event.pull_request.head.repo.full_name != github.repository`,
 * with a deleted fork (`head.repo: null`) counted as a fork. Compared case-insensitively, as
 * GitHub treats owner and repository names.
 */
export function isForkPullRequest(headRepoFullName: string | null, repository: string): boolean {
  return headRepoFullName === null || headRepoFullName.toLowerCase() !== repository.toLowerCase();
}

function record(value: unknown): Record<string, unknown> | null {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/**
 * Just `{owner, repo}`. Always spread this, never a whole context, into octokit parameters:
 * octokit sends every parameter it does not place in the URL as the request body.
 */
export function repoParams(ref: RepoRef): RepoRef {
  return { owner: ref.owner, repo: ref.repo };
}
