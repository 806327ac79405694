/**
 * request.yml and the request form, read from the files rolecall ships: both valid against the
 * SchemaStore schemas, the form's headings the ones rolecall parses, and — the point of this
 * file — no way for the text of an issue to reach a script. The issue number is the only value
 * taken from the event, and only through `env:`; the check is shown to fail on mutated copies.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REQUEST_FORM_FIELDS } from '../../../src/jit/parse-issue-form.js';
import { FORM_ROLES } from '../../../src/jit/request-from-form.js';
import { REQUEST_LABEL } from '../../../src/jit/request-link.js';
import { packagePath } from '../../../src/paths.js';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  if?: string;
}
interface Job {
  if?: string;
  environment?: string;
  permissions?: Record<string, string>;
  steps: Step[];
  [key: string]: unknown;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: unknown;
  jobs: Record<string, Job>;
}

const WORKFLOW = packagePath('.github', 'workflows', 'request.yml');
const FORM = packagePath('.github', 'ISSUE_TEMPLATE', 'request-access.yml');
const text = (path: string) => readFileSync(path, 'utf8');
const load = () => parse(text(WORKFLOW)) as Workflow;

function validator(schema: string) {
  const ajv = new Ajv({ strict: false, allErrors: true });
  return ajv.compile(
    JSON.parse(text(join(packagePath('test', 'fixtures', 'schemastore'), schema))) as object,
  );
}

/** Every `${{ … }}` expression in a value, whatever its nesting. */
function expressions(value: unknown): string[] {
  const found: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(/\$\{\{([\s\S]*?)\}\}/g)) found.push((m[1] ?? '').trim());
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return found;
}

/**
 * The event data a workflow may read: the issue's number and labels (GitHub's own), the
 * token, the secrets. Anything else of the event — title, body, the author's name, a comment —
 * is someone's text.
 */
const SAFE_EXPRESSION =
  /^(github\.event\.issue\.number|github\.token|secrets\.[A-Z_]+|contains\(github\.event\.issue\.labels\.\*\.name, '[a-z-]+'\))$/;

/** Every way issue text could reach a script in `wf`; empty when none. */
function issueTextProblems(wf: Workflow): string[] {
  const problems: string[] = [];
  for (const [name, job] of Object.entries(wf.jobs)) {
    const jobIf = job.if === undefined ? [] : [job.if.replace(/^\$\{\{|\}\}$/g, '').trim()];
    for (const expression of [...jobIf, ...expressions({ ...job, if: undefined })]) {
      if (!SAFE_EXPRESSION.test(expression)) {
        problems.push(
          `${name}: reads \`${expression}\`, which is not the issue's number or labels`,
        );
      }
    }
    for (const [i, step] of job.steps.entries()) {
      if (step.run?.includes('${{')) {
        problems.push(`${name}: step ${i + 1} interpolates an expression inside its script`);
      }
      if (step.run?.includes('GITHUB_EVENT_PATH') || step.run?.includes('jq ')) {
        problems.push(`${name}: step ${i + 1} reads the event payload in its script`);
      }
    }
  }
  return problems;
}

describe('request.yml', () => {
  it('is a valid workflow', () => {
    const validate = validator('github-workflow.json');
    expect(validate(load())).toBe(true);
    expect(validate.errors ?? []).toEqual([]);
  });

  it('runs on issues opened, edited and closed, only for the form’s label', () => {
    const wf = load();
    expect(wf.on).toEqual({ issues: { types: ['opened', 'edited', 'closed'] } });
    expect(Object.keys(wf.jobs)).toEqual(['request']);
    expect(wf.jobs['request']?.if).toBe(
      `contains(github.event.issue.labels.*.name, '${REQUEST_LABEL}')`,
    );
  });

  it('lets no issue text reach a script: the number goes through env, rolecall reads the body as data', () => {
    const wf = load();
    expect(issueTextProblems(wf)).toEqual([]);
    const job = wf.jobs['request'] as Job;
    const runner = job.steps.find((s) => s.run?.startsWith('rolecall request '));
    expect(runner?.run).toBe(
      'rolecall request --from-issue "$ISSUE_NUMBER" --token-store github-secret:FRESHBOOKS_REFRESH_TOKEN@freshbooks-production',
    );
    expect(runner?.env?.['ISSUE_NUMBER']).toBe('${{ github.event.issue.number }}');
    // The only other scripts in the job: none (checkout and the action are `uses:`).
    expect(job.steps.filter((s) => s.run !== undefined)).toEqual([runner]);
  });

  it('asks for exactly what it does: push the branch, open the pull request, comment and label', () => {
    const wf = load();
    expect(wf.permissions).toEqual({});
    expect(wf.jobs['request']?.permissions).toEqual({
      contents: 'write',
      'pull-requests': 'write',
      issues: 'write',
    });
    expect(wf.jobs['request']?.environment).toBe('freshbooks-production');
  });

  const mutations: Array<[string, (wf: Workflow) => void]> = [
    [
      'the title in a script',
      (wf) => {
        wf.jobs['request']?.steps.push({ run: 'echo "${{ github.event.issue.title }}"' });
      },
    ],
    [
      'the body through env',
      (wf) => {
        wf.jobs['request']?.steps.push({
          run: 'printf %s "$BODY" > body.md',
          env: { BODY: '${{ github.event.issue.body }}' },
        });
      },
    ],
    [
      'the body as an argument to rolecall',
      (wf) => {
        const step = wf.jobs['request']?.steps.find((s) => s.run?.startsWith('rolecall'));
        if (step?.env) step.env['ISSUE_NUMBER'] = '${{ github.event.issue.body }}';
      },
    ],
    [
      'the author in a condition',
      (wf) => {
        const job = wf.jobs['request'] as Job;
        job.if = "github.event.issue.user.login != 'x'";
      },
    ],
    [
      'the payload read with jq',
      (wf) => {
        wf.jobs['request']?.steps.push({ run: 'jq -r .issue.title "$GITHUB_EVENT_PATH"' });
      },
    ],
    [
      'a comment of the issue',
      (wf) => {
        wf.jobs['request']?.steps.push({ with: { text: '${{ github.event.comment.body }}' } });
      },
    ],
  ];
  it.each(mutations)('the check fails with %s', (_what, mutate) => {
    const wf = structuredClone(load());
    mutate(wf);
    expect(issueTextProblems(wf)).not.toEqual([]);
  });
});

describe('the request form', () => {
  const form = () =>
    parse(text(FORM)) as {
      labels: string[];
      body: Array<{
        type: string;
        id?: string;
        attributes: { label?: string; options?: string[] };
        validations?: { required?: boolean };
      }>;
    };

  it('is a valid issue form', () => {
    const validate = validator('github-issue-forms.json');
    expect(validate(form())).toBe(true);
    expect(validate.errors ?? []).toEqual([]);
    // The schema does reject a broken form.
    expect(validate({ ...form(), body: [{ type: 'dropdown', id: 'role', attributes: {} }] })).toBe(
      false,
    );
  });

  it('asks exactly the fields rolecall reads, with the headings it parses', () => {
    const fields = form().body.filter((item) => item.type !== 'markdown');
    expect(fields.map((f) => [f.id, f.attributes.label, f.validations?.required ?? false])).toEqual(
      REQUEST_FORM_FIELDS.map((f) => [f.id, f.label, f.required]),
    );
    expect(fields.find((f) => f.id === 'role')?.attributes.options).toEqual([...FORM_ROLES]);
    expect(form().labels).toEqual([REQUEST_LABEL]);
  });
});
