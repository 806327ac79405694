/**
 * Trust in the shipped workflows, checked statically: no job that can read the FreshBooks or
 * secret-writing credentials ever runs code a pull request controls, and CODEOWNERS.example
 * makes every file those jobs execute need an owner's review.
 *
 * A job is *privileged* when it references a secret (`secrets.*`; `github.token` is not one) or
 * names an environment. For each privileged job:
 *   (a) every trigger of its workflow takes the workflow file from the default branch:
 *       `pull_request_target`, `push` to main only, `schedule`, `workflow_dispatch` (its ref can
 *       be any branch, but the environment's branch rule then withholds the secrets), `issues`,
 *       `issue_comment` — never `pull_request`, `pull_request_review(_comment)`, `workflow_run`,
 *       `workflow_call`, or a push to other branches or tags;
 *   (b) no checkout of a pull-request-controlled ref or repository, and no `git` command in a
 *       script that writes the working tree (checkout, switch, worktree, reset, …);
 *   (c) a local action (`uses: ./…`) only after a checkout that passed (b);
 *   (d) no `${{ … }}` inside a `run:` script (data reaches the shell through `env:`);
 *   (e) `environment: freshbooks-production`.
 * (b)–(d) hold for *every* job of a `pull_request_target` workflow too: its token has the base
 * repository's scope and its caches are shared with the default branch.
 *
 * Each rule is shown to fail on a mutated copy of the shipped workflows.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { packagePath } from '../../../src/paths.js';

const WORKFLOWS = packagePath('.github', 'workflows');
const ENVIRONMENT = 'freshbooks-production';
const DEFAULT_BRANCH = 'main';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Job {
  environment?: string | { name: string };
  steps?: Step[];
  [key: string]: unknown;
}
interface Workflow {
  on: Record<string, unknown> | string | string[];
  jobs: Record<string, Job>;
}

const workflowFiles = readdirSync(WORKFLOWS)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();
const load = (file: string) => parse(readFileSync(join(WORKFLOWS, file), 'utf8')) as Workflow;

/** `on:` as a map, whichever of its three spellings is used. */
function triggers(wf: Workflow): Record<string, unknown> {
  if (typeof wf.on === 'string') return { [wf.on]: null };
  if (Array.isArray(wf.on)) return Object.fromEntries(wf.on.map((e) => [e, null]));
  return wf.on;
}

/** Events whose workflow file (and secrets) come from the default branch. */
const TRUSTED_EVENTS = new Set([
  'pull_request_target',
  'push',
  'schedule',
  'workflow_dispatch',
  'issues',
  'issue_comment',
]);

function triggerProblems(wf: Workflow): string[] {
  const problems: string[] = [];
  for (const [event, config] of Object.entries(triggers(wf))) {
    if (!TRUSTED_EVENTS.has(event)) {
      problems.push(`(a) triggered by ${event}, whose workflow file a pull request can control`);
      continue;
    }
    if (event === 'push') {
      const push = (config ?? {}) as { branches?: unknown; tags?: unknown };
      const branches = push.branches;
      if (
        push.tags !== undefined ||
        !Array.isArray(branches) ||
        branches.join() !== DEFAULT_BRANCH
      ) {
        problems.push(`(a) push must be limited to branches: [${DEFAULT_BRANCH}]`);
      }
    }
  }
  return problems;
}

function isPrivileged(job: Job): boolean {
  return job.environment !== undefined || /\bsecrets\./.test(JSON.stringify(job));
}

/** What a pull request controls, in an expression or a ref. */
const PR_CONTROLLED = /head|pull\/|merge|github\.event\.pull_request|github\.head_ref/i;
/** Git commands that write the working tree or HEAD: a fetched head must never be one's input. */
const WRITES_WORKTREE =
  /\bgit\s+(?:-\S+\s+)*(checkout|switch|worktree|restore|reset|merge|rebase|cherry-pick|apply|am|pull|read-tree|checkout-index|stash)\b/;

