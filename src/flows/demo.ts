/**
 * `rolecall demo` (what `npm start` runs): rolecall end to end against its embedded FreshBooks
 * sandbox, with a short explanation at each step — plan, apply, plan again (empty), then a
 * change the API cannot make, which becomes a manual task.
 *
 * Isolation: the emulator runs in this process on 127.0.0.1 with its default seed; the
 * connection's environment is built here from the emulator's own credentials (nothing is read
 * from the user's FRESHBOOKS_* variables); the token store, journal and audit log live in a
 * temporary directory that is removed at the end (the user's .rolecall/ is never touched). The
 * sandbox's secrets are registered for redaction and never printed.
 */
import { EXIT } from '../errors.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { yesGate } from '../apply/approval-gates.js';
import { runApply } from '../apply/run-apply.js';
import { startEmulator, type RunningEmulator } from '../emulator/index.js';
import type { FreshBooksConnection } from '../freshbooks/connect.js';
import { PACKAGE_ROOT } from '../paths.js';
import { renderPlanText } from '../plan/render-text.js';
import { redact, registerSecret } from '../redact.js';
import type { Plan } from '../types.js';
import type { Console } from '../ports.js';
import { colorEnabled } from '../console.js';
import { openFreshBooks } from './context.js';
import { makePlan } from './plan/make-plan.js';

const ACME = 240340;
const POLICIES = 'policies';

export interface DemoOptions {
  now: Date;
}

export interface DemoOutcome {
  exitCode: number;
}

