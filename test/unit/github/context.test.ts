import { describe, expect, it } from 'vitest';
import { githubContext, isForkPullRequest } from '../../../src/github/context.js';
import { apiUrlOf, createGitHubClient } from '../../../src/github/client.js';
import { mergeFirstSeen } from '../../../src/github/drift-issue.js';
import { parseGitHubSecretSpec } from '../../../src/github/token-store-github-secret.js';
import { RolecallError, UsageError } from '../../../src/errors.js';
import { webhookExample } from '../../support/webhook-examples.js';

const payload = webhookExample;

function contextFor(event: Record<string, unknown>, env: Record<string, string> = {}) {
  return githubContext(
    {
      GITHUB_REPOSITORY: 'Codertocat/Hello-World',
      GITHUB_EVENT_PATH: '/event.json',
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_RUN_ID: '42',
      ...env,
    },
    () => JSON.stringify(event),
  );
}

describe('githubContext', () => {
  it('reads a pull_request "opened" payload (webhooks-examples)', () => {
    const event = payload('pull_request', 'opened');
    const ctx = contextFor(event);
    const pr = event['pull_request'] as { number: number; html_url: string; head: { sha: string } };
    expect(ctx).toMatchObject({
      owner: 'Codertocat',
      repo: 'Hello-World',
      runUrl: 'https://github.com/Codertocat/Hello-World/actions/runs/42',
    });
    expect(ctx.pullRequest).toEqual({
      number: pr.number,
      htmlUrl: pr.html_url,
      headSha: pr.head.sha,
      headRef: 'changes',
      baseRef: 'master',
      baseSha: expect.stringMatching(/^[0-9a-f]{40}$/) as unknown as string,
      headRepoFullName: 'Codertocat/Hello-World',
      isFork: false,
      author: 'Codertocat',
    });
  });

  it('detects a fork pull request, and a deleted fork', () => {
    const event = payload('pull_request', 'opened');
    const pr = event['pull_request'] as { head: { repo: { full_name: string } | null } };
    if (pr.head.repo) pr.head.repo.full_name = 'mallory/Hello-World';
    expect(contextFor(event).pullRequest?.isFork).toBe(true);
    pr.head.repo = null;
    expect(contextFor(event).pullRequest).toMatchObject({ isFork: true, headRepoFullName: null });
    expect(isForkPullRequest('codertocat/hello-world', 'Codertocat/Hello-World')).toBe(false);
  });

  it('reads a push payload: no pull request', () => {
    const push = payload('push');
    const ctx = contextFor(push, {
      GITHUB_EVENT_NAME: 'push',
      GITHUB_SHA: String(push['after']),
      GITHUB_REF: String(push['ref']),
    });
    expect(ctx.pullRequest).toBeNull();
    expect(ctx.sha).toBe(push['after']);
  });

  it('explains a missing or malformed environment', () => {
    expect(() => githubContext({})).toThrow(/GITHUB_REPOSITORY is not set/);
    expect(() => githubContext({ GITHUB_REPOSITORY: 'nope' })).toThrow(/must be "owner\/repo"/);
    expect(() =>
      githubContext({ GITHUB_REPOSITORY: 'a/b', GITHUB_EVENT_PATH: '/x' }, () => '[1]'),
    ).toThrow(RolecallError);
    expect(githubContext({ GITHUB_REPOSITORY: 'a/b' })).toMatchObject({
      event: {},
      pullRequest: null,
      stepSummaryPath: null,
    });
  });
});

describe('createGitHubClient', () => {
  it('honours GITHUB_API_URL and requires a token', () => {
    expect(apiUrlOf({ GITHUB_API_URL: 'https://ghe.example/api/v3/' })).toBe(
      'https://ghe.example/api/v3',
    );
    expect(apiUrlOf({})).toBe('https://api.github.com');
    expect(() => createGitHubClient({ env: {} })).toThrow(/GITHUB_TOKEN is not set/);
    expect(() => createGitHubClient({ env: {}, tokenName: 'ROLECALL_SECRETS_TOKEN' })).toThrow(
      /secrets\.ROLECALL_SECRETS_TOKEN/,
    );
  });
});

describe('mergeFirstSeen', () => {
  const now = new Date('2026-05-10T06:00:00Z');
  it('keeps known first-seen dates, stamps new items, forgets cleared ones', () => {
    const merged = mergeFirstSeen(
      [
        { key: 'unmanaged:zoe', firstSeen: '2026-05-01T06:00:00.000Z' },
        { key: 'gone:sam', firstSeen: '2026-04-01T06:00:00.000Z' },
      ],
      [{ key: 'unmanaged:zoe', extra: 1 }, { key: 'role:grace' }],
      now,
    );
    expect(merged).toEqual([
      { key: 'unmanaged:zoe', extra: 1, firstSeen: '2026-05-01T06:00:00.000Z' },
      { key: 'role:grace', firstSeen: '2026-05-10T06:00:00.000Z' },
    ]);
  });
});

describe('parseGitHubSecretSpec', () => {
  it.each([
    [
      'github-secret:FRESHBOOKS_REFRESH_TOKEN',
      { name: 'FRESHBOOKS_REFRESH_TOKEN', environment: null },
    ],
    [
      'github-secret:FRESHBOOKS_REFRESH_TOKEN@freshbooks-production',
      { name: 'FRESHBOOKS_REFRESH_TOKEN', environment: 'freshbooks-production' },
    ],
  ])('%s', (spec, expected) => {
    expect(parseGitHubSecretSpec(spec)).toEqual(expected);
  });
  it.each([
    'file:x',
    'github-secret:',
    'github-secret:has space',
    'github-secret:GITHUB_TOKEN',
    'github-secret:X@a/b',
  ])('refuses %s', (spec) => {
    expect(() => parseGitHubSecretSpec(spec)).toThrow(UsageError);
  });
});
