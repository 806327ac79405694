import type { CommandRun } from './io.js';

export interface CommandEntry {
  name: string;
  summary: string;
  /** Loaded on demand so that `rolecall validate` does not pay for octokit or undici. */
  load: () => Promise<{ run: CommandRun }>;
}

/** Every command, in the order `--help` lists them. */
export const COMMANDS: CommandEntry[] = [
  {
    name: 'init',
    summary: 'scaffold an access repository: policies, pinned workflows, CODEOWNERS, README',
    load: () => import('./commands/init.js'),
  },
  {
    name: 'validate',
    summary: 'check the policy files (schema and rules); print file:line:col problems',
    load: () => import('./commands/validate.js'),
  },
  {
    name: 'plan',
    summary: 'diff the policies against live FreshBooks; write a plan file',
    load: () => import('./commands/plan.js'),
  },
  {
    name: 'apply',
    summary: 'execute an approved plan file: journaled, resumable',
    load: () => import('./commands/apply.js'),
  },
  {
    name: 'sync',
    summary: 'read live FreshBooks into a LiveState snapshot',
    load: () => import('./commands/sync.js'),
  },
  {
    name: 'drift',
    summary: 'report what changed in FreshBooks behind the policy’s back',
    load: () => import('./commands/drift.js'),
  },
  {
    name: 'review',
    summary: 'build the access review pack (who has access, why, granted by whom)',
    load: () => import('./commands/review.js'),
  },
  {
    name: 'request',
    summary: 'ask for time-bound access: edit the policy and open a pull request',
    load: () => import('./commands/request.js'),
  },
  {
    name: 'expire',
    summary: 'revoke expired grants, then open one clean-up pull request',
    load: () => import('./commands/expire.js'),
  },
  {
    name: 'import',
    summary: 'write a policy file from a business’s live members',
    load: () => import('./commands/import.js'),
  },
  {
    name: 'businesses',
    summary: 'list the businesses the policies name',
    load: () => import('./commands/businesses.js'),
  },
  {
    name: 'doctor',
    summary: 'check that the deployment is safe: credentials, workflows, GitHub settings',
    load: () => import('./commands/doctor.js'),
  },
  {
    name: 'auth',
    summary: 'log in to FreshBooks (OAuth) and show what the credentials reach',
    load: () => import('./commands/auth.js'),
  },
  {
    name: 'emulator',
    summary: 'run the embedded FreshBooks emulator on loopback',
    load: () => import('./commands/emulator.js'),
  },
  {
    name: 'demo',
    summary: 'the embedded sandbox end to end: plan, apply, re-plan (what `npm start` runs)',
    load: () => import('./commands/demo.js'),
  },
];
