/**
 * CODEOWNERS as GitHub reads it (the last matching line wins; a line with no owner un-owns),
 * and the coverage check built on it.
 */
import { describe, expect, it } from 'vitest';
import { ownersOf, parseCodeowners } from '../../../src/doctor/codeowners-rules.js';
import { evaluateDoctor } from '../../../src/doctor/index.js';
import { facts } from './builders.js';

describe('the CODEOWNERS matcher', () => {
  const rules = parseCodeowners(
    [
      '# a comment',
      '*            @all',
      '/src/        @code   # trailing comment',
      '/tsconfig*.json @cfg',
      'docs/        @docs',
      '*.md         @md',
      'apps/**/x.ts @deep',
      '/build/?.txt @one',
      '/vendor/',
    ].join('\n'),
  );
  it.each([
    ['src/cli/main.ts', ['@code']],
    ['test/src/x.ts', ['@all']],
    ['tsconfig.json', ['@cfg']],
    ['test/tsconfig.json', ['@all']],
    ['a/docs/b.txt', ['@docs']],
    ['src/README.md', ['@md']],
    ['apps/x.ts', ['@deep']],
    ['apps/a/b/x.ts', ['@deep']],
    ['build/a.txt', ['@one']],
    ['build/ab.txt', ['@all']],
    ['vendor/lib.js', []],
    ['a-file-added-later.txt', ['@all']],
  ])('%s → %j', (path, owners) => {
    expect(ownersOf(rules, path)).toEqual(owners);
  });

  it('without a catch-all, what no line names is unowned', () => {
    expect(ownersOf(parseCodeowners('/src/ @code\n'), 'package.json')).toEqual([]);
  });
});

describe('codeowners.coverage', () => {
  const coverage = (text: string | null, own = false) => {
    const f = facts();
    f.repository.codeowners = text === null ? null : { path: 'CODEOWNERS', text };
    f.repository.ownRepository = own;
    return evaluateDoctor(f).find((r) => r.id === 'codeowners.coverage');
  };

  it('the catch-all alone owns everything', () => {
    expect(coverage('* @acme/admins\n')?.status).toBe('pass');
  });

  it('a later line without owners un-owns what it matches', () => {
    expect(coverage('* @acme/admins\n/policies/\n')).toMatchObject({
      status: 'fail',
      found: 'CODEOWNERS leaves unowned: policies/acme-books.yaml',
    });
  });

  it('no catch-all: new files and the workflows are unowned', () => {
    expect(coverage('/policies/ @acme/admins\n')?.found).toBe(
      'CODEOWNERS leaves unowned: .github/workflows/plan.yml, .github/workflows/apply.yml, .github/workflows/drift.yml, .github/workflows/expire.yml, .github/workflows/review.yml, .github/workflows/doctor.yml, .github/workflows/request.yml, CODEOWNERS, a-file-added-later.txt, a/new/directory/file',
    );
  });

  it("rolecall's own repository: its source must be owned too", () => {
    const text = '* @acme/admins\n/src/\n';
    expect(coverage(text)?.status).toBe('pass');
    expect(coverage(text, true)?.found).toBe('CODEOWNERS leaves unowned: src/cli/main.ts');
  });

  it('no file at all', () => {
    expect(coverage(null)).toMatchObject({
      status: 'fail',
      found: 'no CODEOWNERS file (.github/CODEOWNERS, CODEOWNERS or docs/CODEOWNERS)',
    });
  });
});
