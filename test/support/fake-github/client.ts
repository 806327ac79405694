/** An octokit for the fake server, as rolecall builds it, with retry and throttling off. */
import { createGitHubClient, type GitHubClient } from '../../../src/github/client.js';
import type { FakeGitHub } from './index.js';

export function fakeClient(gh: FakeGitHub, token: string): GitHubClient {
  return createGitHubClient({
    env: gh.env(token),
    retry: false,
    throttle: false,
    warn: () => undefined,
  });
}

/** Tokens most tests need, named after what they stand for. */
export const TOKENS = {
  /** Like `GITHUB_TOKEN`: writes issues and comments as github-actions[bot]; no GET /user. */
  actions: 'ghs_actions_token_0000000000000000',
  /** A personal access token of `rolecall-admin`: GET /user works. */
  pat: 'ghp_personal_token_00000000000000000',
  /** `ROLECALL_SECRETS_TOKEN`: may write secrets. */
  secrets: 'github_pat_secrets_000000000000000',
  /** A secrets token with "Secrets: Read-only": reads the public key, every PUT answers 403. */
  secretsReadOnly: 'github_pat_secrets_readonly_000000',
  /** Reads organization teams (Members: read). */
  teams: 'ghs_teams_token_00000000000000000',
} as const;

export function addStandardTokens(gh: FakeGitHub): void {
  gh.world.addToken(TOKENS.actions, 'github-actions[bot]');
  gh.world.addToken(TOKENS.pat, 'rolecall-admin', { user: true });
  gh.world.addToken(TOKENS.secrets, 'rolecall-app[bot]', { secrets: true });
  gh.world.addToken(TOKENS.secretsReadOnly, 'rolecall-admin', { secrets: 'read' });
  gh.world.addToken(TOKENS.teams, 'rolecall-app[bot]', { teams: true });
}
