/**
 * Set-up for the drift integration tests: the real emulator on loopback (with its clock
 * injected, so invitation dates are known), a temporary working directory with the example
 * policy, and `rolecall drift` run in-process through `main()`.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.js';
import {
  loadDefaultSeed,
  type EmulatorSeed,
  type RunningEmulator,
  type TeamMemberJson,
} from '../../../src/emulator/index.js';
import { packagePath } from '../../../src/paths.js';
import { bufferIo } from '../../support/buffer-io.js';

export const ACME = 240340;

/** The emulator's clock: when out-of-band changes (and invitations) happen. */
export const EMULATOR_NOW = new Date('2026-11-01T09:00:00.000Z');

export interface Workspace {
  cwd: string;
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * The default seed brought in line with `policies/acme-books.yaml`: the deliberate drift
 * removed (zoe, sam and pat gone; grace and maya on their policy roles; hana accepted; jules
 * active; eli present). `rolecall drift` on it finds nothing until a test changes something.
 */
export function cleanSeed(): EmulatorSeed {
  const seed = structuredClone(loadDefaultSeed());
  const acme = seed.businesses.find((b) => b.id === ACME);
  if (!acme) throw new Error('the default seed has no Acme Books');
  const gone = new Set(['zoe@acme.example', 'sam@oldfirm.example', 'pat@acme.example']);
  const members = (acme.members ?? []).filter((m) => !gone.has(m.email));
  acme.members = members;
  for (const member of members) {
    if (member.email === 'grace@acme.example') member.role = 'business_employee';
    if (member.email === 'maya@acme.example') member.role = 'business_manager';
    if (member.email === 'hana@acme.example') {
      member.state = 'active';
      member.identity_id = 5009;
      member.invitation_date_accepted = '2025-06-03T10:00:00Z';
    }
    if (member.email === 'jules@acme.example') member.state = 'active';
  }
  members.push({
    email: 'eli@acme.example',
    role: 'business_accountant',
    state: 'active',
    first_name: 'Eli',
    last_name: 'Brandt',
    identity_id: 5030,
    created_at: '2024-02-01T09:00:00Z',
  });
  return seed;
}

/** A working directory whose credentials point at `emulator`, with the example policy. */
export async function workspace(
  emulator: RunningEmulator,
  edit: (yaml: string) => string = (yaml) => yaml,
): Promise<Workspace> {
  const cwd = await mkdtemp(join(tmpdir(), 'rolecall-drift-'));
  await mkdir(join(cwd, 'policies'));
  await writePolicy(cwd, edit);
  return {
    cwd,
    env: {
      FRESHBOOKS_API_URL: emulator.url,
      FRESHBOOKS_CLIENT_ID: emulator.credentials.clientId,
      FRESHBOOKS_CLIENT_SECRET: emulator.credentials.clientSecret,
      FRESHBOOKS_REFRESH_TOKEN: emulator.credentials.refreshToken,
    },
    close: () => rm(cwd, { recursive: true, force: true }),
  };
}

/** (Re)writes the workspace's policy: the example policy, edited. */
export async function writePolicy(cwd: string, edit: (yaml: string) => string): Promise<void> {
  const yaml = await readFile(packagePath('policies', 'acme-books.yaml'), 'utf8');
  await writeFile(join(cwd, 'policies', 'acme-books.yaml'), edit(yaml));
}

/** Adds member entries at the end of the policy's `members:` list. */
export function withMembers(...entries: string[]): (yaml: string) => string {
  return (yaml) => `${yaml.trimEnd()}\n${entries.map((e) => `\n${e}`).join('')}\n`;
}

export interface DriftRun {
  code: number;
  out: string;
  err: string;
}

/** `rolecall drift …` in-process at the instant `now` (ROLECALL_NOW). */
export async function drift(
  ws: Workspace,
  now: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<DriftRun> {
  const io = bufferIo({ env: { ...ws.env, ROLECALL_NOW: now, ...env }, cwd: ws.cwd });
  const code = await main(['drift', '--rate', '1000', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

/** Writes an apply journal as the applier leaves it: one JSON record a line (strings verbatim). */
export async function writeJournal(
  ws: Workspace,
  name: string,
  records: Array<object | string>,
): Promise<void> {
  const dir = join(ws.cwd, '.rolecall', 'journal');
  await mkdir(dir, { recursive: true });
  const lines = records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r)));
  await writeFile(join(dir, `${name}.jsonl`), `${lines.join('\n')}\n`);
}

export function memberOf(emulator: RunningEmulator, email: string): TeamMemberJson {
  const found = emulator.control.member(ACME, email);
  if (!found) throw new Error(`no ${email} in the emulator`);
  return found;
}