function stepProblems(job: Job): string[] {
  const problems: string[] = [];
  let trustedCheckout = false;
  for (const [i, step] of (job.steps ?? []).entries()) {
    const at = `step ${i + 1}${step.name ? ` (${step.name})` : ''}`;
    if (step.uses?.startsWith('actions/checkout@')) {
      const ref = String(step.with?.['ref'] ?? '');
      const repository = String(step.with?.['repository'] ?? '');
      if (PR_CONTROLLED.test(ref) || ref.includes('${{')) {
        problems.push(`(b) ${at} checks out ${ref}, a ref the pull request controls`);
      } else if (repository !== '' && repository !== '${{ github.repository }}') {
        problems.push(`(b) ${at} checks out another repository: ${repository}`);
      } else {
        trustedCheckout = true;
      }
    }
    if (step.uses?.startsWith('./') && !trustedCheckout) {
      problems.push(
        `(c) ${at} runs the local action ${step.uses} without a trusted checkout first`,
      );
    }
    if (step.run !== undefined) {
      if (step.run.includes('${{')) {
        problems.push(`(d) ${at} interpolates an expression inside its script`);
      }
      if (WRITES_WORKTREE.test(step.run)) {
        problems.push(`(b) ${at} runs a git command that writes the working tree`);
      }
    }
  }
  return problems;
}

/** Every rule broken by `wf`, as `job: (rule) what`. Empty when the workflow is trusted. */
function trustProblems(wf: Workflow): string[] {
  const problems: string[] = [];
  const onTarget = 'pull_request_target' in triggers(wf);
  for (const [name, job] of Object.entries(wf.jobs)) {
    const privileged = isPrivileged(job);
    if (!privileged && !onTarget) continue;
    const found = [...stepProblems(job)];
    if (privileged) {
      found.unshift(...triggerProblems(wf));
      const env = typeof job.environment === 'object' ? job.environment.name : job.environment;
      if (env !== ENVIRONMENT) found.push(`(e) no environment: ${ENVIRONMENT}`);
    }
    problems.push(...found.map((p) => `${name}: ${p}`));
  }
  return problems;
}

const privilegedJobs = (wf: Workflow) =>
  Object.entries(wf.jobs).filter(([, job]) => isPrivileged(job));

describe('the shipped workflows', () => {
  it.each(workflowFiles)('%s: no privileged job can run pull-request code', (file) => {
    expect(trustProblems(load(file))).toEqual([]);
  });

  it('the privileged jobs are exactly the FreshBooks jobs, each in the environment', () => {
    const found = workflowFiles.flatMap((file) =>
      privilegedJobs(load(file)).map(([name, job]) => `${file}:${name}:${String(job.environment)}`),
    );
    expect(found).toEqual([
      `apply.yml:apply:${ENVIRONMENT}`,
      `doctor.yml:doctor:${ENVIRONMENT}`,
      `drift.yml:drift:${ENVIRONMENT}`,
      `expire.yml:expire:${ENVIRONMENT}`,
      `plan.yml:plan:${ENVIRONMENT}`,
      `request.yml:request:${ENVIRONMENT}`,
      `review.yml:review:${ENVIRONMENT}`,
    ]);
  });

  it('plan.yml: unprivileged jobs reference no secret and no environment; forks never reach the plan job', () => {
    const wf = load('plan.yml');
    for (const name of ['validate', 'fork']) {
      expect(isPrivileged(wf.jobs[name] as Job), name).toBe(false);
    }
    expect(wf.jobs['plan']?.['if']).toBe(
      'github.event.pull_request.head.repo.full_name == github.repository',
    );
  });

  it('no job keeps git credentials on disk, except expire and request (they push; every step is default-branch code)', () => {
    for (const file of workflowFiles) {
      for (const [name, job] of Object.entries(load(file).jobs)) {
        for (const step of job.steps ?? []) {
          if (!step.uses?.startsWith('actions/checkout@')) continue;
          const persisted = step.with?.['persist-credentials'] !== false;
          expect(persisted, `${file} ${name}`).toBe(
            file === 'expire.yml' || file === 'request.yml',
          );
        }
      }
    }
  });
});

/** A deep copy of a shipped workflow, changed by `mutate`. */
function mutated(file: string, mutate: (wf: Workflow) => void): Workflow {
  const wf = structuredClone(load(file));
  mutate(wf);
  return wf;
}

function firstCheckout(job: Job): Step {
  const step = job.steps?.find((s) => s.uses?.startsWith('actions/checkout@'));
  if (!step) throw new Error('no checkout');
  return step;
}

const privilegedFiles = workflowFiles.filter((file) => privilegedJobs(load(file)).length > 0);

