/**
 * A workflow runner (workflow-runner.ts) set up for one pull request, as GitHub would start
 * plan.yml's jobs for it: the event payload (a real webhook example, patched with the pull
 * request's number, shas and repository), GITHUB_* for the event, the test's FreshBooks and
 * GitHub stand-ins, and the secrets as `${{ }}` values.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunningEmulator } from '../../../src/emulator/index.js';
import { TOKENS } from '../../support/fake-github/client.js';
import type { FakeGitHub, FakeRepo } from '../../support/fake-github/index.js';
import { webhookExample } from '../../support/webhook-examples.js';
import { NOW } from './plan-harness.js';
import { createRunner, type Runner } from './workflow-runner.js';

export interface PullRequestRun {
  event: 'pull_request_target' | 'pull_request';
  /** Scratch directory of the run (the event file goes here too). */
  root: string;
  /** The bare repository the checkout clones. */
  origin: string;
  gh: FakeGitHub;
  repo: FakeRepo;
  emulator: RunningEmulator;
  number: number;
  headSha: string;
  headRef: string;
  mainSha: string;
  /** Remote actions: `OWNER/REPO@REF` → directory (the runner's action cache). */
  actions?: Record<string, string>;
}

export async function pullRequestRunner(run: PullRequestRun): Promise<Runner> {
  const { event, root, repo, number, headSha, mainSha, emulator, gh } = run;
  const example = webhookExample('pull_request', 'synchronize') as Record<string, unknown> & {
    pull_request: Record<string, Record<string, unknown>>;
  };
  example['number'] = number;
  Object.assign(example.pull_request, {
    number,
    html_url: `https://github.com/${repo.fullName}/pull/${number}`,
    user: { login: 'dev', type: 'User' },
  });
  Object.assign(example.pull_request['head'] as object, {
    sha: headSha,
    ref: run.headRef,
    repo: { ...(example.pull_request['head']?.['repo'] as object), full_name: repo.fullName },
  });
  Object.assign(example.pull_request['base'] as object, { sha: mainSha, ref: 'main' });
  const eventPath = join(root, 'event.json');
  await writeFile(eventPath, JSON.stringify(example));
  return createRunner({
    root,
    origin: run.origin,
    defaultBranch: 'main',
    // Under pull_request, a checkout without `ref:` is the pull request (its merge ref; the
    // head here, the same code).
    ...(event === 'pull_request' ? { defaultRef: `refs/pull/${number}/head` } : {}),
    ...(run.actions === undefined ? {} : { actions: run.actions }),
    env: {
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: repo.fullName,
      GITHUB_EVENT_NAME: event,
      GITHUB_EVENT_PATH: eventPath,
      // pull_request_target: the default branch's; pull_request: the pull request's.
      GITHUB_SHA: event === 'pull_request' ? headSha : mainSha,
      GITHUB_REF: event === 'pull_request' ? `refs/pull/${number}/merge` : 'refs/heads/main',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_RUN_ID: '9001',
      GITHUB_STEP_SUMMARY: join(root, 'summary.md'),
      GITHUB_OUTPUT: join(root, 'output.txt'),
      // The test's stand-ins for FreshBooks and GitHub, and its clock.
      ...gh.env(TOKENS.actions),
      FRESHBOOKS_API_URL: emulator.url,
      ROLECALL_NOW: NOW,
    },
    expressions: {
      'github.token': TOKENS.actions,
      'github.event.pull_request.number': String(number),
      'github.event.pull_request.head.sha': headSha,
      'secrets.FRESHBOOKS_CLIENT_ID': emulator.credentials.clientId,
      'secrets.FRESHBOOKS_CLIENT_SECRET': emulator.credentials.clientSecret,
      'secrets.FRESHBOOKS_REFRESH_TOKEN': emulator.credentials.refreshToken,
      'secrets.ROLECALL_SECRETS_TOKEN': TOKENS.secrets,
    },
  });
}
