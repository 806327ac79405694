/**
 * `rolecall doctor`'s core: pure checks over the facts the flow reads (facts.ts), and their
 * renderings. No I/O.
 */
export * from './check-result.js';
export * from './deployment.js';
export * from './evaluate-doctor.js';
export * from './render-doctor.js';
export type * from './facts.js';
