/**
 * Runs before each test file (every project in vitest.config.ts). Workers are not isolated —
 * one worker, with its node_modules loaded, serves file after file, which halves the suite's
 * CPU time — so forgetting the evaluated modules here gives each file fresh copies of
 * rolecall's modules and of the test helpers: module state such as a builder's counter or the
 * registered secrets never leaks from one file into the next. node_modules stay loaded (Node
 * caches them), and that is where the time went.
 */
import { afterAll, vi } from 'vitest';

vi.resetModules();

// Every answer the fake GitHub sent during this file must be one GitHub could send (its
// OpenAPI description, checked in test/support/fake-github/openapi.ts). Checked after the
// file's own afterAll hooks (vitest runs after-hooks in reverse), so servers are closed first.
// The list lives on globalThis under this key (set by openapi.ts), read here without loading it.
afterAll(() => {
  const key = Symbol.for('rolecall.fake-github.violations');
  const store = globalThis as {
    [key: symbol]: Array<{ route: string; status: number; problem: string }>;
  };
  const violations = store[key] ?? [];
  store[key] = [];
  if (violations.length === 0) return;
  const lines = [...new Set(violations.map((v) => `${v.route} → ${v.status}: ${v.problem}`))];
  throw new Error(
    `the fake GitHub sent answers GitHub's OpenAPI description does not allow:\n${lines.join('\n')}`,
  );
});
