/**
 * Issue 13, item 7a, end to end: `ROLECALL_SECRETS_TOKEN` with "Secrets: Read-only" can read the
 * public key but not write the secret. Reading the key used to be the only check, so such a
 * token let `rolecall` spend the single-use FreshBooks refresh token and then fail to store the
 * new one — the access was lost. Now the store writes the current value back before the refresh
 * token is used: the command fails with "nothing was spent", FreshBooks saw no token request, the
 * secret still holds the same (still valid) token. Commands run in-process through `main()` as
 * the workflows run them, against the emulator and the fake GitHub.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import {
  loadDefaultSeed,
  startEmulator,
  type RunningEmulator,
} from '../../../src/emulator/index.js';
import { packagePath } from '../../../src/paths.js';
import { clearRegisteredSecrets } from '../../../src/redact.js';
import { createGitHubSecretStore } from '../../../src/github/token-store-github-secret.js';
import { addStandardTokens, TOKENS } from '../../support/fake-github/client.js';
import {
  startFakeGitHub,
  type FakeGitHub,
  type FakeRepo,
} from '../../support/fake-github/index.js';
import { bufferIo } from '../../support/buffer-io.js';

const SECRET = 'FRESHBOOKS_REFRESH_TOKEN';
const ENVIRONMENT = 'freshbooks-production';
const NOW = '2026-11-29T10:00:00.000Z';

let emulator: RunningEmulator;
let gh: FakeGitHub;
let repo: FakeRepo;
let cwd: string;
/** The refresh token FreshBooks accepts now (it rotates with every successful run). */
let current: string;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  emulator.control.loadState(loadDefaultSeed());
  current = emulator.credentials.refreshToken;
  gh = await startFakeGitHub();
  addStandardTokens(gh);
  repo = gh.world.repo('acme', 'access');
  repo.environment(ENVIRONMENT);
  cwd = await mkdtemp(join(tmpdir(), 'rolecall-secrets-write-'));
  await mkdir(join(cwd, 'policies'));
  await writeFile(
    join(cwd, 'policies/acme-books.yaml'),
    await readFile(packagePath('policies', 'acme-books.yaml'), 'utf8'),
  );
});
afterAll(async () => {
  await emulator.close();
  await gh.close();
  await rm(cwd, { recursive: true, force: true });
  clearRegisteredSecrets();
});
beforeEach(() => {
  emulator.control.resetRequests();
  gh.clearRequests();
});

/** The secret as Actions holds it before the job: the current refresh token. */
async function seed(environment?: string): Promise<void> {
  const spec = `github-secret:${SECRET}${environment ? `@${environment}` : ''}`;
  await createGitHubSecretStore(
    spec,
    {
      ...gh.env(TOKENS.actions),
      GITHUB_REPOSITORY: repo.fullName,
      ROLECALL_SECRETS_TOKEN: TOKENS.secrets,
    },
    { retry: false },
  ).save({ refreshToken: current, updatedAt: NOW });
  gh.clearRequests();
}

async function rolecall(args: string[], secretsToken: string, environment?: string) {
  const io = bufferIo({
    cwd,
    env: {
      ...gh.env(TOKENS.actions),
      GITHUB_REPOSITORY: repo.fullName,
      ROLECALL_SECRETS_TOKEN: secretsToken,
      FRESHBOOKS_API_URL: emulator.url,
      FRESHBOOKS_CLIENT_ID: emulator.credentials.clientId,
      FRESHBOOKS_CLIENT_SECRET: emulator.credentials.clientSecret,
      // Actions injects the secret's value as the job starts.
      [SECRET]: repo.secretValue(SECRET, environment) ?? '',
      ROLECALL_NOW: NOW,
    },
  });
  const store = `github-secret:${SECRET}${environment ? `@${environment}` : ''}`;
  const code = await main([...args, '--token-store', store], io);
  return { code, out: io.out(), err: io.err() };
}

const tokenRequests = () =>
  emulator.control.requests().log.filter((e) => e.path.startsWith('/auth/oauth/token'));

const COMMANDS: Array<[string, string[]]> = [
  ['sync', ['sync', '--out', 'live.json']],
  ['plan', ['plan', '--out', 'plan.json']],
];

describe.each([
  ['a repository secret', undefined, `/repos/acme/access/actions/secrets/${SECRET}`],
  [
    'an environment secret',
    ENVIRONMENT,
    `/repos/acme/access/environments/${ENVIRONMENT}/secrets/${SECRET}`,
  ],
])('a read-only secrets token and %s', (_name, environment, putPath) => {
  it.each(COMMANDS)(
    '`rolecall %s` fails before the refresh token is spent: no token request, the secret unchanged',
    async (_command, args) => {
      await seed(environment);
      const box = environment ? repo.environments.get(environment) : repo.repoSecrets;
      const before = { ...box?.secrets.get(SECRET) };

      const run = await rolecall(args, TOKENS.secretsReadOnly, environment);

      expect(run.code).toBe(1);
      const where = environment
        ? `environment secret ${SECRET} (environment ${environment})`
        : `repository secret ${SECRET}`;
      expect(run.err).toContain(
        `GitHub refused to write ${where} in acme/access (HTTP 403): ROLECALL_SECRETS_TOKEN cannot write it.`,
      );
      expect(run.err).toContain('"Secrets: Read and write"');
      expect(run.err).toContain(
        'Nothing was spent: rolecall checks that it can write the secret before it uses the FreshBooks refresh token',
      );
      expect(run.err).not.toMatch(/^\s+at /m);
      expect(`${run.out}${run.err}`).not.toContain(current);
      // The write was tried (the proof) and refused; FreshBooks was never asked for a token.
      expect(gh.calls('PUT').map((r) => `${r.path} ${r.status}`)).toEqual([`${putPath} 403`]);
      expect(tokenRequests()).toEqual([]);
      expect(emulator.control.requests().total).toBe(0);
      // The secret is untouched and still holds the token FreshBooks accepts.
      expect(box?.secrets.get(SECRET)).toEqual(before);
      expect(repo.secretValue(SECRET, environment)).toBe(current);
    },
  );

  it('positive control: the read-write token runs, the original token still works and rotates', async () => {
    await seed(environment);
    const run = await rolecall(['sync', '--out', 'live.json'], TOKENS.secrets, environment);
    expect(run.err).not.toContain('rolecall:');
    expect(run.code).toBe(0);
    // One refresh with the token the failed runs left in place: it had not been spent.
    expect(tokenRequests()).toHaveLength(1);
    const rotated = repo.secretValue(SECRET, environment);
    expect(rotated).toBeTruthy();
    expect(rotated).not.toBe(current);
    // The current value written back first (unchanged), then the rotated one.
    expect(gh.calls('PUT').map((r) => `${r.path} ${r.status}`)).toEqual([
      `${putPath} 204`,
      `${putPath} 204`,
    ]);
    current = rotated as string;
  });
});
