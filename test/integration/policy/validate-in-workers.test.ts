/**
 * Policy validation spread over worker threads gives exactly what one thread gives: the same
 * value, the same errors and warnings in the same order — for valid and broken policies, one
 * business in several files, and `maxDuration` measured from git (`grantTimes`, which only the
 * main thread can ask). Workers run compiled JavaScript, so this file loads the built dist/
 * (`npm run build` first; the slow project's script does).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packagePath } from '../../../src/paths.js';
import type * as Documents from '../../../src/policy/validate-documents.js';
import type * as Workers from '../../../src/policy/validate-in-workers.js';
import type * as Loader from '../../../src/policy/load-desired-state.js';

const dist = (path: string) => packagePath('dist', 'policy', path);
let documents: typeof Documents;
let workers: typeof Workers;
let loader: typeof Loader;
const NOW = new Date('2026-11-29T12:00:00Z');
let dir: string;

beforeAll(async () => {
  documents = (await import(dist('validate-documents.js'))) as typeof Documents;
  workers = (await import(dist('validate-in-workers.js'))) as typeof Workers;
  loader = (await import(dist('load-desired-state.js'))) as typeof Loader;
  dir = await mkdtemp(join(tmpdir(), 'rolecall-workers-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// ───────────────────────────── generated policies ─────────────────────────────

const EMAILS = ['ann@a.example', 'Ann@A.example ', 'bob@a.example', 'cy@b.example', 'nobody'];
const ROLES = ['employee', 'manager', 'admin', 'contractor', 'accountant', 'owner', 'emploee'];
const EXPIRES = ['2026-12-20', '2027-06-30', '2026-01-01', '2026-12-20T00:00:00Z', 'soon'];

const member = fc.record({
  email: fc.constantFrom(...EMAILS),
  role: fc.constantFrom(...ROLES),
  reason: fc.option(fc.constantFrom('Payroll', 'Audit'), { nil: undefined }),
  expires: fc.option(fc.constantFrom(...EXPIRES), { nil: undefined }),
});

/** A policy's text: mostly valid, sometimes broken in the ways policies break. */
const policyText = fc
  .record({
    business: fc.constantFrom(5, 6, 7, 8),
    maxDuration: fc.boolean(),
    members: fc.array(member, { maxLength: 6 }),
    team: fc.option(fc.array(fc.constantFrom(...EMAILS), { maxLength: 3 }), { nil: undefined }),
    damage: fc.constantFrom('none', 'none', 'none', 'syntax', 'unknown-key', 'empty', 'two-docs'),
  })
  .map((p) => {
    const lines = [`business: ${p.business}`, 'rules:', '  allowedDomains: [a.example]'];
    if (p.maxDuration) lines.push('  maxDuration: {contractor: 30d}');
    if (p.team) {
      lines.push('teams:', '  - name: books', '    role: accountant', '    members:');
      for (const email of p.team) lines.push(`      - ${email}`);
    }
    lines.push('members:');
    for (const m of p.members) {
      lines.push(`  - email: ${m.email}`, `    role: ${m.role}`);
      if (m.reason) lines.push(`    reason: ${m.reason}`);
      if (m.expires) lines.push(`    expires: ${m.expires}`);
    }
    const text = `${lines.join('\n')}\n`;
    switch (p.damage) {
      case 'syntax':
        return `${text}oops: [\n`;
      case 'unknown-key':
        return `${text}membres: []\n`;
      case 'empty':
        return '# nothing yet\n';
      case 'two-docs':
        return `${text}---\nbusiness: 9\n`;
      default:
        return text;
    }
  });

const sourcesOf = (texts: string[]): Documents.PolicySource[] =>
  texts.map((text, i) => ({ file: `policies/p${i}.yaml`, text }));

/** Git's answer for some `expires` lines, not for others (deterministic). */
const grantTimes = (file: string, line: number): Date | undefined =>
  line % 3 === 0 ? undefined : new Date(Date.UTC(2026, 10, 1 + ((line + file.length) % 20)));

describe('validation in worker threads', () => {
  it('gives exactly the one-thread result (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(policyText, { minLength: 2, maxLength: 7 }),
        fc.boolean(),
        async (texts, withGit) => {
          const sources = sourcesOf(texts);
          const options = { now: NOW, ...(withGit ? { grantTimes } : {}) };
          const one = documents.validateDocuments(sources, options);
          const many = await workers.validateInWorkers(sources, { ...options, workers: 2 });
          expect(many).toEqual(one);
          // Order matters: diagnostics are printed as they are listed.
          expect(many.errors.map((e) => e.message)).toEqual(one.errors.map((e) => e.message));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('loads a large repository in workers by itself, with the one-thread result', async () => {
    const sources: Documents.PolicySource[] = [];
    for (let b = 0; b < 16; b++) {
      const lines = [`business: ${100 + b}`, 'members:'];
      for (let i = 0; i < 1500; i++) {
        lines.push(`  - email: person${i}@b${b}.example`, `    role: employee`);
      }
      // One mistake, found only by a rule across files' kind of check: a repeat in the file.
      if (b === 7) lines.push('  - email: person3@b7.example', '    role: admin');
      sources.push({ file: `client-${b}.yaml`, text: `${lines.join('\n')}\n` });
    }
    expect(workers.workerCount(sources, 'auto', 2)).toBe(2);
    for (const s of sources) await writeFile(join(dir, s.file), s.text);
    const loaded = await loader.loadDesiredState('.', { now: NOW, cwd: dir });
    const one = documents.validateDocuments(sources, { now: NOW });
    expect(loaded.errors).toEqual(one.errors);
    expect(loaded.errors.map((e) => e.code)).toEqual(['ROLE_CONFLICT']);
    expect(loaded.files).toEqual(sources.map((s) => s.file).sort());
  });

  it('a worker that fails gives its files back: the result is the same, with a warning', async () => {
    const broken = join(dir, 'broken-worker.mjs');
    await writeFile(broken, 'throw new Error("no such worker");\n');
    const sources = sourcesOf(
      fc.sample(policyText, { numRuns: 6, seed: 7 }).map((text, i) => `${text}# ${i}\n`),
    );
    const warnings: string[] = [];
    const onWarning = (warning: Error & { code?: string }) => {
      if (warning.code === 'ROLECALL_POLICY_WORKER') warnings.push(warning.message);
    };
    process.on('warning', onWarning);
    try {
      const limits = documents.limitsOf({ now: NOW });
      const outcomes = await workers.runPool(
        sources,
        2,
        { role: workers.WORKER_ROLE, limits, now: NOW.getTime() },
        new URL(`file://${broken}`),
      );
      expect(documents.combineOutcomes(sources, outcomes, { now: NOW })).toEqual(
        documents.validateDocuments(sources, { now: NOW }),
      );
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('no such worker');
  });

  it('uses workers only for enough text, and never more than files or CPUs', () => {
    const file = (bytes: number) => ({ file: 'x.yaml', text: 'x'.repeat(bytes) });
    const big = Array.from({ length: 10 }, () => file(300 * 1024));
    expect(workers.workerCount(big, 'auto', 2)).toBe(2);
    expect(workers.workerCount(big, 'auto', 1)).toBe(1);
    expect(workers.workerCount(big, 'auto', 16)).toBe(4);
    expect(workers.workerCount(big.slice(0, 3), 'auto', 2)).toBe(0);
    expect(workers.workerCount([file(5 * 1024 * 1024)], 'auto', 8)).toBe(0);
    expect(workers.workerCount(big, 0, 8)).toBe(0);
    expect(workers.workerCount(big.slice(0, 3), 8, 2)).toBe(3);
  });
});
