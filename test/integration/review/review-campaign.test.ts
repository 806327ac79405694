/**
 * The review campaign end to end with real parts: the repository's own example policy (plus a
 * second business) committed in a temporary git repository with a bare `origin`, the emulator's
 * default seed, the fake GitHub, the CLI in-process.
 *
 *   review --github            → one issue per business; a second run opens none
 *   review close (not due)     → refused, nothing written
 *   review close (2 unchecked) → a branch in the remote removing exactly those two, comments
 *                                kept; a pull request "Closes #N"; a comment on the issue
 *   review close (again)       → the open pull request is reported, nothing duplicated
 *   review close (all checked) → no pull request; comment; issue closed as completed
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import { packagePath } from '../../../src/paths.js';
import { hiddenRecord } from '../../../src/github/hidden-record.js';
import {
  startFakeGitHub,
  type FakeGitHub,
  type FakeRepo,
} from '../../support/fake-github/index.js';
import { addStandardTokens, TOKENS } from '../../support/fake-github/client.js';
import {
  createBareRemote,
  createTempRepo,
  type BareRemote,
  type TempRepo,
} from '../../support/temp-repo.js';
import { ACME, emulatorEnv, HOLDINGS, rolecall } from './review-harness.js';

const ACME_FILE = 'policies/acme-books.yaml';
const HOLDINGS_FILE = 'policies/acme-holdings.yaml';
const HOLDINGS_POLICY = `# Acme Holdings: the parent company's books.
business: 240341
name: Acme Holdings LLC
mode: authoritative
rules:
  protected: [olivia@acme.example]

members:
  - email: alice@acme.example # the token's identity
    role: admin
    reason: Finance lead
  - email: tom@acme.example
    role: employee
    reason: Holdings bookkeeping
`;
/** After the default due date (14 days after NOW). */
const AFTER_DUE = '2026-12-14T09:00:00Z';

let emulator: RunningEmulator;
let gh: FakeGitHub;
let ghRepo: FakeRepo;
let repo: TempRepo;
let remote: BareRemote;
let env: Record<string, string>;
let acmeText: string;
let mainSha: string;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  gh = await startFakeGitHub();
  addStandardTokens(gh);
  ghRepo = gh.world.repo('acme', 'access');
  acmeText = await readFile(packagePath('policies', 'acme-books.yaml'), 'utf8');
  repo = await createTempRepo();
  remote = await createBareRemote();
  mainSha = await repo.commit({
    files: {
      '.gitignore': '.rolecall/\n',
      [ACME_FILE]: acmeText,
      [HOLDINGS_FILE]: HOLDINGS_POLICY,
    },
    message: 'Access policies (#3)',
    author: { name: 'Olivia Park', email: 'olivia@acme.example' },
    date: '2026-06-01T09:00:00Z',
  });
  await repo.git.raw(['remote', 'add', 'origin', remote.url]);
  await repo.git.raw(['push', '--quiet', 'origin', 'main']);
  env = {
    ...emulatorEnv(emulator),
    ...gh.env(TOKENS.actions),
    GITHUB_REPOSITORY: 'acme/access',
  };
});

afterAll(async () => {
  await gh.close();
  await emulator.close();
  await repo.cleanup();
  await remote.cleanup();
});

const reviewIssues = () =>
  [...ghRepo.issues.values()].filter((i) => !i.pull && i.labels.includes('rolecall-review'));
const issueOf = (businessId: number) => {
  const found = reviewIssues().filter((i) => (i.body ?? '').includes(`business=${businessId} `));
  expect(found).toHaveLength(1);
  return found[0]!;
};
const pulls = () => [...ghRepo.issues.values()].filter((i) => i.pull);

/** Unticks the checkbox of each email, as a reviewer does in the GitHub UI. */
function untick(number: number, emails: string[]): void {
  const issue = ghRepo.issue(number);
  let body = issue.body ?? '';
  for (const email of emails) {
    const lines = body.split('\n');
    const at = lines.findIndex((line) => line.includes(`<!-- member:${email} -->`));
    expect(at, email).toBeGreaterThanOrEqual(0);
    lines[at] = lines[at]!.replace('- [x]', '- [ ]');
    body = lines.join('\n');
  }
  issue.body = body;
}

