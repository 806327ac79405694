/**
 * The policy examples in the documentation are policies: every ```yaml block that starts with
 * the schema line validates, so a documented key (`seats:`, `identities:` …) cannot drift from
 * the schema without this failing.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/policy/format-diagnostic.js';
import { validateDocuments } from '../../../src/policy/validate-documents.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const DOCS = ['README.md', 'schemas/README.md'];

function policyExamples(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
  return blocks.filter((block) => block.startsWith('# yaml-language-server: $schema='));
}

describe('policy examples in the docs', () => {
  it.each(DOCS)('%s: every policy example validates', (doc) => {
    const examples = policyExamples(readFileSync(`${ROOT}/${doc}`, 'utf8'));
    expect(examples.length).toBeGreaterThan(0);
    for (const [index, text] of examples.entries()) {
      const result = validateDocuments([{ file: `${doc}#example-${index + 1}`, text }], {
        now: new Date('2026-12-07T12:00:00Z'),
      });
      expect(result.errors.map(formatDiagnostic)).toEqual([]);
    }
  });

  it('the reference example shows the seats block', () => {
    const [reference] = policyExamples(readFileSync(`${ROOT}/schemas/README.md`, 'utf8'));
    const result = validateDocuments([{ file: 'reference.yaml', text: reference ?? '' }], {
      now: new Date('2026-12-07T12:00:00Z'),
    });
    expect(result.value?.businesses[0]?.seats).toEqual({
      limit: 15,
      price: { amount: 11, currency: 'USD', per: 'month' },
      paidRoles: ['admin', 'manager', 'accountant', 'employee', 'contractor'],
    });
  });
});
