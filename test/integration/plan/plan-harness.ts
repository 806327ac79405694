/**
 * Shared set-up for the plan, import and demo integration tests: a temporary working directory
 * whose FreshBooks credentials point at a real emulator on loopback, and `rolecall` run
 * in-process through `main()`.
 */
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { main } from '../../../src/cli/main.js';
import type { RunningEmulator } from '../../../src/emulator/index.js';
import { packagePath } from '../../../src/paths.js';
import { parsePlan } from '../../../src/plan/plan-file.js';
import { schemaValidator } from '../../../src/schemas.js';
import type { Change, Plan } from '../../../src/types.js';
import { parse } from 'yaml';
import { bufferIo } from '../../support/buffer-io.js';

export const ACME = 240340;
export const HOLDINGS = 240341;
/** The instant every test plans at (bob's contractor grant runs to 2027-03-31). */
export const NOW = '2026-11-29T10:00:00.000Z';

export interface Workspace {
  cwd: string;
  env: Record<string, string>;
  write(path: string, text: string): Promise<void>;
  read(path: string): Promise<string>;
  close(): Promise<void>;
}

export function exampleYaml(): Promise<string> {
  return readFile(packagePath('policies', 'acme-books.yaml'), 'utf8');
}

/** FreshBooks environment for the emulator (the sandbox's own credentials). */
export function emulatorEnv(emulator: RunningEmulator): Record<string, string> {
  return {
    FRESHBOOKS_API_URL: emulator.url,
    FRESHBOOKS_CLIENT_ID: emulator.credentials.clientId,
    FRESHBOOKS_CLIENT_SECRET: emulator.credentials.clientSecret,
    FRESHBOOKS_REFRESH_TOKEN: emulator.credentials.refreshToken,
    ROLECALL_NOW: NOW,
  };
}

/** A fresh directory (own `.rolecall/`), with `files` written and credentials for `emulator`. */
export async function workspace(
  emulator: RunningEmulator | null,
  files: Record<string, string> = {},
  cwd?: string,
): Promise<Workspace> {
  const dir = cwd ?? (await mkdtemp(join(tmpdir(), 'rolecall-plan-')));
  const write = async (path: string, text: string) => {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  };
  for (const [path, text] of Object.entries(files)) await write(path, text);
  return {
    cwd: dir,
    env: emulator ? emulatorEnv(emulator) : { ROLECALL_NOW: NOW },
    write,
    read: (path) => readFile(join(dir, path), 'utf8'),
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

export async function rolecall(
  ws: Pick<Workspace, 'cwd' | 'env'>,
  args: string[],
  extraEnv: Record<string, string | undefined> = {},
  tty = false,
): Promise<CliResult> {
  const io = bufferIo({ env: { ...ws.env, ...extraEnv }, cwd: ws.cwd });
  if (tty) io.stdout.isTTY = true;
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

export function readPlan(text: string): Plan {
  const validate = schemaValidator('plan');
  return parsePlan(text, (value) =>
    validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`),
  );
}

/** A change as the tables in COMMON.md state it. */
export function brief(change: Change): string {
  const from = change.from === null ? '∅' : `${change.from.role}/${change.from.state}`;
  return `${change.action} ${change.email} ${from} → ${change.to?.role ?? '∅'}`;
}

/** The example policy's changes against the emulator's default seed (COMMON.md's table). */
export const DEFAULT_SEED_CHANGES = [
  'grant eli@acme.example ∅ → accountant',
  'grant jules@acme.example unassigned/deactivated → unassigned',
  'change grace@acme.example manager/active → employee',
  'change maya@acme.example employee/active → manager',
  'revoke sam@oldfirm.example accountant/invited → ∅',
  'revoke zoe@acme.example employee/active → ∅',
];

/** Routes the emulator answered that read or write a business's team. */
export function teamRequests(emulator: RunningEmulator): string[] {
  return emulator.control
    .requests()
    .log.filter((e) => e.path.includes('/businesses/'))
    .map((e) => `${e.method} ${e.path}`);
}

/**
 * The arguments of the `rolecall <command> …` step of a shipped workflow's job, read from the
 * file, so that a test runs exactly what the workflow runs (and follows it when it changes).
 * Only plain words: a line with quoting or variables is for a shell, not this helper.
 */
export function workflowCommand(workflow: string, job: string, command: string): string[] {
  const doc = parse(readFileSync(packagePath('.github', 'workflows', workflow), 'utf8')) as {
    jobs: Record<string, { steps: Array<{ run?: string }> }>;
  };
  const runs = (doc.jobs[job]?.steps ?? [])
    .map((step) => step.run?.trim() ?? '')
    .filter((run) => run.startsWith(`rolecall ${command} `));
  if (runs.length !== 1)
    throw new Error(`${workflow} job ${job}: ${runs.length} rolecall ${command} steps`);
  const line = runs[0] as string;
  if (/["'$\\\n;&|]/.test(line)) throw new Error(`${workflow}: not a plain command line: ${line}`);
  return line.split(/\s+/).slice(1);
}
