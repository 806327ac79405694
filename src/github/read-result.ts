/**
 * A read that may be refused: what `rolecall doctor` does with every GitHub setting. A token
 * that may not see a setting is an answer too (the doctor says `?` and names the permission),
 * not a failure of the run, so reads return it as data instead of throwing.
 */
import { RequestError } from 'octokit';
import { redact } from '../redact.js';
import { statusOf } from './github-error.js';

export type GitHubRead<T> =
  | { ok: true; value: T }
  | {
      ok: false;
      /** HTTP status; `null` when GitHub did not answer. */
      status: number | null;
      message: string;
      /** The fine-grained permission that would let the token read it. */
      permission: string;
      /** The variable whose token was used. */
      token: string;
    };

export interface ReadContext {
  /** The variable holding the token the client uses, for messages: `GITHUB_TOKEN`. */
  token: string;
}

/**
 * Runs `read`; a GitHub error becomes `{ok: false}` with its status and message (redacted).
 * `absent` maps a status that means "there is none" (a 404 for a missing environment, say) to
 * a value, so that only a refusal is a refusal.
 */
export async function readSetting<T>(
  context: ReadContext,
  permission: string,
  read: () => Promise<T>,
  absent?: (status: number, message: string) => { value: T } | null,
): Promise<GitHubRead<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    const status = statusOf(error);
    // Only GitHub's answers are data (octokit reports a network failure as a 500 too); anything
    // else is a defect, and stays an error.
    if (status === null) throw error;
    const message = redact(messageOf(error));
    if (absent) {
      const none = absent(status, message);
      if (none) return { ok: true, value: none.value };
    }
    return { ok: false, status, message, permission, token: context.token };
  }
}

function messageOf(error: unknown): string {
  if (error instanceof RequestError) {
    const data = error.response?.data as { message?: unknown } | undefined;
    return typeof data?.message === 'string' ? data.message : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
