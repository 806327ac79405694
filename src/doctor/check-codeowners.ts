/**
 * CODEOWNERS: the file `rolecall init` writes must still own everything the privileged jobs
 * read or run (`policies/`, `.github/`, and a catch-all for files added later), with real
 * owners; and GitHub must find no error in it (an unknown owner is one).
 */
import { PLACEHOLDER_OWNER, SCAFFOLD_WORKFLOWS } from '../init/render-scaffold.js';
import { fail, pass, type CheckResult } from './check-result.js';
import { ownersOf, parseCodeowners } from './codeowners-rules.js';
import type { GitHubSettings, PolicyFacts, RepositoryFacts } from './facts.js';
import { unreadableCheck } from './unreadable.js';

const COVERAGE_WHY =
  'the privileged jobs run the default branch\'s workflows and read policies/: a path nobody owns merges with any writer\'s approval once "Require review from Code Owners" is on, and a file added later must be owned too';
const ERRORS_WHY =
  'GitHub ignores a CODEOWNERS line it cannot read, and an owner that does not exist (or cannot see the repository) is no reviewer: the paths of that line are then unowned';
const INIT_FIX =
  'start `.github/CODEOWNERS` with the catch-all `*  @your-org/access-admins`, then `/policies/` and `/.github/` (what `rolecall init` writes), with a team or users that exist';

/** Paths that must be owned: the policies, the workflows, CODEOWNERS, files that do not exist yet. */
function probes(repository: RepositoryFacts, policies: PolicyFacts, codeowners: string): string[] {
  const policyFiles =
    policies.ok && policies.businesses.length > 0
      ? policies.businesses.map((b) => b.file.replace(/^\.\//, ''))
      : ['policies/new-business.yaml'];
  return [
    ...policyFiles,
    ...SCAFFOLD_WORKFLOWS.map((name) => `.github/workflows/${name}`),
    codeowners,
    'a-file-added-later.txt',
    'a/new/directory/file',
    // A repository that builds rolecall from its own source also runs these.
    ...(repository.ownRepository
      ? ['src/cli/main.ts', 'package.json', 'package-lock.json', 'action.yml', 'tsconfig.json']
      : []),
  ];
}

/** `codeowners.coverage`: the file exists and owns every probe, with no placeholder owner. */
export function checkCodeownersCoverage(
  repository: RepositoryFacts,
  policies: PolicyFacts,
): CheckResult {
  const id = 'codeowners.coverage';
  const file = repository.codeowners;
  if (!file) {
    return fail(
      id,
      'no CODEOWNERS file (.github/CODEOWNERS, CODEOWNERS or docs/CODEOWNERS)',
      COVERAGE_WHY,
      `${INIT_FIX} (\`rolecall init --example /tmp/rolecall-init\` writes one into an empty directory)`,
    );
  }
  const rules = parseCodeowners(file.text);
  const unowned = probes(repository, policies, file.path).filter(
    (path) => ownersOf(rules, path).length === 0,
  );
  if (unowned.length > 0) {
    return fail(id, `${file.path} leaves unowned: ${unowned.join(', ')}`, COVERAGE_WHY, INIT_FIX);
  }
  const placeholder = rules.filter((r) => r.owners.includes(PLACEHOLDER_OWNER));
  if (placeholder.length > 0) {
    return fail(
      id,
      `${file.path} still names the placeholder ${PLACEHOLDER_OWNER} (line ${placeholder.map((r) => r.line).join(', ')})`,
      COVERAGE_WHY,
      `replace ${PLACEHOLDER_OWNER} in ${file.path} with the team that reviews access`,
    );
  }
  return pass(
    id,
    `${file.path} owns policies/, .github/ and every other path (catch-all)`,
    COVERAGE_WHY,
  );
}

/** `codeowners.errors`: GitHub reads the file without an error (every owner exists). */
export function checkCodeownersErrors(github: GitHubSettings): CheckResult {
  const id = 'codeowners.errors';
  const read = github.codeownersErrors;
  if (!read.ok) return unreadableCheck(id, 'the CODEOWNERS errors', ERRORS_WHY, read);
  const branch = github.defaultBranch.ok ? github.defaultBranch.value : 'the default branch';
  if (read.value === null) {
    return fail(
      id,
      `GitHub finds no CODEOWNERS file on ${branch}`,
      ERRORS_WHY,
      `commit .github/CODEOWNERS to ${branch} through a pull request (${INIT_FIX})`,
    );
  }
  if (read.value.length > 0) {
    const errors = read.value.map(
      (e) => `line ${e.line}: ${e.kind} (${e.message.split('\n')[0] ?? ''})`,
    );
    return fail(
      id,
      `GitHub reports ${errors.length} error${errors.length === 1 ? '' : 's'} in CODEOWNERS on ${branch}: ${errors.join('; ')}`,
      ERRORS_WHY,
      'fix each line (an unknown owner: a team or user that exists and has write access to this repository)',
    );
  }
  return pass(id, `GitHub reads CODEOWNERS on ${branch} without an error`, ERRORS_WHY);
}
