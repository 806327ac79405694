/**
 * The commit `apply --github` applies: the one pushed to the default branch. Anything but a
 * push event with a full commit sha is refused before GitHub is asked anything about it.
 */
import { RolecallError } from '../../errors.js';
import type { GitHubContext } from '../../github/context.js';

/** `GITHUB_SHA`, else the push event's `after`. */
export function pushedCommit(context: GitHubContext): string {
  const after = context.event['after'];
  const sha = context.sha ?? (typeof after === 'string' ? after : null);
  if (!sha || !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(sha)) {
    throw new RolecallError(
      'GITHUB_CONTEXT',
      sha
        ? `GITHUB_SHA is not a commit sha: "${sha.slice(0, 80)}"`
        : 'GITHUB_SHA is not set: apply --github runs on a push to the default branch (apply.yml)',
    );
  }
  if (context.eventName && context.eventName !== 'push') {
    throw new RolecallError(
      'GITHUB_CONTEXT',
      `apply --github runs on a push event (apply.yml), not on "${context.eventName}"`,
    );
  }
  return sha;
}
