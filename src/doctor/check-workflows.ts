/**
 * The workflows: all there, set up with this rolecall pinned by commit, and otherwise exactly
 * what `rolecall init` writes. They run next to the FreshBooks credentials and the token that
 * writes secrets, so a change to one is a change to what holds the keys: the doctor shows it
 * as a diff rather than judge it.
 */
import { createTwoFilesPatch } from 'diff';
import { renderWorkflows, SCAFFOLD_WORKFLOWS, type ActionPin } from '../init/render-scaffold.js';
import { fail, pass, type CheckResult } from './check-result.js';
import type { RepositoryFacts } from './facts.js';
import { commitOf, rolecallLines, versionOf, type ActionLine } from './workflow-pins.js';

const PRESENT_WHY =
  'each workflow is one of the jobs the deployment relies on: plan comments the plan the gate checks, apply applies it, drift, expire, review and doctor keep FreshBooks and these settings honest';
const PINNED_WHY =
  'the pinned commit is the code that sees the FreshBooks credentials: a tag or branch can be moved to other code, and a pin that differs from this rolecall runs a version these checks do not describe';
const CURRENT_WHY =
  'these files run with the FreshBooks credentials and the token that writes secrets: a change to them (a new step, another trigger, a missing environment) is a change to what holds the keys, and the doctor cannot vouch for it';

/** Lines of diff shown per file; the rest is counted. */
const DIFF_LINES = 120;
const REPOSITORY = 'rolecall-dev/rolecall';

function scratch(action?: string): string {
  return `\`rolecall init --example${action ? ` --action ${action}` : ''} /tmp/rolecall-init\` writes them into an empty directory: copy`;
}

/** `workflows.present`: every workflow `rolecall init` writes is in `.github/workflows/`. */
export function checkWorkflowsPresent(repository: RepositoryFacts): CheckResult {
  const id = 'workflows.present';
  const missing = SCAFFOLD_WORKFLOWS.filter((name) => repository.workflows[name] == null);
  if (missing.length > 0) {
    return fail(
      id,
      `missing from .github/workflows/: ${missing.join(', ')}`,
      PRESENT_WHY,
      `${scratch()} ${missing.map((n) => `.github/workflows/${n}`).join(', ')} from it into this repository, in a pull request`,
    );
  }
  return pass(id, `${SCAFFOLD_WORKFLOWS.join(', ')} are in .github/workflows/`, PRESENT_WHY);
}

/** The pin this rolecall would write: `OWNER/REPO@<its commit> # v<version>`, when it knows its commit. */
export function expectedPin(repository: RepositoryFacts): ActionPin | null {
  const { build } = repository;
  return build.commit ? { ref: `${REPOSITORY}@${build.commit}`, label: `v${build.version}` } : null;
}

/** `workflows.pinned`: every workflow sets rolecall up with one pin: this rolecall's commit. */
export function checkWorkflowsPinned(repository: RepositoryFacts): CheckResult {
  const id = 'workflows.pinned';
  const { build } = repository;
  const lines = present(repository).map(([name, text, template]) => ({
    name,
    pins: rolecallLines(text, template),
  }));
  if (lines.length === 0) {
    return fail(
      id,
      'no workflow to check (see workflows.present)',
      PINNED_WHY,
      'fix workflows.present',
    );
  }
  const unset = lines.filter((l) => l.pins.length === 0).map((l) => l.name);
  if (unset.length > 0) {
    return fail(
      id,
      `${unset.join(', ')} ${unset.length === 1 ? 'does' : 'do'} not set rolecall up with its action (no \`uses:\` line for it)`,
      PINNED_WHY,
      `${scratch()} the file from it`,
    );
  }
  const pins = lines.flatMap((l) => l.pins.map((pin) => ({ name: l.name, pin })));
  const refs = [...new Set(pins.map((p) => p.pin.ref))];
  if (repository.ownRepository) {
    if (refs.length === 1 && refs[0] === './') {
      return pass(
        id,
        "rolecall's own repository: every workflow builds rolecall from this checkout (`uses: ./`)",
        PINNED_WHY,
      );
    }
  }
  const sha = build.commit;
  const wanted = sha ? `${REPOSITORY}@${sha} # v${build.version}` : null;
  const upgrade = wanted
    ? `change the \`uses:\` line of rolecall in every workflow to \`${wanted}\` in one pull request (or run the doctor of the rolecall the workflows pin)`
    : `pin every workflow to one full commit sha of rolecall v${build.version} (\`uses: ${REPOSITORY}@<sha> # v${build.version}\`)`;
  if (refs.length > 1) {
    const byRef = refs.map(
      (ref) =>
        `${ref} (${[...new Set(pins.filter((p) => p.pin.ref === ref).map((p) => p.name))].join(', ')})`,
    );
    return fail(
      id,
      `the workflows pin different rolecalls: ${byRef.join('; ')}`,
      PINNED_WHY,
      upgrade,
    );
  }
  const pin = (pins[0] as { pin: ActionLine }).pin;
  const commit = commitOf(pin.ref);
  if (commit === null) {
    return fail(
      id,
      `pinned to ${pin.ref}: a tag or a branch, which can be moved to other code`,
      PINNED_WHY,
      upgrade,
    );
  }
  const version = versionOf(pin.label);
  if (sha !== null && commit !== sha) {
    return fail(
      id,
      `pinned to ${pin.ref}${pin.label ? ` # ${pin.label}` : ''}; this rolecall is ${sha} (v${build.version})`,
      PINNED_WHY,
      upgrade,
    );
  }
  if (version !== build.version) {
    return fail(
      id,
      `pinned to ${pin.ref} labelled ${pin.label ?? '(no version comment)'}; this rolecall is v${build.version}`,
      PINNED_WHY,
      upgrade,
    );
  }
  const dirty =
    sha !== null && build.dirty ? ' (this build has uncommitted changes on top of it)' : '';
  const which =
    sha === null
      ? `, this rolecall's version (its commit is unknown: built without git, as the action builds it)`
      : `, this rolecall's commit${dirty}`;
  return pass(id, `every workflow pins ${pin.ref} # ${pin.label ?? ''}${which}`, PINNED_WHY);
}

