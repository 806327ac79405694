/**
 * The plan comment rolecall posts on a pull request shows what the policy says — reasons,
 * tickets, the business name — and anyone with write access to the policy repository writes
 * those. Posted by rolecall's token, a live `@acme/owners` would page a whole team "from"
 * rolecall, and a live link would look vouched for. Run as plan.yml runs it (`rolecall plan
 * --github`), with a real git checkout, the emulator as FreshBooks and the fake GitHub.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  loadDefaultSeed,
  startEmulator,
  type RunningEmulator,
} from '../../../src/emulator/index.js';
import { ACTIONS_BOT_LOGIN } from '../../../src/github/identity.js';
import { addStandardTokens, TOKENS } from '../../support/fake-github/client.js';
import {
  startFakeGitHub,
  type FakeGitHub,
  type FakeRepo,
} from '../../support/fake-github/index.js';
import { liveMentionsAndLinks, prose, visible } from '../../support/live-mentions.js';
import { createTempRepo, type TempRepo } from '../../support/temp-repo.js';
import { emulatorEnv, exampleYaml, rolecall } from './plan-harness.js';
import { webhookExample } from '../../support/webhook-examples.js';

const HOSTILE = '@acme/owners please see https://evil.example/x and www.evil.example';
const DATE = '2026-11-20T09:00:00Z';
const PLAN_ARGS = [
  'plan',
  '--github',
  '--out',
  'plan.json',
  '--token-store',
  'github-secret:FRESHBOOKS_REFRESH_TOKEN',
];

/** The example policy with the attacker's text in a name, two reasons, a team and a ticket. */
function hostilePolicy(yaml: string): string {
  const edited = yaml
    .replace('name: Acme Books Inc.', 'name: Acme Books @acme/finance www.acme-books.example')
    .replace('reason: Operations', `reason: "${HOSTILE}"`)
    .replace('reason: Day-to-day bookkeeping', 'reason: "cc @mallory, mail boss@evil.example"')
    .replace(
      '  - email: frank@acme.example',
      [
        '  - email: newhire@acme.example',
        '    role: employee',
        `    reason: "${HOSTILE}"`,
        '    ticket: https://evil.example/FIN-1',
        '',
        '  - email: frank@acme.example',
      ].join('\n'),
    );
  if (edited === yaml || !edited.includes('newhire@') || !edited.includes(HOSTILE)) {
    throw new Error('the example policy changed: the hostile edit no longer applies');
  }
  return edited;
}

let emulator: RunningEmulator;
let gh: FakeGitHub;
let git: TempRepo;
let repo: FakeRepo;
let baseSha: string;
let scratch: string;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  gh = await startFakeGitHub();
  addStandardTokens(gh);
});
afterAll(async () => {
  await emulator.close();
  await gh.close();
});
beforeEach(async () => {
  emulator.control.loadState(loadDefaultSeed());
  repo = gh.world.repo('acme', `access-${Math.random().toString(36).slice(2, 8)}`);
  git = await createTempRepo({ prefix: 'rolecall-plan-mentions-' });
  scratch = await mkdtemp(join(tmpdir(), 'rolecall-plan-mentions-runner-'));
  baseSha = await git.commit({
    files: { 'policies/acme-books.yaml': await exampleYaml() },
    message: 'Policies',
    date: DATE,
  });
  await git.branch('access-change');
});
afterEach(async () => {
  await git.cleanup();
  await rm(scratch, { recursive: true, force: true });
});

/** The Actions environment of a `pull_request` job for pull request `number` at `head`. */
async function actionsEnv(number: number, head: string): Promise<Record<string, string>> {
  interface Side {
    sha: string;
    ref: string;
    repo: Record<string, unknown>;
  }
  const event = webhookExample('pull_request', 'synchronize') as {
    number: number;
    pull_request: Record<string, unknown> & { head: Side; base: Side };
  };
  event.number = number;
  Object.assign(event.pull_request, {
    number,
    html_url: `https://github.com/${repo.fullName}/pull/${number}`,
    user: { login: 'dev', type: 'User' },
  });
  Object.assign(event.pull_request.head, { sha: head, ref: 'access-change' });
  event.pull_request.head.repo = { ...event.pull_request.head.repo, full_name: repo.fullName };
  Object.assign(event.pull_request.base, { sha: baseSha, ref: 'main' });
  const eventPath = join(scratch, 'event.json');
  await writeFile(eventPath, JSON.stringify(event));
  return {
    ...emulatorEnv(emulator),
    ...gh.env(TOKENS.actions),
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: repo.fullName,
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_SHA: head,
    GITHUB_RUN_ID: '7101',
    GITHUB_STEP_SUMMARY: join(scratch, 'summary.md'),
    GITHUB_OUTPUT: join(scratch, 'output.txt'),
    ROLECALL_SECRETS_TOKEN: TOKENS.secrets,
  };
}

/** Live mentions and links that come from the attacker's text (rolecall's own are not in it). */
function hostileLive(markdown: string): string[] {
  return liveMentionsAndLinks(markdown).filter((found) =>
    /evil|acme\/|mallory|acme-books\.example/i.test(found),
  );
}

/** Runs `rolecall plan --github` on a pull request with the hostile policy; its comment. */
async function planHostilePullRequest(): Promise<{ body: string; summary: string }> {
  const head = await git.commit({
    files: { 'policies/acme-books.yaml': hostilePolicy(await exampleYaml()) },
    message: 'Grant newhire',
    date: DATE,
  });
  const number = repo.addPullRequest({ author: 'dev', headSha: head });
  const env = await actionsEnv(number, head);
  const run = await rolecall({ cwd: git.dir, env }, PLAN_ARGS);
  expect({ code: run.code, err: run.err }).toMatchObject({ code: 0 });
  const comments = repo.commentsOn(number);
  expect(comments).toHaveLength(1);
  expect(comments[0]?.user.login).toBe(ACTIONS_BOT_LOGIN);
  const summary = await readFile(env.GITHUB_STEP_SUMMARY as string, 'utf8');
  return { body: comments[0]?.body ?? '', summary };
}

/** From the plan's own heading on: what `renderPlanMarkdown` wrote. */
function planSection(markdown: string): string {
  const start = markdown.indexOf('## rolecall plan');
  expect(start).toBeGreaterThanOrEqual(0);
  return markdown.slice(start);
}

describe('rolecall plan --github: the comment neutralises mentions and links from the policy', () => {
  it('the plan: reasons, tickets and team reasons reach it readable but inert', async () => {
    const { body, summary } = await planHostilePullRequest();
    const plan = planSection(body);
    // The attack reached the plan: the new grant and maya's change, with their reasons.
    const seen = visible(plan);
    expect(seen).toContain(`\n> ${HOSTILE}\n`);
    expect(seen).toContain('`newhire@acme.example`');
    expect(seen).toContain('ticket https://evil.example/FIN-1');
    expect(seen).toContain('> cc @mallory, mail boss@evil.example');
    // …and none of it is live.
    expect(hostileLive(plan)).toEqual([]);
    expect(prose(plan)).not.toMatch(/@acme\/|@mallory|@evil|:\/\/evil|www\.evil/i);
    // The job summary shows the same plan: inert there too.
    expect(visible(summary)).toContain(HOSTILE);
    expect(hostileLive(planSection(summary))).toEqual([]);
  });

  it('the whole comment, the policy name and the other sections included, has nothing live', async () => {
    const { body } = await planHostilePullRequest();
    expect(visible(body)).toContain('@acme/finance www.acme-books.example');
    expect(hostileLive(body)).toEqual([]);
  });
});
