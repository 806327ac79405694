/**
 * The world the JIT integration tests run in, all real: a temporary git repository whose
 * `origin` is a bare remote, the fake GitHub API on loopback, the FreshBooks emulator, and
 * rolecall run in-process through `main` (so ROLECALL_NOW moves its clock).
 */
import { main } from '../../../src/cli/main.js';
import type { RunningEmulator } from '../../../src/emulator/index.js';
import { addStandardTokens, TOKENS } from '../../support/fake-github/client.js';
import type { FakeGitHub, FakeRepo } from '../../support/fake-github/index.js';
import { bufferIo } from '../../support/buffer-io.js';
import {
  createBareRemote,
  createTempRepo,
  type BareRemote,
  type TempRepo,
} from '../../support/temp-repo.js';

export const ACME = 240340;
export const POLICY_FILE = 'policies/acme-books.yaml';
export const OWNER = 'acme';
export const REPO = 'access';

/**
 * A policy for the emulator's default seed: additive (the seed's other members are reported,
 * never touched), alice and ben as the admins they are live, time-bound contractors.
 */
export const ACME_POLICY = `# Who has access to Acme Books Inc.
business: 240340 # FreshBooks business_id
name: Acme Books Inc.
mode: additive # people not listed here are left alone

rules:
  protected: [olivia@acme.example]
  minAdmins: 2
  requireExpiry: [contractor]
  maxDuration:
    contractor: 180d # six months at most
  allowedDomains: [acme.example, contractors.example]
  requireReason: true
  autoApproveExpiry: true # expired grants are revoked without a pull request

members:
  # Administrators
  - email: alice@acme.example
    role: admin
    reason: Finance lead

  - email: ben@acme.example
    role: admin
    reason: Controller
`;

export interface World {
  repo: TempRepo;
  remote: BareRemote;
  cleanup(): Promise<void>;
}

/** A repository with `policy` committed on main at `date` and pushed to a bare `origin`. */
export async function createWorld(
  files: Record<string, string>,
  date = '2026-01-05T10:00:00Z',
): Promise<World> {
  const repo = await createTempRepo({ prefix: 'rolecall-jit-' });
  const remote = await createBareRemote();
  await repo.commit({ files, message: 'Add the policies', date });
  await repo.git.raw(['remote', 'add', 'origin', remote.url]);
  await repo.git.raw(['push', '--quiet', '-u', 'origin', 'main']);
  return {
    repo,
    remote,
    async cleanup() {
      await repo.cleanup();
      await remote.cleanup();
    },
  };
}

export function githubEnv(gh: FakeGitHub, token: string = TOKENS.pat): Record<string, string> {
  return { ...gh.env(token), GITHUB_REPOSITORY: `${OWNER}/${REPO}` };
}

export function freshbooksEnv(emulator: RunningEmulator): Record<string, string> {
  return {
    FRESHBOOKS_API_URL: emulator.url,
    FRESHBOOKS_CLIENT_ID: emulator.credentials.clientId,
    FRESHBOOKS_CLIENT_SECRET: emulator.credentials.clientSecret,
    FRESHBOOKS_REFRESH_TOKEN: emulator.credentials.refreshToken,
  };
}

export function fakeRepo(gh: FakeGitHub): FakeRepo {
  addStandardTokens(gh);
  return gh.world.repo(OWNER, REPO);
}

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export async function rolecall(
  args: string[],
  options: { cwd: string; env: Record<string, string | undefined> },
): Promise<CliRun> {
  const io = bufferIo({ cwd: options.cwd, env: options.env });
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

/** Local branches, remote-tracking refs, HEAD and the status: what "no git change" compares. */
export async function gitState(repo: TempRepo): Promise<string> {
  const refs = await repo.git.raw(['for-each-ref', '--format=%(refname) %(objectname)']);
  const status = await repo.git.raw([
    'status',
    '--porcelain=v2',
    '--branch',
    '--untracked-files=all',
  ]);
  return `${refs}\n${status}`;
}