describe('the check fails on mutated workflows', () => {
  it('covers every workflow with a privileged job', () => {
    expect(privilegedFiles).toEqual([
      'apply.yml',
      'doctor.yml',
      'drift.yml',
      'expire.yml',
      'plan.yml',
      'request.yml',
      'review.yml',
    ]);
  });

  const mutations: Array<[string, string, (wf: Workflow) => void]> = [
    [
      '(a)',
      'triggered by pull_request',
      (wf) => {
        wf.on = { pull_request: { paths: ['policies/**'] } };
      },
    ],
    [
      '(a)',
      'also triggered by workflow_run',
      (wf) => {
        wf.on = { ...triggers(wf), workflow_run: { workflows: ['ci'], types: ['completed'] } };
      },
    ],
    [
      '(a)',
      'triggered by a push to any branch',
      (wf) => {
        wf.on = { push: { branches: ['**'] } };
      },
    ],
    [
      '(b)',
      'checking out the pull request head',
      (wf) => {
        for (const [, job] of privilegedJobs(wf)) {
          const step = firstCheckout(job);
          step.with = { ...step.with, ref: '${{ github.event.pull_request.head.sha }}' };
        }
      },
    ],
    [
      '(b)',
      'checking out refs/pull/N/merge',
      (wf) => {
        for (const [, job] of privilegedJobs(wf)) {
          const step = firstCheckout(job);
          step.with = { ...step.with, ref: 'refs/pull/${{ github.event.number }}/merge' };
        }
      },
    ],
    [
      '(b)',
      'checking out the fork',
      (wf) => {
        for (const [, job] of privilegedJobs(wf)) {
          const step = firstCheckout(job);
          step.with = {
            ...step.with,
            repository: '${{ github.event.pull_request.head.repo.full_name }}',
          };
        }
      },
    ],
    [
      '(b)',
      'switching to the fetched head in a script',
      (wf) => {
        for (const [, job] of privilegedJobs(wf)) {
          job.steps?.splice(1, 0, { run: 'git checkout --quiet rolecall/pr-head' });
        }
      },
    ],
    [
      '(c)',
      'running the local action before the checkout',
      (wf) => {
        for (const [, job] of privilegedJobs(wf)) {
          job.steps = [{ uses: './' }, ...(job.steps ?? [])];
        }
      },
    ],
    [
      '(d)',
      'interpolating the pull request title in a script',
      (wf) => {
        for (const [, job] of privilegedJobs(wf)) {
          job.steps?.push({ run: 'echo "${{ github.event.pull_request.title }}"' });
        }
      },
    ],
    [
      '(d)',
      'interpolating github.head_ref in a script',
      (wf) => {
        for (const [, job] of privilegedJobs(wf)) {
          job.steps?.push({ run: 'echo ${{ github.head_ref }}' });
        }
      },
    ],
    [
      '(e)',
      'without the environment',
      (wf) => {
        for (const [, job] of privilegedJobs(wf)) delete job.environment;
      },
    ],
  ];

  const cases = privilegedFiles.flatMap((file) =>
    mutations.map(([rule, what, mutate]) => [file, rule, what, mutate] as const),
  );
  it.each(cases)('%s %s %s', (file, rule, _what, mutate) => {
    const problems = trustProblems(mutated(file, mutate));
    expect(problems.length).toBeGreaterThan(0);
    for (const [name] of privilegedJobs(load(file))) {
      expect(
        problems.some((p) => p.startsWith(`${name}: ${rule}`)),
        problems.join('\n'),
      ).toBe(true);
    }
  });

  it('plan.yml: a pull_request_target job without secrets is still held to (b)–(d)', () => {
    const wf = mutated('plan.yml', (w) => {
      const step = firstCheckout(w.jobs['validate'] as Job);
      step.with = { ...step.with, ref: '${{ github.event.pull_request.head.ref }}' };
      w.jobs['fork']?.steps?.push({ run: 'echo ${{ github.event.pull_request.body }}' });
    });
    expect(trustProblems(wf)).toEqual([
      expect.stringMatching(/^validate: \(b\) step 1 checks out/),
      expect.stringMatching(/^validate: \(c\) step 2 runs the local action/),
      expect.stringMatching(/^fork: \(d\) step 2 interpolates/),
    ]);
  });
});

// --- CODEOWNERS.example --------------------------------------------------------------------

interface OwnerRule {
  pattern: string;
  owners: string[];
  match: (path: string) => boolean;
}

/**
 * The subset of CODEOWNERS patterns the example uses, with GitHub's semantics: `*` matches any
 * path; a leading `/` anchors at the root; a trailing `/` owns everything below; `*` inside a
 * pattern matches within one path segment; an unanchored name matches at any depth.
 */
