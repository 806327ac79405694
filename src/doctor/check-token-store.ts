import { fail, pass, type CheckResult } from './check-result.js';
import type { FreshBooksFacts } from './facts.js';

const ID = 'freshbooks.store';
const WHY =
  'the token store holds the single-use refresh token of this API URL and client: a store bound to another target (a sandbox, another app) cannot refresh here, and every run fails';

/** `freshbooks.store`: the token store opens and holds a refresh token for this target. */
export function checkTokenStore(freshbooks: FreshBooksFacts): CheckResult {
  const { store, target } = freshbooks;
  if (store.state === 'error') {
    return fail(
      ID,
      `${store.description ?? 'the token store'} cannot be used: ${store.message}`,
      WHY,
      'fix what the message says; `rolecall auth status` shows the store and its targets',
    );
  }
  if (target === null) {
    return fail(
      ID,
      `FRESHBOOKS_CLIENT_ID is not set: ${store.description} cannot tell which target's token to use`,
      WHY,
      'set FRESHBOOKS_CLIENT_ID and FRESHBOOKS_CLIENT_SECRET (in a workflow: the environment secrets of freshbooks-production)',
    );
  }
  const others =
    store.otherTargets.length > 0 ? `; it also holds ${store.otherTargets.join(', ')}` : '';
  if (store.entry) {
    const what = store.secret ? 'a refresh token' : `a refresh token for ${target}`;
    return pass(ID, `${store.description} holds ${what}${others}`, WHY);
  }
  if (store.envToken !== null) {
    return pass(
      ID,
      `${store.description} holds nothing for ${target} yet; ${store.envToken} seeds it on the first refresh${others}`,
      WHY,
    );
  }
  if (store.unclaimed) {
    return pass(
      ID,
      `${store.description} holds a token saved by an older rolecall (no target recorded): it is tried for ${target}${others}`,
      WHY,
    );
  }
  return fail(
    ID,
    store.otherTargets.length > 0
      ? `${store.description} holds tokens for ${store.otherTargets.join(', ')} only, none for ${target}`
      : `${store.description} holds no refresh token for ${target}, and FRESHBOOKS_REFRESH_TOKEN is not set`,
    WHY,
    store.otherTargets.length > 0
      ? `\`rolecall auth login\` for ${target}; or, if the token is meant for one of the others, set FRESHBOOKS_API_URL and FRESHBOOKS_CLIENT_ID to that target`
      : `\`rolecall auth login\`, or export FRESHBOOKS_REFRESH_TOKEN`,
  );
}
