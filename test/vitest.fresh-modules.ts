/**
 * Runs before each test file (every project in vitest.config.ts). Workers are not isolated —
 * one worker, with its node_modules loaded, serves file after file, which halves the suite's
 * CPU time — so forgetting the evaluated modules here gives each file fresh copies of
 * rolecall's modules and of the test helpers: module state such as a builder's counter or the
 * registered secrets never leaks from one file into the next. node_modules stay loaded (Node
 * caches them), and that is where the time went.
 */
import { vi } from 'vitest';

vi.resetModules();