describe('rolecall review --github', () => {
  it('opens exactly one review issue per business, a checked box per policy entry', async () => {
    const summary = join(repo.dir, '.rolecall', 'step-summary.md');
    const result = await rolecall(['review', '--github', '--rate', '1000'], {
      cwd: repo.dir,
      env: { ...env, GITHUB_STEP_SUMMARY: summary },
    });
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(gh.calls('POST', '/repos/acme/access/issues')).toHaveLength(2);
    const acme = issueOf(ACME);
    const holdings = issueOf(HOLDINGS);
    expect(acme.title).toBe('Access review: Acme Books Inc. (business 240340), due 2026-12-13');
    expect(holdings.title).toBe(
      'Access review: Acme Holdings LLC (business 240341), due 2026-12-13',
    );
    expect(acme.user.login).toBe('github-actions[bot]');
    const boxes = (body: string | null) =>
      (body ?? '').split('\n').filter((l) => l.startsWith('- ['));
    // 13 policy entries, all checked (keep); the owner and hand-granted people have no box.
    expect(boxes(acme.body)).toHaveLength(13);
    expect(boxes(acme.body).every((line) => line.startsWith('- [x] '))).toBe(true);
    expect(acme.body).not.toContain('<!-- member:olivia@acme.example -->');
    expect(acme.body).toContain('`zoe@acme.example`');
    expect(boxes(holdings.body)).toHaveLength(2);
    // Provenance in the boxes: who granted each entry, from the temp repository's history.
    expect(acme.body).toContain('granted by Olivia Park on 2026-06-01 (#3)');
    // The whole pack, everyone included, lands in the job summary for the audit trail.
    const written = await readFile(summary, 'utf8');
    expect(written).toContain('## Acme Books Inc. (business 240340)');
    expect(written).toContain('## Acme Holdings LLC (business 240341)');
    expect(written).toContain('`tom@acme.example`');
    expect(result.out).toBe(
      `business 240340: opened review #${acme.number} (13 to review, due 2026-12-13) https://github.com/acme/access/issues/${acme.number}\n` +
        `business 240341: opened review #${holdings.number} (2 to review, due 2026-12-13) https://github.com/acme/access/issues/${holdings.number}\n`,
    );
  });

  it('a second run opens no second issue and leaves the open ones untouched', async () => {
    const before = reviewIssues().map((i) => [i.number, i.body]);
    gh.clearRequests();
    const result = await rolecall(['review', '--github', '--due-in', '3w', '--rate', '1000'], {
      cwd: repo.dir,
      env,
    });
    expect(result.code).toBe(0);
    expect(gh.writes()).toEqual([]);
    expect(reviewIssues().map((i) => [i.number, i.body])).toEqual(before);
    expect(result.out).toContain(
      `business 240340: review #${issueOf(ACME).number} is still open (due 2026-12-13); not opening another`,
    );
  });
});

