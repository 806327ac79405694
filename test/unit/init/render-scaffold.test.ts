/**
 * `rolecall init`'s files, as text: the workflows are rolecall's own (the ones the test suite
 * runs) with only the action line changed, valid against SchemaStore; CODEOWNERS owns
 * everything; the example policy is a valid policy.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  PLACEHOLDER_OWNER,
  SCAFFOLD_WORKFLOWS,
  renderExamplePolicy,
  renderScaffold,
  renderWorkflows,
} from '../../../src/init/render-scaffold.js';
import { packagePath } from '../../../src/paths.js';
import { validateDocuments } from '../../../src/policy/load-desired-state.js';

const SHA = 'a'.repeat(40);
const PIN = { ref: `rolecall-dev/rolecall@${SHA}`, label: 'v0.1.0' };
const workflows = Object.fromEntries(
  SCAFFOLD_WORKFLOWS.map((name) => [
    name,
    readFileSync(packagePath('.github', 'workflows', name), 'utf8'),
  ]),
);
const issueTemplates = {
  'request-access.yml': readFileSync(
    packagePath('.github', 'ISSUE_TEMPLATE', 'request-access.yml'),
    'utf8',
  ),
};
const files = renderScaffold({
  workflows,
  issueTemplates,
  action: PIN,
  owners: ['@acme/finance'],
  version: '0.1.0',
});
const file = (path: string) => {
  const found = files.find((f) => f.path === path);
  if (!found) throw new Error(`no ${path}`);
  return found.text;
};

describe('the scaffold workflows are the tested workflows', () => {
  it.each(SCAFFOLD_WORKFLOWS)(
    '%s differs from rolecall’s own only in the pinned action',
    (name) => {
      const text = file(`.github/workflows/${name}`);
      expect(text).not.toMatch(/- uses: \.\/$/m);
      const uses = [...text.matchAll(/- uses: (rolecall-dev\/rolecall@\S+) # (\S+)$/gm)];
      expect(uses.length).toBeGreaterThan(0);
      for (const m of uses) expect([m[1], m[2]]).toEqual([PIN.ref, PIN.label]);
      // Back to `uses: ./`, it is byte for byte the file this repository runs and tests.
      const back = text.replaceAll(`- uses: ${PIN.ref} # ${PIN.label}`, '- uses: ./');
      expect(back).toBe(workflows[name]);
    },
  );

  it.each(SCAFFOLD_WORKFLOWS)('%s is a valid workflow (SchemaStore)', (name) => {
    const schema = JSON.parse(
      readFileSync(packagePath('test', 'fixtures', 'schemastore', 'github-workflow.json'), 'utf8'),
    ) as object;
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    const ok = validate(parse(file(`.github/workflows/${name}`)));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('refuses a template that does not set rolecall up with `uses: ./` (a build defect)', () => {
    expect(() =>
      renderWorkflows({ ...workflows, 'plan.yml': 'on: push\njobs: {}\n' }, PIN),
    ).toThrow(/plan.yml does not set rolecall up/);
  });
});

describe('the rest of the scaffold', () => {
  it('writes exactly the promised files', () => {
    expect(files.map((f) => f.path).sort()).toEqual(
      [
        ...SCAFFOLD_WORKFLOWS.map((n) => `.github/workflows/${n}`),
        '.github/ISSUE_TEMPLATE/request-access.yml',
        '.github/CODEOWNERS',
        '.gitignore',
        'README.md',
      ].sort(),
    );
  });

  it('CODEOWNERS: the catch-all first, then policies/ and .github/, all with the owners', () => {
    const rules = file('.github/CODEOWNERS')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('#'))
      .map((l) => l.trim().split(/\s+/));
    expect(rules).toEqual([
      ['*', '@acme/finance'],
      ['/policies/', '@acme/finance'],
      ['/.github/', '@acme/finance'],
    ]);
    const placeholder = renderScaffold({ workflows, action: PIN, owners: [], version: '0.1.0' });
    expect(placeholder.find((f) => f.path === '.github/CODEOWNERS')?.text).toContain(
      `*             ${PLACEHOLDER_OWNER}`,
    );
    expect(placeholder.find((f) => f.path === 'README.md')?.text).toContain(
      `replace \`${PLACEHOLDER_OWNER}\``,
    );
  });

  it('.gitignore keeps the local credentials out of git', () => {
    expect(file('.gitignore').split('\n')).toContain('.rolecall/');
  });

  it('README names every secret the workflows read, and the pinned action', () => {
    const readme = file('README.md');
    const secrets = new Set(
      Object.values(workflows).flatMap((t) =>
        [...t.matchAll(/secrets\.([A-Z_]+)/g)].map((m) => m[1]),
      ),
    );
    expect(secrets.size).toBeGreaterThan(3);
    for (const name of secrets) expect(readme).toContain(`\`${name as string}\``);
    expect(readme).toContain(PIN.ref);
    expect(readme).toContain('freshbooks-production');
  });

  it('the example policy is a valid policy', () => {
    const text = renderExamplePolicy('https://example.test/policy.schema.json');
    expect(text.split('\n')[0]).toBe(
      '# yaml-language-server: $schema=https://example.test/policy.schema.json',
    );
    const result = validateDocuments([{ file: join('policies', 'example.yaml'), text }], {
      now: new Date('2026-12-07T00:00:00Z'),
    });
    expect(result.errors).toEqual([]);
  });
});