function codeownersRules(text: string): OwnerRule[] {
  const rules: OwnerRule[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') continue;
    const [pattern, ...owners] = line.split(/\s+/) as [string, ...string[]];
    const anchored = pattern.startsWith('/') || pattern.slice(0, -1).includes('/');
    const dir = pattern.endsWith('/');
    const body = pattern.replace(/^\//, '').replace(/\/$/, '');
    const glob = body
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/]*');
    const regex = new RegExp(
      `${anchored ? '^' : '(^|/)'}${pattern === '*' ? '.*' : glob}${dir ? '/.*' : '(/.*)?'}$`,
    );
    rules.push({ pattern, owners, match: (path) => regex.test(path) });
  }
  return rules;
}

/** The owners of `path`: the last matching rule wins, as on GitHub. */
function ownersOf(rules: readonly OwnerRule[], path: string): string[] {
  let owners: string[] = [];
  for (const rule of rules) if (rule.match(path)) owners = rule.owners;
  return owners;
}

const EXAMPLE = readFileSync(packagePath('.github', 'CODEOWNERS.example'), 'utf8');
const MAINTAINERS = '@your-org/rolecall-maintainers';
/** What the privileged jobs build, install, execute or read besides the policies. */
const EXECUTED = [
  /^src\//,
  /^schemas\//,
  /^\.github\//,
  /^package(-lock)?\.json$/,
  /^action\.yml$/,
  /^tsconfig[^/]*\.json$/,
];

function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: packagePath(), encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
}

describe('CODEOWNERS.example', () => {
  const rules = codeownersRules(EXAMPLE);

  it('the matcher follows GitHub’s rules (last match wins, anchoring, directories, globs)', () => {
    const r = codeownersRules(
      '*  @all\n/src/  @code\n/tsconfig*.json @cfg\ndocs/ @docs\n*.md @md # trailing comment\n',
    );
    expect(ownersOf(r, 'src/cli/main.ts')).toEqual(['@code']);
    expect(ownersOf(r, 'test/src/x.ts')).toEqual(['@all']);
    expect(ownersOf(r, 'tsconfig.json')).toEqual(['@cfg']);
    expect(ownersOf(r, 'test/tsconfig.json')).toEqual(['@all']);
    expect(ownersOf(r, 'a/docs/b.txt')).toEqual(['@docs']);
    expect(ownersOf(r, 'src/README.md')).toEqual(['@md']);
    expect(ownersOf(codeownersRules('/src/ @code\n'), 'package.json')).toEqual([]);
  });

  it('owns every tracked file, and the catch-all comes first', () => {
    expect(rules[0]).toMatchObject({ pattern: '*', owners: [MAINTAINERS] });
    const files = trackedFiles();
    expect(files.length).toBeGreaterThan(100);
    expect(files.filter((path) => ownersOf(rules, path).length === 0)).toEqual([]);
  });

  it('everything the privileged jobs execute needs the maintainers, and policies/ its owners', () => {
    const files = trackedFiles();
    const executed = files.filter((path) => EXECUTED.some((re) => re.test(path)));
    expect(executed).toEqual(
      expect.arrayContaining(['package.json', 'package-lock.json', 'tsconfig.json']),
    );
    expect(executed.some((p) => p.startsWith('src/cli/'))).toBe(true);
    expect(executed).toContain('.github/workflows/plan.yml');
    expect(executed).toContain('action.yml');
    for (const path of executed) expect(ownersOf(rules, path), path).toEqual([MAINTAINERS]);
    expect(ownersOf(rules, 'policies/acme-books.yaml')).toEqual(['@your-org/access-admins']);
    // Files that do not exist yet are owned too (a new build input, a new directory).
    expect(ownersOf(rules, 'tsconfig.build.json')).toEqual([MAINTAINERS]);
    expect(ownersOf(rules, 'lib/new-thing.js')).toEqual([MAINTAINERS]);
  });

  it('the check fails without the catch-all: files outside the explicit lines are unowned', () => {
    const narrowed = codeownersRules(EXAMPLE.replace(/^\*\s+.*$/m, ''));
    const unowned = trackedFiles().filter((path) => ownersOf(narrowed, path).length === 0);
    expect(unowned).toContain('README.md');
    expect(unowned.some((p) => p.startsWith('test/'))).toBe(true);
  });
});