describe('rolecall review close', () => {
  it('refuses a review that is open and not yet due, and writes nothing', async () => {
    const number = issueOf(ACME).number;
    untick(number, ['frank@acme.example', 'ivan@acme.example']);
    gh.clearRequests();
    const result = await rolecall(['review', 'close', '--issue', String(number)], {
      cwd: repo.dir,
      env,
    });
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/still open and not due until 2026-12-13.*--early/);
    expect(gh.writes()).toEqual([]);
    expect(Object.keys(await remote.refs())).toEqual(['refs/heads/main']);
  });

  it('--dry-run prints who would be removed and writes nothing', async () => {
    const number = issueOf(ACME).number;
    gh.clearRequests();
    const result = await rolecall(['review', 'close', '--issue', String(number), '--dry-run'], {
      cwd: repo.dir,
      env: { ...env, ROLECALL_NOW: AFTER_DUE },
    });
    expect(result.code).toBe(0);
    expect(result.out).toContain('2 to remove, 11 kept');
    expect(result.out).toContain('  - frank@acme.example (employee)');
    expect(result.out).toContain('  - ivan@acme.example (unassigned)');
    expect(gh.writes()).toEqual([]);
    expect(Object.keys(await remote.refs())).toEqual(['refs/heads/main']);
  });

  it('pushes a branch removing exactly the two unchecked people, comments intact, and opens the PR', async () => {
    const number = issueOf(ACME).number;
    ghRepo.addComment(number, { user: 'ben-gh', body: 'Frank moved to the US entity; Ivan left.' });
    const result = await rolecall(['review', 'close', '--issue', String(number)], {
      cwd: repo.dir,
      env: { ...env, ROLECALL_NOW: AFTER_DUE, GITHUB_ACTOR: 'olivia-gh' },
    });
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const branch = `rolecall/review-${number}`;

    // The branch in the remote: one commit on main, only the policy file changed.
    const refs = await remote.refs();
    expect(Object.keys(refs).sort()).toEqual(['refs/heads/main', `refs/heads/${branch}`]);
    const head = refs[`refs/heads/${branch}`]!;
    expect((await remote.git.raw(['rev-parse', `${head}^`])).trim()).toBe(mainSha);
    expect(
      (await remote.git.raw(['diff', '--name-only', mainSha, head])).trim().split('\n'),
    ).toEqual([ACME_FILE]);
    const edited = (await remote.show(head, ACME_FILE))!;

    // Only deletions, and the deleted lines are exactly frank's and ivan's entries.
    const before = acmeText.split('\n');
    const after = edited.split('\n');
    const removed: string[] = [];
    let i = 0;
    for (const line of after) {
      while (i < before.length && before[i] !== line) removed.push(before[i++]!);
      expect(i < before.length, `line not in the original: ${line}`).toBe(true);
      i += 1;
    }
    removed.push(...before.slice(i));
    expect(removed.filter((line) => line.trim() !== '')).toEqual([
      '  - email: frank@acme.example',
      '    role: employee',
      '    reason: Accounts payable',
      '  - email: ivan@acme.example',
      '    role: unassigned',
      '    reason: Time tracking only',
    ]);
    // Every comment survives, full-line and trailing alike.
    for (const line of before.filter((l) => l.includes('#'))) expect(after).toContain(line);
    const members = (parse(edited) as { members: Array<{ email: string }> }).members;
    expect(members.map((m) => m.email)).toEqual(
      (parse(acmeText) as { members: Array<{ email: string }> }).members
        .map((m) => m.email)
        .filter((email) => email !== 'frank@acme.example' && email !== 'ivan@acme.example'),
    );

    // The user's checkout is untouched.
    expect(await repo.currentBranch()).toBe('main');
    expect(await repo.head()).toBe(mainSha);
    expect(await repo.status()).toBe('');
    expect(await repo.read(ACME_FILE)).toBe(acmeText);

    // The pull request: from the branch to main, closing the review, naming who and why.
    expect(pulls()).toHaveLength(1);
    const pr = pulls()[0]!;
    expect(pr.pull).toMatchObject({ headRef: branch, baseRef: 'main' });
    expect(pr.title).toBe(`Access review #${number}: remove 2 people from Acme Books Inc.`);
    expect(pr.labels).toContain('rolecall-review');
    const body = pr.body ?? '';
    expect(body.startsWith(`Closes #${number}.`)).toBe(true);
    expect(body).toContain('| `frank@acme.example` | employee | Accounts payable | — |');
    expect(body).toContain('| `ivan@acme.example` | unassigned | Time tracking only | — |');
    expect(body).toContain('Kept (checked): 11 people.');
    expect(body).toContain('- Closed by @olivia-gh.');
    expect(body).toContain('- Discussed on the review by @ben-gh.');

    // The review issue says what happened; it stays open until the pull request is merged.
    const comments = ghRepo
      .commentsOn(number)
      .filter((c) => c.user.login === 'github-actions[bot]');
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain(`Pull request #${pr.number} removes`);
    expect(ghRepo.issue(number).state).toBe('open');
    expect(result.out).toContain(`opened pull request #${pr.number}`);
  });

  it('run again, it reports the open pull request and duplicates nothing', async () => {
    const number = issueOf(ACME).number;
    const refs = await remote.refs();
    gh.clearRequests();
    const result = await rolecall(['review', 'close', '--issue', String(number)], {
      cwd: repo.dir,
      env: { ...env, ROLECALL_NOW: AFTER_DUE },
    });
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/pull request #\d+ from rolecall\/review-\d+ is already open/);
    expect(gh.writes()).toEqual([]);
    expect(pulls()).toHaveLength(1);
    expect(await remote.refs()).toEqual(refs);
  });

  it('with everyone checked: no pull request; the issue gets a comment and is closed as completed', async () => {
    const number = issueOf(HOLDINGS).number;
    const refs = await remote.refs();
    gh.clearRequests();
    const result = await rolecall(['review', 'close', '--issue', String(number)], {
      cwd: repo.dir,
      env: { ...env, ROLECALL_NOW: AFTER_DUE },
    });
    expect(result.code).toBe(0);
    expect(result.out).toContain('no one to remove');
    expect(pulls()).toHaveLength(1);
    expect(gh.calls('POST', '/repos/acme/access/pulls')).toEqual([]);
    expect(await remote.refs()).toEqual(refs);
    const comment = ghRepo.commentsOn(number).at(-1)!;
    expect(comment.body).toContain('Review closed: no one to remove.');
    expect(comment.body).toContain('2 people kept');
    expect(ghRepo.issue(number)).toMatchObject({ state: 'closed', stateReason: 'completed' });
  });

  it('refuses a look-alike issue opened by someone else', async () => {
    const forged = ghRepo.addIssue({
      author: 'mallory',
      title: 'Access review',
      labels: ['rolecall-review'],
      body:
        `${hiddenRecord('review', String(ACME), { v: 1, businessId: ACME, members: ['alice@acme.example'] })}\n` +
        `<!-- rolecall:review-body business=${ACME} due=2026-01-01 -->\n` +
        '- [ ] `alice@acme.example` <!-- member:alice@acme.example -->\n',
    });
    gh.clearRequests();
    const result = await rolecall(['review', 'close', '--issue', String(forged)], {
      cwd: repo.dir,
      env: { ...env, ROLECALL_NOW: AFTER_DUE },
    });
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/opened by @mallory; rolecall only trusts reviews opened by/);
    expect(gh.writes()).toEqual([]);
  });

  it('refuses a pull request number and an issue that is not a review', async () => {
    const plain = ghRepo.addIssue({ author: 'github-actions[bot]', title: 'Something else' });
    const pr = pulls()[0]!.number;
    for (const [number, message] of [
      [plain, /is not a rolecall access review/],
      [pr, /is a pull request, not a review issue/],
    ] as const) {
      const result = await rolecall(['review', 'close', '--issue', String(number)], {
        cwd: repo.dir,
        env: { ...env, ROLECALL_NOW: AFTER_DUE },
      });
      expect(result.code).toBe(1);
      expect(result.err).toMatch(message);
    }
    const usage = await rolecall(['review', 'close'], { cwd: repo.dir, env });
    expect(usage.err).toMatch(/review close needs --issue N/);
  });
});