export async function runDemo(io: Console, options: DemoOptions): Promise<DemoOutcome> {
  const now = options.now;
  const temp = await mkdtemp(join(tmpdir(), 'rolecall-demo-'));
  let emulator: RunningEmulator | undefined;
  let connection: FreshBooksConnection | undefined;
  try {
    emulator = await startEmulator({ port: 0 });
    const { credentials } = emulator;
    registerSecret(credentials.clientSecret);
    registerSecret(credentials.refreshToken);
    const env: Record<string, string> = {
      FRESHBOOKS_API_URL: emulator.url,
      FRESHBOOKS_CLIENT_ID: credentials.clientId,
      FRESHBOOKS_CLIENT_SECRET: credentials.clientSecret,
      FRESHBOOKS_REFRESH_TOKEN: credentials.refreshToken,
    };
    connection = await openFreshBooks(
      { stdout: io.stdout, stderr: io.stderr, env, cwd: temp },
      {
        tokenStore: `file:${join(temp, 'credentials.json')}`,
        // The sandbox has no rate limit; FreshBooks' own budget is for the real API.
        rate: 200,
        burst: 50,
      },
    );
    // The policies are the package's own example, shown as `policies/acme-books.yaml`.
    const sandboxIo: Console = { stdout: io.stdout, stderr: io.stderr, env, cwd: PACKAGE_ROOT };
    const say = (text: string) => io.stdout.write(redact(text));
    const color = colorEnabled(io);
    const heading = (text: string) =>
      say(`\n${color ? `\u001b[1m${text}\u001b[22m` : text}\n${'─'.repeat(text.length)}\n`);
    const plan = async () => {
      const made = await makePlan(sandboxIo, {
        policiesDir: POLICIES,
        now,
        reader: connection as FreshBooksConnection,
        grantTimesFromGit: false,
      });
      say(renderPlanText(made.plan, { color }));
      return made;
    };
    const apply = (made: { plan: Plan; desired: Parameters<typeof runApply>[0]['desired'] }) =>
      runApply({
        plan: made.plan,
        desired: made.desired,
        connection: connection as FreshBooksConnection,
        gate: yesGate({}),
        // Its per-operation progress (stderr) repeats the report it prints: keep the story short.
        io: { ...sandboxIo, stderr: { write: () => true } },
        stateDir: join(temp, 'state'),
        actor: 'rolecall demo',
        ...(io.env['ROLECALL_NOW'] ? { clock: { now: () => now } } : {}),
      });

    say(
      [
        'rolecall demo — FreshBooks access as code, end to end, in a sandbox',
        '',
        `Nothing here touches the real FreshBooks. rolecall started its embedded FreshBooks`,
        `emulator on ${emulator.url}, seeded with "Acme Books Inc." (business ${ACME}), whose team`,
        'has drifted from its policy on purpose. Everything the demo writes (credentials, journal,',
        'audit log) goes to a temporary directory, removed at the end.',
        '',
      ].join('\n'),
    );
    heading('1. The policy');
    say(
      [
        'policies/acme-books.yaml is the desired team, in git: 13 people, each with a role and a',
        'reason; the owner (olivia@acme.example) is protected; rules guard against mistakes (at',
        'least 2 admins, at most 5 revokes at once, contractors only with an expiry date).',
        'mode: authoritative means anyone in FreshBooks the policy does not list is removed.',
        '',
      ].join('\n'),
    );

    heading('2. rolecall plan — what would change (nothing is written yet)');
    const first = await plan();
    say(
      [
        '',
        'How to read it:',
        '  + grant    invite someone the policy lists but FreshBooks lacks (or re-invite a deactivated member)',
        '  ~ change   give a member the role the policy names (upgrade or downgrade)',
        '  - revoke   remove someone the policy does not list (authoritative mode)',
        '  ? unmanaged  reported, never touched: here a role rolecall does not know',
        '  Guards     safety checks that must all pass before anything can be applied',
        'Grants and changes end with the policy line behind them. Saved with --out, this plan is',
        'exactly what apply executes: if FreshBooks changes in between, apply refuses the stale plan.',
        '',
      ].join('\n'),
    );

    heading('3. rolecall apply — make it so');
    say(
      [
        'On a real team this plan is commented on a pull request, reviewed and approved; merging',
        'applies it. The demo approves it for you and applies it to the sandbox, in a safe order',
        '(grants and upgrades first, removals last), journaled so an interrupted run resumes. The',
        'journal and the audit log below are in the demo’s temporary directory:',
        '',
        '',
      ].join('\n'),
    );
    await apply(first);

    heading('4. rolecall plan, again');
    say('FreshBooks now matches the policy, so the plan is empty:\n\n');
    await plan();

    heading('5. When the API cannot do it: a manual task');
    emulator.control.addMember(ACME, {
      email: 'mallory@acme.example',
      role: 'manager',
      first_name: 'Mallory',
      last_name: 'Moss',
    });
    emulator.control.configure({ disabledWrites: ['remove'] });
    say(
      [
        'Someone adds mallory@acme.example as a manager directly in FreshBooks, behind the',
        'policy’s back — and this FreshBooks app may not remove team members through the API (the',
        'sandbox now refuses removals). The plan catches the drift:',
        '',
        '',
      ].join('\n'),
    );
    const drift = await plan();
    say(
      '\nApplying it cannot remove Mallory, so rolecall says so and lists a task for a human:\n\n',
    );
    const manual = await apply(drift);
    const mallory = emulator.control.member(ACME, 'mallory@acme.example');
    if (mallory !== null) {
      emulator.control.updateMember(ACME, mallory.uuid, { state: 'deactivated' });
    }
    say(
      [
        '',
        `(apply exited ${manual.exitCode}: partly done.) An admin removes Mallory in FreshBooks by hand`,
        '(simulated here), and the next plan confirms the task is done:',
        '',
        '',
      ].join('\n'),
    );
    await plan();

    heading('What next');
    say(
      [
        'Run the same commands yourself against the sandbox (in this checkout, `rolecall` is',
        '`node dist/cli/main.js`; installed, it is `npx rolecall`):',
        '  rolecall emulator               # terminal 1: the sandbox; prints `export …` lines',
        '  rolecall validate               # terminal 2, after pasting them: check policies/',
        '  rolecall plan --out plan.json   # what would change, saved for apply',
        '  rolecall apply plan.json        # shows the plan, asks for "yes", applies exactly it',
        'Then edit policies/acme-books.yaml (add someone, change a role) and plan again.',
        'For your own business: `rolecall auth login`, then `rolecall init` writes an access',
        'repository (your businesses imported, the GitHub workflows pinned, CODEOWNERS) — see',
        'README.md, "Use it for real".',
        '',
      ].join('\n'),
    );
    return { exitCode: EXIT.OK };
  } finally {
    await connection?.close();
    await emulator?.close();
    await rm(temp, { recursive: true, force: true });
  }
}
