/**
 * The workflow checks: present, pinned to this rolecall's commit (or, built without git, its
 * version), and byte for byte what `rolecall init` writes for their pin.
 */
import { describe, expect, it } from 'vitest';
import { evaluateDoctor, type CheckResult } from '../../../src/doctor/index.js';
import { COMMIT, facts, PIN, TEMPLATES } from './builders.js';

const ids = ['workflows.present', 'workflows.pinned', 'workflows.current'];

function workflowChecks(edit: (f: ReturnType<typeof facts>) => void): CheckResult[] {
  const f = facts();
  edit(f);
  return evaluateDoctor(f).filter((r) => ids.includes(r.id));
}

function repin(text: string, ref: string, label: string): string {
  return text.replaceAll(`- uses: ${PIN.ref} # ${PIN.label}`, `- uses: ${ref} # ${label}`);
}

describe('workflows', () => {
  it('as init writes them: all three pass', () => {
    expect(workflowChecks(() => {}).map((r) => r.status)).toEqual(['pass', 'pass', 'pass']);
  });

  it('built without git (as the action builds it): the version must match', () => {
    const [, pinned] = workflowChecks((f) => (f.repository.build.commit = null));
    expect(pinned).toMatchObject({
      status: 'pass',
      found: `every workflow pins ${PIN.ref} # v0.1.0, this rolecall's version (its commit is unknown: built without git, as the action builds it)`,
    });
    const [, other] = workflowChecks((f) => {
      f.repository.build.commit = null;
      f.repository.build.version = '0.2.0';
    });
    expect(other).toMatchObject({
      status: 'fail',
      found: `pinned to ${PIN.ref} labelled v0.1.0; this rolecall is v0.2.0`,
    });
  });

  it('a tag, or two different pins: pinned fails, and current still compares each file with its own pin', () => {
    const tag = workflowChecks((f) => {
      for (const name of Object.keys(f.repository.workflows)) {
        f.repository.workflows[name] = repin(
          f.repository.workflows[name] as string,
          'rolecall-dev/rolecall@v0.1.0',
          'v0.1.0',
        );
      }
    });
    expect(tag.map((r) => r.status)).toEqual(['pass', 'fail', 'pass']);
    expect(tag[1]?.found).toBe(
      'pinned to rolecall-dev/rolecall@v0.1.0: a tag or a branch, which can be moved to other code',
    );
    const mixed = workflowChecks((f) => {
      f.repository.workflows['plan.yml'] = repin(
        f.repository.workflows['plan.yml'] as string,
        `rolecall-dev/rolecall@${'d'.repeat(40)}`,
        'v0.1.0',
      );
    });
    expect(mixed[1]?.found).toBe(
      `the workflows pin different rolecalls: rolecall-dev/rolecall@${'d'.repeat(40)} (plan.yml); ${PIN.ref} (apply.yml, drift.yml, expire.yml, review.yml, doctor.yml, request.yml)`,
    );
    expect(mixed[1]?.fix).toBe(
      `change the \`uses:\` line of rolecall in every workflow to \`rolecall-dev/rolecall@${COMMIT} # v0.1.0\` in one pull request (or run the doctor of the rolecall the workflows pin)`,
    );
  });

  it('a workflow that does not use the action at all', () => {
    const [, pinned, current] = workflowChecks((f) => {
      f.repository.workflows['apply.yml'] = (f.repository.workflows['apply.yml'] as string).replace(
        /^\s*- uses: rolecall-dev.*$/m,
        '      - run: npx rolecall@latest --version',
      );
    });
    expect(pinned?.found).toBe(
      'apply.yml does not set rolecall up with its action (no `uses:` line for it)',
    );
    expect(current?.status).toBe('fail');
    expect(current?.diff).toContain('+      - run: npx rolecall@latest --version\n');
  });

  it('line endings do not count; a changed third-party pin does', () => {
    const crlf = workflowChecks((f) => {
      f.repository.workflows['review.yml'] = (
        f.repository.workflows['review.yml'] as string
      ).replace(/\n/g, '\r\n');
    });
    expect(crlf.map((r) => r.status)).toEqual(['pass', 'pass', 'pass']);
    const checkout = workflowChecks((f) => {
      f.repository.workflows['drift.yml'] = (f.repository.workflows['drift.yml'] as string).replace(
        'actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8',
        `actions/checkout@${'e'.repeat(40)}`,
      );
    });
    expect(checkout.map((r) => r.status)).toEqual(['pass', 'pass', 'fail']);
  });

  it("rolecall's own repository: `uses: ./`, the files are rolecall's own", () => {
    const own = workflowChecks((f) => {
      f.repository.ownRepository = true;
      f.repository.workflows = { ...TEMPLATES };
    });
    expect(own.map((r) => [r.status, r.found])).toEqual([
      [
        'pass',
        'plan.yml, apply.yml, drift.yml, expire.yml, review.yml, doctor.yml, request.yml are in .github/workflows/',
      ],
      [
        'pass',
        "rolecall's own repository: every workflow builds rolecall from this checkout (`uses: ./`)",
      ],
      ['pass', '7 workflows are exactly what `rolecall init` writes for their pin'],
    ]);
  });
});
