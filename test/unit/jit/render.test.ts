import { describe, expect, it } from 'vitest';
import { planRequestEdit, type AccessRequest } from '../../../src/jit/plan-request-edit.js';
import { renderCleanup, CLEANUP_TRAILER } from '../../../src/jit/render-cleanup.js';
import { renderRequest } from '../../../src/jit/render-request.js';
import { resolveExpiry } from '../../../src/jit/resolve-expiry.js';
import { yamlDiff } from '../../../src/jit/yaml-diff.js';
import { validateDocuments } from '../../../src/policy/validate-documents.js';
import type { DesiredState } from '../../../src/types.js';
import { JIT_FILE, JIT_POLICY } from './jit-policy.js';

const NOW = new Date('2026-03-02T09:00:00Z');

function edit(text: string, extra: Partial<AccessRequest> = {}) {
  const sources = [{ file: JIT_FILE, text }];
  const desired = validateDocuments(sources, { now: NOW }).value as DesiredState;
  const request: AccessRequest = {
    businessId: 240340,
    email: 'temp@contractors.example',
    role: 'contractor',
    expiry: resolveExpiry({ for: '8h' }, NOW),
    reason: 'Quarter close',
    ticket: 'FIN-99',
    ...extra,
  };
  return { request, edit: planRequestEdit(desired, sources, request) };
}

describe('renderRequest', () => {
  it('says who, what, which business, until when (UTC and as asked), why, the ticket, and what happens at expiry', () => {
    const { request, edit: e } = edit(JIT_POLICY);
    const pr = renderRequest(e, request, NOW);
    expect(pr.title).toBe(
      'Grant contractor to temp@contractors.example in Acme Books Inc. (240340) until 2026-03-02 17:00 UTC',
    );
    expect(pr.body).toContain('| **Who** | `temp@contractors.example` |');
    expect(pr.body).toContain('| **Role** | `contractor` |');
    expect(pr.body).toContain('| **Business** | Acme Books Inc. (240340) |');
    expect(pr.body).toContain(
      '| **Until** | 2026-03-02 17:00 UTC (requested as `--for 8h` at 2026-03-02 09:00 UTC; written as `expires: 2026-03-02T17:00:00Z`) |',
    );
    expect(pr.body).toContain('| **Why** | Quarter close |');
    expect(pr.body).toContain('| **Ticket** | FIN-99 |');
    expect(pr.body).toContain('a new time-bound entry in `policies/acme-books.yaml`');
    expect(pr.body).toContain('**At expiry the access is revoked automatically.**');
    expect(pr.commitMessage).toBe(
      [
        'rolecall: grant contractor to temp@contractors.example until 2026-03-02 17:00 UTC',
        '',
        'Business: Acme Books Inc. (240340)',
        'Reason: Quarter close',
        'Ticket: FIN-99',
        'Requested: --for 8h at 2026-03-02 09:00 UTC',
      ].join('\n'),
    );
  });

  it('says when expiry needs an operator (no autoApproveExpiry), and names an extension as one', () => {
    const policy = JIT_POLICY.replace('  autoApproveExpiry: true\n', '');
    const { request, edit: e } = edit(policy, {
      email: 'bob@contractors.example',
      expiry: resolveExpiry({ until: '2026-06-30' }, NOW),
    });
    const pr = renderRequest(e, request, NOW);
    expect(pr.title).toMatch(
      /^Extend contractor to bob@contractors\.example .* until 2026-07-01 00:00 UTC$/,
    );
    expect(pr.body).toContain(
      "an extension: the existing entry's `expires` changes from 2026-03-31 to 2026-06-30",
    );
    expect(pr.body).toContain('does not set `rules.autoApproveExpiry`');
    expect(pr.body).not.toContain('revoked automatically');
  });

  it('keeps user text inert: no mentions, no table breaks, no HTML, one-line titles', () => {
    const { request, edit: e } = edit(JIT_POLICY, {
      reason: 'ping @acme/security | <img src=x> **now**',
      ticket: 'T-1\nInjected: yes',
    });
    const pr = renderRequest(e, request, NOW);
    expect(pr.body).not.toContain('@acme/security');
    expect(pr.body).not.toContain('<img');
    expect(pr.body).toContain('\\| &lt;img src=x> \\*\\*now\\*\\*');
    expect(pr.commitMessage.split('\n')).toContain('Ticket: T-1 Injected: yes');
  });
});

describe('renderCleanup', () => {
  const entries = [
    {
      businessId: 240340,
      businessName: 'Acme Books Inc.',
      file: JIT_FILE,
      email: 'temp@contractors.example',
      role: 'contractor' as const,
      expires: '2026-03-02T17:00:00.000Z',
      reason: 'Quarter close',
    },
    {
      businessId: 240340,
      businessName: 'Acme Books Inc.',
      file: JIT_FILE,
      email: 'bob@contractors.example',
      role: 'contractor' as const,
      expires: '2026-04-01T00:00:00.000Z',
      ticket: 'FIN-42',
    },
  ];

  it('lists every entry, marks its commit, and is the same text for the same entries', () => {
    const one = renderCleanup(entries);
    expect(one.title).toBe('Remove 2 expired grants from the policies');
    expect(one.body).toContain(
      '| Acme Books Inc. (240340) | `temp@contractors.example` | `contractor` | 2026-03-02T17:00Z | Quarter close | — | `policies/acme-books.yaml` |',
    );
    expect(one.body).toContain(
      '| `bob@contractors.example` | `contractor` | 2026-03-31 | — | FIN-42 |',
    );
    expect(one.commitMessage.split('\n').at(-1)).toBe(CLEANUP_TRAILER);
    expect(one.record).toEqual({
      count: 2,
      entries: [
        {
          businessId: 240340,
          email: 'temp@contractors.example',
          expires: '2026-03-02T17:00:00.000Z',
        },
        {
          businessId: 240340,
          email: 'bob@contractors.example',
          expires: '2026-04-01T00:00:00.000Z',
        },
      ],
    });
    expect(renderCleanup(entries)).toEqual(one);
    expect(renderCleanup(entries.slice(0, 1)).title).toBe(
      'Remove 1 expired grant from the policies',
    );
  });
});

describe('yamlDiff', () => {
  it('is a git-style unified diff, empty when nothing changed', () => {
    expect(yamlDiff('p.yaml', 'a\nb\n', 'a\nb\n')).toBe('');
    expect(yamlDiff('p.yaml', 'a\nb\nc\n', 'a\nB\nc\n', 'origin/main 1234567')).toBe(
      '--- a/p.yaml\torigin/main 1234567\n+++ b/p.yaml\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n',
    );
  });
});
