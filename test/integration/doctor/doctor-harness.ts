/**
 * Set-up for the doctor tests: the real emulator in process, the fake GitHub over HTTP, an
 * access repository in a temporary directory (the example policy, the workflows `rolecall
 * init` writes pinned to this build, CODEOWNERS), and `rolecall doctor` run through the CLI's
 * `main()` with the environment doctor.yml gives it.
 */
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { main } from '../../../src/cli/main.js';
import {
  loadDefaultSeed,
  startEmulator,
  type RunningEmulator,
} from '../../../src/emulator/index.js';
import { renderScaffold, SCAFFOLD_WORKFLOWS } from '../../../src/init/render-scaffold.js';
import { packagePath } from '../../../src/paths.js';
import { clearRegisteredSecrets } from '../../../src/redact.js';
import { bufferIo } from '../../support/buffer-io.js';
import { addStandardTokens, TOKENS } from '../../support/fake-github/client.js';
import {
  startFakeGitHub,
  type FakeGitHub,
  type FakeRepo,
} from '../../support/fake-github/index.js';
import { configureRecommended, ENVIRONMENT } from '../../support/fake-github/recommended.js';

/** A read-only token for the settings: Administration and Secrets read (ROLECALL_DOCTOR_TOKEN). */
export const DOCTOR_TOKEN = 'github_pat_doctor_readonly_0000000';
/** The same, and it may edit rulesets: GitHub then shows their bypass lists. */
export const DOCTOR_ADMIN_TOKEN = 'github_pat_doctor_admin_000000000';
export const SECRET_STORE = `github-secret:FRESHBOOKS_REFRESH_TOKEN@${ENVIRONMENT}`;
export const NOW = '2026-12-07T09:00:00.000Z';

export interface CheckJson {
  id: string;
  status: 'pass' | 'fail' | 'unknown';
  found: string;
  why: string;
  fix: string | null;
  diff?: string;
}

export interface DoctorRun {
  code: number;
  out: string;
  err: string;
  /** With --json: the checks. */
  checks: CheckJson[];
}

export interface Harness {
  emulator: RunningEmulator;
  gh: FakeGitHub;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const emulator = await startEmulator({ port: 0 });
  const gh = await startFakeGitHub();
  addStandardTokens(gh);
  gh.world.addToken(DOCTOR_TOKEN, 'rolecall-admin', {
    user: true,
    administration: 'read',
    secrets: 'read',
  });
  gh.world.addToken(DOCTOR_ADMIN_TOKEN, 'rolecall-admin', {
    user: true,
    administration: 'write',
    secrets: 'read',
  });
  return {
    emulator,
    gh,
    close: async () => {
      await gh.close();
      await emulator.close();
    },
  };
}

/** This build's pin, as `rolecall init` writes it (read at each run: a rebuild may change it). */
export function buildPin(): { ref: string; label: string } {
  const info = JSON.parse(readFileSync(packagePath('dist', 'build-info.json'), 'utf8')) as {
    version: string;
    commit: string | null;
  };
  if (!info.commit)
    throw new Error('dist/build-info.json has no commit: run `npm run build` in a checkout');
  return { ref: `rolecall-dev/rolecall@${info.commit}`, label: `v${info.version}` };
}

export interface AccessRepository {
  cwd: string;
  repo: FakeRepo;
  /** The environment of the doctor step (doctor.yml's), changed per test. */
  env: Record<string, string | undefined>;
  /** Edits applied to the scaffold's files before each run: path → new text, or null to delete. */
  edits: Map<string, (text: string) => string | null>;
  /** Writes a file into the working directory. */
  write(path: string, text: string): Promise<void>;
  run(args?: string[], env?: Record<string, string | undefined>): Promise<DoctorRun>;
  close(): Promise<void>;
}

/** An access repository, locally and on the fake GitHub, configured as the README recommends. */
export async function accessRepository(h: Harness): Promise<AccessRepository> {
  h.emulator.control.loadState(loadDefaultSeed());
  const cwd = await mkdtemp(join(tmpdir(), 'rolecall-doctor-'));
  const repo = h.gh.world.repo('acme', `access-${Math.random().toString(36).slice(2, 10)}`);
  const { credentials } = h.emulator;
  configureRecommended(repo, {
    FRESHBOOKS_CLIENT_ID: credentials.clientId,
    FRESHBOOKS_CLIENT_SECRET: credentials.clientSecret,
    FRESHBOOKS_REFRESH_TOKEN: credentials.refreshToken,
    ROLECALL_SECRETS_TOKEN: TOKENS.secrets,
  });
  const write = async (path: string, text: string) => {
    await mkdir(dirname(join(cwd, path)), { recursive: true });
    await writeFile(join(cwd, path), text);
  };
  await write(
    'policies/acme-books.yaml',
    await readFile(packagePath('policies', 'acme-books.yaml'), 'utf8'),
  );
  const edits = new Map<string, (text: string) => string | null>();
  const access: AccessRepository = {
    cwd,
    repo,
    edits,
    write,
    env: {
      ...h.gh.env(TOKENS.actions),
      GITHUB_REPOSITORY: repo.fullName,
      FRESHBOOKS_API_URL: h.emulator.url,
      FRESHBOOKS_CLIENT_ID: credentials.clientId,
      FRESHBOOKS_CLIENT_SECRET: credentials.clientSecret,
      ROLECALL_SECRETS_TOKEN: TOKENS.secrets,
      ROLECALL_DOCTOR_TOKEN: DOCTOR_TOKEN,
      ROLECALL_NOW: NOW,
    },
    async run(args = ['--github', '--json', '--token-store', SECRET_STORE], env = {}) {
      await writeScaffold(access);
      // Actions injects the environment's secret: the refresh token as the last run left it.
      const refreshToken = repo.secretValue('FRESHBOOKS_REFRESH_TOKEN', ENVIRONMENT);
      const io = bufferIo({
        env: {
          ...(refreshToken ? { FRESHBOOKS_REFRESH_TOKEN: refreshToken } : {}),
          ...access.env,
          ...env,
        },
        cwd,
      });
      const code = await main(['doctor', ...args], io);
      const out = io.out();
      return {
        code,
        out,
        err: io.err(),
        checks: args.includes('--json') ? (JSON.parse(out) as CheckJson[]) : [],
      };
    },
    close: async () => {
      clearRegisteredSecrets();
      await rm(cwd, { recursive: true, force: true });
    },
  };
  return access;
}

/** The workflows and CODEOWNERS `rolecall init` writes, pinned to this build, edited per test. */
async function writeScaffold(access: AccessRepository): Promise<void> {
  const templates = Object.fromEntries(
    await Promise.all(
      SCAFFOLD_WORKFLOWS.map(
        async (name) =>
          [name, await readFile(packagePath('.github', 'workflows', name), 'utf8')] as const,
      ),
    ),
  );
  const files = renderScaffold({
    workflows: templates,
    action: buildPin(),
    owners: ['@acme/access-admins'],
    version: 'test',
  }).filter((f) => f.path.startsWith('.github/'));
  for (const file of files) {
    const edit = access.edits.get(file.path);
    const text = edit ? edit(file.text) : file.text;
    if (text === null) await rm(join(access.cwd, file.path), { force: true });
    else await access.write(file.path, text);
  }
}

/** The checks that did not pass, as `id: status`. */
export function notPassed(run: DoctorRun): string[] {
  return run.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id}: ${c.status}`);
}

export function check(run: DoctorRun, id: string): CheckJson {
  const found = run.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id} in ${run.out}\n${run.err}`);
  return found;
}