/** `workflows.current`: each workflow is what `rolecall init` writes for its own pin. */
export function checkWorkflowsCurrent(repository: RepositoryFacts): CheckResult {
  const id = 'workflows.current';
  const fallback = expectedPin(repository);
  const diffs: string[] = [];
  const changed: string[] = [];
  if (present(repository).length === 0) {
    return fail(
      id,
      'no workflow to compare (see workflows.present)',
      CURRENT_WHY,
      'fix workflows.present',
    );
  }
  for (const [name, text, template] of present(repository)) {
    const expected = expectedText(name, text, template, repository, fallback);
    const actual = text.replace(/\r\n/g, '\n');
    if (actual === expected) continue;
    changed.push(name);
    diffs.push(diffOf(name, expected, actual));
  }
  if (changed.length === 0) {
    const count = present(repository).length;
    return pass(
      id,
      `${count} workflow${count === 1 ? ' is' : 's are'} exactly what \`rolecall init\` writes for ${count === 1 ? 'its' : 'their'} pin`,
      CURRENT_WHY,
    );
  }
  return {
    ...fail(
      id,
      `${changed.join(', ')} ${changed.length === 1 ? 'differs' : 'differ'} from what \`rolecall init\` writes (diff below: - init, + this repository)`,
      CURRENT_WHY,
      `${scratch(fallback?.ref)} ${changed.map((n) => `.github/workflows/${n}`).join(', ')} from it in a pull request; or keep the change, knowing the doctor keeps reporting it`,
    ),
    diff: diffs.join(''),
  };
}

/** [name, text, template] of each workflow that is there. */
function present(repository: RepositoryFacts): Array<[string, string, string]> {
  return SCAFFOLD_WORKFLOWS.flatMap((name) => {
    const text = repository.workflows[name];
    const template = repository.templates[name];
    return text == null || template === undefined ? [] : [[name, text, template]];
  });
}

/** The file `rolecall init` writes for the pin this file uses (its own, so a pin is reported once). */
function expectedText(
  name: string,
  text: string,
  template: string,
  repository: RepositoryFacts,
  fallback: ActionPin | null,
): string {
  const own = rolecallLines(text, template)[0];
  if (repository.ownRepository && (own === undefined || own.ref === './')) return template;
  const pin: ActionPin =
    own && own.ref !== './'
      ? { ref: own.ref, label: own.label ?? fallback?.label ?? `v${repository.build.version}` }
      : (fallback ?? {
          ref: `${REPOSITORY}@v${repository.build.version}`,
          label: `v${repository.build.version}`,
        });
  const rendered = renderWorkflows(repository.templates, pin).find(
    (file) => file.path === `.github/workflows/${name}`,
  );
  return rendered?.text ?? template;
}

function diffOf(name: string, expected: string, actual: string): string {
  const path = `.github/workflows/${name}`;
  const patch = createTwoFilesPatch(
    `a/${path}`,
    `b/${path}`,
    expected,
    actual,
    'rolecall init',
    'this repository',
    {
      context: 2,
      headerOptions: { includeIndex: false, includeUnderline: false, includeFileHeaders: true },
    },
  );
  const lines = patch.replace(/\n$/, '').split('\n');
  if (lines.length <= DIFF_LINES) return `${lines.join('\n')}\n`;
  return `${lines.slice(0, DIFF_LINES).join('\n')}\n… ${lines.length - DIFF_LINES} more lines of diff for ${name}\n`;
}
