/**
 * GitHub API failures as `RolecallError`s: the CLI prints the message without a stack, and the
 * message names what rolecall was doing, the route and the status, never a token.
 */
import { RequestError } from 'octokit';
import { RolecallError } from '../errors.js';
import { redact } from '../redact.js';

export class GitHubApiError extends RolecallError {
  readonly status: number | null;
  constructor(message: string, status: number | null, cause?: unknown) {
    super('GITHUB_API', redact(message), { cause });
    this.name = 'GitHubApiError';
    this.status = status;
  }
}

/** HTTP status of an octokit error, or `null` for anything else (network failure, bug). */
export function statusOf(error: unknown): number | null {
  if (error instanceof RequestError) return error.status;
  if (
    error &&
    typeof error === 'object' &&
    typeof (error as { status?: unknown }).status === 'number'
  ) {
    return (error as { status: number }).status;
  }
  return null;
}

/**
 * Wraps an octokit failure: `cannot <doing>: GitHub answered 403 on PATCH /repos/…: <message>`.
 * `hint`, when given, tells the user what to configure.
 */
export function githubError(doing: string, error: unknown, hint?: string): GitHubApiError {
  if (error instanceof GitHubApiError) return error;
  const status = statusOf(error);
  let detail: string;
  if (error instanceof RequestError) {
    const route = `${error.request.method} ${pathOf(error.request.url)}`;
    const apiMessage =
      (error.response?.data as { message?: unknown } | undefined)?.message ?? error.message;
    detail = `GitHub answered ${error.status} on ${route}: ${String(apiMessage)}`;
  } else {
    detail = error instanceof Error ? error.message : String(error);
  }
  return new GitHubApiError(`cannot ${doing}: ${detail}${hint ? `. ${hint}` : ''}`, status, error);
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url.replace(/\?.*$/, '');
  }
}
