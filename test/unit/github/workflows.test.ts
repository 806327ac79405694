/**
 * The shipped workflow and action files: valid against the SchemaStore schemas (copied into
 * test/fixtures/schemastore/, see SOURCES.md there), and holding the security properties the
 * README promises.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { packagePath } from '../../../src/paths.js';

const WORKFLOWS = packagePath('.github', 'workflows');
const SCHEMAS = packagePath('test', 'fixtures', 'schemastore');

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  if?: string;
}
interface Job {
  'runs-on'?: string;
  permissions?: Record<string, string> | string;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean; queue?: string } | string;
  environment?: string;
  if?: string;
  needs?: string | string[];
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string> | string;
  jobs: Record<string, Job>;
}

const workflowFiles = readdirSync(WORKFLOWS)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();
/** The one action: at the repository root, so others use it as `uses: OWNER/rolecall@sha`. */
const ACTION = packagePath('action.yml');
const text = (path: string) => readFileSync(path, 'utf8');
const workflow = (file: string) => parse(text(join(WORKFLOWS, file))) as Workflow;

function validator(schema: string) {
  const ajv = new Ajv({ strict: false, allErrors: true });
  return ajv.compile(JSON.parse(text(join(SCHEMAS, schema))) as object);
}

describe('schemas', () => {
  it('ships the workflows the README describes', () => {
    expect(workflowFiles).toEqual([
      'apply.yml',
      'ci.yml',
      'doctor.yml',
      'drift.yml',
      'expire.yml',
      'plan.yml',
      'request.yml',
      'review.yml',
    ]);
    expect(readdirSync(packagePath('.github')).includes('actions')).toBe(false);
  });

  const validateWorkflow = validator('github-workflow.json');
  it.each(workflowFiles)('%s is a valid workflow', (file) => {
    const ok = validateWorkflow(parse(text(join(WORKFLOWS, file))));
    expect(validateWorkflow.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  const validateAction = validator('github-action.json');
  it('action.yml is a valid action', () => {
    const ok = validateAction(parse(text(ACTION)));
    expect(validateAction.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the validator really rejects broken files', () => {
    const broken = workflow('plan.yml') as unknown as Record<string, unknown>;
    broken['jobs'] = {
      plan: { steps: [{ run: 'x' }], 'runs-on': 'ubuntu-latest', permisions: {} },
    };
    expect(validateWorkflow(broken)).toBe(false);
    expect(validateWorkflow({ ...workflow('ci.yml'), on: { pull_request_tagret: {} } })).toBe(
      false,
    );
    const action = parse(text(ACTION)) as {
      runs: { steps: Step[] };
    };
    action.runs.steps.push({ run: 'echo no shell' });
    expect(validateAction(action)).toBe(false);
  });
});

describe('security properties', () => {
  const everyFile = [...workflowFiles.map((f) => join(WORKFLOWS, f)), ACTION].map((path) =>
    path.slice(packagePath().length),
  );

  it.each(everyFile)(
    'every third-party action in %s is pinned to a full commit SHA with its version',
    (path) => {
      const uses = text(packagePath(path))
        .split('\n')
        .filter((line) => /^\s*(-\s+)?uses:/.test(line));
      expect(uses.length).toBeGreaterThan(0);
      for (const line of uses) {
        const ref = /uses:\s*(\S+)/.exec(line)?.[1] ?? '';
        if (ref.startsWith('./')) continue;
        expect(ref, line).toMatch(
          /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(\/[A-Za-z0-9_./-]+)?@[0-9a-f]{40}$/,
        );
        expect(line, line).toMatch(/@[0-9a-f]{40}\s+#\s+v\d+(\.\d+)*$/);
      }
    },
  );

  it.each(everyFile)('%s never interpolates expressions inside run scripts', (path) => {
    const doc = parse(text(packagePath(path))) as {
      jobs?: Record<string, Job>;
      runs?: { steps: Step[] };
    };
    const steps = [
      ...Object.values(doc.jobs ?? {}).flatMap((j) => j.steps),
      ...(doc.runs?.steps ?? []),
    ];
    for (const step of steps) if (step.run) expect(step.run, step.run).not.toContain('${{');
  });

  it.each(workflowFiles)(
    '%s: empty top-level permissions, explicit least privilege per job, pull_request_target only in plan.yml',
    (file) => {
      const wf = workflow(file);
      expect(wf.permissions).toEqual({});
      // plan.yml's use of it is proven safe in workflow-trust.test.ts; nowhere else is it needed.
      if (file !== 'plan.yml') {
        expect(Object.keys(wf.on)).not.toContain('pull_request_target');
        const code = text(join(WORKFLOWS, file)).replace(/^\s*#.*$/gm, '');
        expect(code).not.toMatch(/pull_request_target/);
      }
      for (const [name, job] of Object.entries(wf.jobs)) {
        expect(job.permissions, `${file} job ${name}`).toBeDefined();
        const granted = typeof job.permissions === 'object' ? job.permissions : {};
        for (const [scope, level] of Object.entries(granted)) {
          if (level === 'write')
            expect(['contents', 'pull-requests', 'issues'], `${file} ${name} ${scope}`).toContain(
              scope,
            );
        }
        // Only the jobs that push a branch: the expiry clean-up and the access request.
        if (granted['contents'] === 'write') expect(['expire.yml', 'request.yml']).toContain(file);
      }
    },
  );

  it.each(workflowFiles)(
    '%s: every job with the FreshBooks secrets is in the one queue, in the environment, and rotates through its secret',
    (file) => {
      const wf = workflow(file);
      for (const [name, job] of Object.entries(wf.jobs)) {
        const serialized = JSON.stringify(job);
        const usesToken = serialized.includes('secrets.FRESHBOOKS_');
        if (!usesToken) continue;
        expect(job.concurrency, `${file} job ${name}`).toEqual({
          group: 'rolecall-freshbooks',
          'cancel-in-progress': false,
          queue: 'max',
        });
        // The secrets are the environment's; the rotated refresh token goes back there too (a
        // repository secret of the same name would be shadowed by it and never read).
        expect(job.environment, `${file} job ${name}`).toBe('freshbooks-production');
        const runner = job.steps.find((s) => s.env?.['FRESHBOOKS_REFRESH_TOKEN']);
        expect(runner?.run).toMatch(
          / --token-store github-secret:FRESHBOOKS_REFRESH_TOKEN@freshbooks-production$/,
        );
        expect(runner?.env).toMatchObject({
          FRESHBOOKS_CLIENT_ID: '${{ secrets.FRESHBOOKS_CLIENT_ID }}',
          FRESHBOOKS_CLIENT_SECRET: '${{ secrets.FRESHBOOKS_CLIENT_SECRET }}',
          FRESHBOOKS_REFRESH_TOKEN: '${{ secrets.FRESHBOOKS_REFRESH_TOKEN }}',
          ROLECALL_SECRETS_TOKEN: '${{ secrets.ROLECALL_SECRETS_TOKEN }}',
        });
        // Secrets only in the env of the step that runs rolecall.
        const elsewhere = job.steps.filter(
          (s) => s !== runner && JSON.stringify(s).includes('secrets.'),
        );
        expect(elsewhere).toEqual([]);
        // rolecall is set up by the local action, which installs Node.js 24.
        expect(job.steps.some((s) => s.uses === './')).toBe(true);
      }
    },
  );

  it('no secret outside the documented set is referenced', () => {
    const allowed = [
      'FRESHBOOKS_CLIENT_ID',
      'FRESHBOOKS_CLIENT_SECRET',
      'FRESHBOOKS_REFRESH_TOKEN',
      'ROLECALL_SECRETS_TOKEN',
      'ROLECALL_TEAMS_TOKEN',
      'ROLECALL_DOCTOR_TOKEN',
    ];
    for (const file of workflowFiles) {
      for (const m of text(join(WORKFLOWS, file)).matchAll(/secrets\.([A-Z_]+)/g))
        expect(allowed, file).toContain(m[1]);
    }
  });

  it('the action runs rolecall on Node.js 24, installs with the lockfile and without install scripts', () => {
    const action = parse(text(ACTION)) as {
      runs: { using: string; steps: Step[] };
    };
    expect(action.runs.using).toBe('composite');
    const node = action.runs.steps.find((s) => s.uses?.startsWith('actions/setup-node@'));
    expect(node?.with).toEqual({ 'node-version': 24 });
    const scripts = action.runs.steps.map((s) => s.run ?? '').join('\n');
    expect(scripts).toContain('npm ci --ignore-scripts');
    // Built from the action's own source, never from the caller's workspace: in an access
    // repository the workspace is policies, and a pull request must not pick the tool.
    expect(scripts).toContain('cd "$GITHUB_ACTION_PATH"');
    expect(text(ACTION)).not.toMatch(/GITHUB_WORKSPACE|github\.workspace/);
  });

  it('plan.yml: fork pull requests get validation only, and a notice saying why', () => {
    const wf = workflow('plan.yml');
    expect(Object.keys(wf.on)).toEqual(['pull_request_target']);
    expect(wf.on['pull_request_target']).toEqual({
      types: ['opened', 'synchronize', 'reopened', 'ready_for_review'],
      paths: ['policies/**'],
    });
    const sameRepo = 'github.event.pull_request.head.repo.full_name == github.repository';
    const fork = 'github.event.pull_request.head.repo.full_name != github.repository';
    expect(wf.jobs['plan']?.if).toBe(sameRepo);
    expect(wf.jobs['fork']?.if).toBe(fork);
    expect(JSON.stringify(wf.jobs['fork'])).not.toContain('secrets.');
    expect(wf.jobs['fork']?.permissions).toEqual({});
    expect(wf.jobs['fork']?.steps[0]?.run).toMatch(
      /::notice title=rolecall: validation only \(fork\)::/,
    );
    expect(wf.jobs['fork']?.steps[0]?.run).toContain('GITHUB_STEP_SUMMARY');
    expect(JSON.stringify(wf.jobs['validate'])).not.toContain('secrets.');
    expect(wf.jobs['validate']?.environment).toBeUndefined();
    expect(wf.jobs['fork']?.environment).toBeUndefined();
    expect(wf.jobs['validate']?.permissions).toEqual({ contents: 'read' });
    expect(wf.jobs['plan']?.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    expect(wf.jobs['plan']?.environment).toBe('freshbooks-production');
    // Both jobs fetch the head as objects, then run rolecall on it; nothing else.
    const fetchStep = (job: string) =>
      wf.jobs[job]?.steps.find((s) => s.run?.includes('git fetch'));
    for (const job of ['validate', 'plan']) {
      expect(fetchStep(job)?.env).toEqual({
        PR_NUMBER: '${{ github.event.pull_request.number }}',
        GITHUB_TOKEN: '${{ github.token }}',
      });
      expect(fetchStep(job)?.run).toContain(
        'git fetch --no-tags --no-recurse-submodules origin "+refs/pull/${PR_NUMBER}/head:refs/remotes/rolecall/pr-head"',
      );
    }
    expect(wf.jobs['validate']?.steps.at(-1)).toEqual({
      name: "Validate the pull request's policies",
      env: { HEAD_SHA: '${{ github.event.pull_request.head.sha }}' },
      run: 'rolecall validate --at "$HEAD_SHA"',
    });
    expect(
      wf.jobs['plan']?.steps.map((s) => s.run).filter((run) => run?.startsWith('rolecall')),
    ).toEqual([
      'rolecall plan --github --out plan.json --token-store github-secret:FRESHBOOKS_REFRESH_TOKEN@freshbooks-production',
    ]);
  });

  it('apply.yml: on push to main touching policies, environment freshbooks-production, audit log uploaded', () => {
    const wf = workflow('apply.yml');
    expect(wf.on).toEqual({ push: { branches: ['main'], paths: ['policies/**'] } });
    const job = wf.jobs['apply'];
    expect(job?.environment).toBe('freshbooks-production');
    expect(job?.permissions).toEqual({
      contents: 'read',
      'pull-requests': 'write',
      issues: 'write',
    });
    expect(job?.steps.find((s) => s.run)?.run).toBe(
      'rolecall apply --github --token-store github-secret:FRESHBOOKS_REFRESH_TOKEN@freshbooks-production',
    );
    const upload = job?.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload).toMatchObject({
      if: 'always()',
      with: { path: '.rolecall/audit/', 'include-hidden-files': true },
    });
  });

  it('drift.yml: daily and on demand, a matrix over `rolecall businesses --json`', () => {
    const wf = workflow('drift.yml');
    expect(wf.on).toEqual({ schedule: [{ cron: '17 6 * * *' }], workflow_dispatch: null });
    const drift = wf.jobs['drift'] as Job & { strategy: { matrix: { include: string } } };
    expect(drift.needs).toBe('businesses');
    expect(drift.strategy.matrix.include).toBe(
      '${{ fromJSON(needs.businesses.outputs.businesses) }}',
    );
    expect(drift.steps.find((s) => s.run)?.run).toBe(
      'rolecall drift --github --business "$BUSINESS" --token-store github-secret:FRESHBOOKS_REFRESH_TOKEN@freshbooks-production',
    );
    expect(drift.environment).toBe('freshbooks-production');
    expect(wf.jobs['businesses']?.environment).toBeUndefined();
    expect(drift.steps.find((s) => s.run)?.env?.['BUSINESS']).toBe('${{ matrix.business }}');
    expect(wf.jobs['businesses']?.steps.find((s) => s.run)?.run).toContain(
      'rolecall businesses --json',
    );
    expect(drift.permissions).toEqual({ contents: 'read', issues: 'write' });
  });

  it('expire.yml: hourly', () => {
    const wf = workflow('expire.yml');
    expect(wf.on['schedule']).toEqual([{ cron: '23 * * * *' }]);
    expect(wf.jobs['expire']?.steps.find((s) => s.run)?.run).toBe(
      'rolecall expire --github --token-store github-secret:FRESHBOOKS_REFRESH_TOKEN@freshbooks-production',
    );
    expect(wf.jobs['expire']?.environment).toBe('freshbooks-production');
  });

  it('doctor.yml: weekly and on demand, in the environment, reading settings with the doctor token', () => {
    const wf = workflow('doctor.yml');
    expect(wf.on).toEqual({ schedule: [{ cron: '41 7 * * 1' }], workflow_dispatch: null });
    const job = wf.jobs['doctor'];
    expect(job?.environment).toBe('freshbooks-production');
    // issues: the doctor issue; actions: read the environment and its branch rules.
    expect(job?.permissions).toEqual({ contents: 'read', issues: 'write', actions: 'read' });
    const step = job?.steps.find((s) => s.run);
    expect(step?.run).toBe(
      'rolecall doctor --github --token-store github-secret:FRESHBOOKS_REFRESH_TOKEN@freshbooks-production',
    );
    expect(step?.env?.['ROLECALL_DOCTOR_TOKEN']).toBe('${{ secrets.ROLECALL_DOCTOR_TOKEN }}');
    expect(step?.env?.['GITHUB_TOKEN']).toBe('${{ github.token }}');
  });

  it('ci.yml: lint, typecheck and tests on Node.js 20, 22 and 24, without secrets', () => {
    const wf = workflow('ci.yml') as Workflow & {
      jobs: { test: Job & { strategy: { matrix: { node: number[] } } } };
    };
    expect(wf.jobs.test.strategy.matrix.node).toEqual([20, 22, 24]);
    expect(wf.jobs.test.steps.map((s) => s.run).filter(Boolean)).toEqual([
      'npm ci --no-audit --no-fund',
      'npm run lint',
      'npm run typecheck',
      'npm test',
    ]);
    expect(text(join(WORKFLOWS, 'ci.yml'))).not.toContain('secrets.');
  });
});
