/**
 * `rolecall doctor`: is this deployment actually safe? Reads the facts — the policies,
 * FreshBooks (the token store, one refresh, who the token is), the repository's workflows and
 * CODEOWNERS, and, with `--github` (or the Actions variables), GitHub's settings through the
 * REST API — and judges them with the pure checks of src/doctor/. One line per check: ✓, ✗ or
 * ? (could not be verified: the token may not see it). With `--github`, one issue stays open
 * while anything is unsafe.
 *
 * Read-only, except what every command does: the refresh rotates the FreshBooks refresh token,
 * and the new one is saved to the token store (a GitHub secret store first writes the secret
 * back unchanged, proving it can).
 */
import {
  evaluateDoctor,
  isUnsafe,
  renderDoctorJson,
  renderDoctorText,
  type CheckResult,
  type GitHubFacts,
  type PolicyFacts,
} from '../doctor/index.js';
import { EXIT, RolecallError, UsageError } from '../errors.js';
import type { Console } from '../ports.js';
import { redact } from '../redact.js';
import { loadPolicies, openGitHub } from './context.js';
import { updateDoctorIssue } from './doctor/doctor-issue.js';
import { probeFreshBooks } from './doctor/probe-freshbooks.js';
import { githubWanted, probeGitHub } from './doctor/probe-github.js';
import { readRepositoryFiles } from './doctor/read-repository-files.js';

export interface DoctorOptions {
  policiesDir: string;
  /** Check GitHub's settings and keep the doctor issue. */
  github: boolean;
  json: boolean;
  /** A check that could not be verified (`?`) fails the run too. */
  strict: boolean;
  tokenStore?: string | undefined;
  verbose: boolean;
  now: Date;
}

/** 0: nothing unsafe (with `strict`, nothing unverified either); 1: something is. */
export interface DoctorOutcome {
  exitCode: 0 | 1;
  results: CheckResult[];
}

export async function doctor(io: Console, options: DoctorOptions): Promise<DoctorOutcome> {
  const policies = await readPolicyFacts(io, options);
  // GitHub first with --github: a missing or wrong token fails the run before a refresh.
  const session = options.github ? await openGitHub(io) : null;
  const freshbooks = await probeFreshBooks(io, {
    tokenStore: options.tokenStore,
    verbose: options.verbose,
  });
  const repository = await readRepositoryFiles(io.cwd);
  const github: GitHubFacts = githubWanted(io, options.github)
    ? await probeGitHub(io)
    : {
        checked: false,
        reason:
          'set GITHUB_REPOSITORY and GITHUB_TOKEN (or ROLECALL_DOCTOR_TOKEN), or pass --github',
      };
  const results = evaluateDoctor({ policies, freshbooks, repository, github });

  const issueKept = session ? await updateDoctorIssue(io, session, results, options.now) : true;
  io.stdout.write(options.json ? renderDoctorJson(results) : renderDoctorText(results));
  const unsafe = isUnsafe(results, options.strict);
  return { exitCode: unsafe || !issueKept ? EXIT.ERROR : EXIT.OK, results };
}

/** The policies as the checks need them; an invalid policy is a failed check, not an abort. */
async function readPolicyFacts(io: Console, options: DoctorOptions): Promise<PolicyFacts> {
  const dir = options.policiesDir;
  try {
    const desired = await loadPolicies(io, { dir, now: options.now });
    return {
      ok: true,
      dir,
      businesses: desired.businesses.map((b) => ({
        businessId: b.businessId,
        name: b.name ?? null,
        file: b.file,
        approvalsRequired: b.approvals?.required ?? 1,
        writes: Object.values(b.provisioning).some((mode) => mode === 'api'),
        namesTeams:
          (b.approvals?.teams?.length ?? 0) > 0 ||
          Object.values(b.approvals?.roles ?? {}).some((rule) => (rule?.teams?.length ?? 0) > 0),
      })),
    };
  } catch (error) {
    if (error instanceof UsageError || !(error instanceof RolecallError)) throw error;
    return { ok: false, dir, message: redact(error.message) };
  }
}
