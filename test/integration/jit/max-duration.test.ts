/**
 * `rules.maxDuration` against the commit that set `expires`: on creation and on extension (an
 * extension is an edit of the date, measured from the commit of that edit), with commits made
 * at chosen dates in a real repository, read through the same pipeline `plan` uses.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadPolicies } from '../../../src/flows/context.js';
import { RolecallError } from '../../../src/errors.js';
import { bufferIo } from '../../support/buffer-io.js';
import { ACME_POLICY, createWorld, POLICY_FILE, rolecall, type World } from './jit-harness.js';

const DAY = 86_400_000;
const T0 = new Date('2026-01-05T10:00:00Z');
const at = (days: number) => new Date(T0.getTime() + days * DAY);
const iso = (date: Date) => date.toISOString().replace('.000Z', 'Z');

const withTemp = (expires: string) =>
  `${ACME_POLICY}\n  - email: temp@contractors.example\n    role: contractor\n    expires: ${expires}\n    reason: Audit\n`;

let world: World | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

async function check(now: Date): Promise<{ ok: boolean; err: string }> {
  const io = bufferIo({ cwd: (world as World).repo.dir });
  try {
    await loadPolicies(io, { dir: 'policies', now, grantTimesFromGit: true });
    return { ok: true, err: io.err() };
  } catch (error) {
    expect(error).toBeInstanceOf(RolecallError);
    return { ok: false, err: io.err() };
  }
}

describe('maxDuration (contractor: 180d) measured from the commit that set expires', () => {
  it('on creation: 190 days after the commit is refused even when it is under 180 days from now', async () => {
    world = await createWorld({ [POLICY_FILE]: withTemp(iso(at(190))) }, iso(T0));
    const result = await check(at(30));
    expect(result.ok).toBe(false);
    expect(result.err).toMatch(
      /policies\/acme-books\.yaml:\d+:14: error EXPIRY_TOO_LONG temp@contractors\.example: expires 2026-07-14 10:00 UTC, 190d after the commit that set it \(2026-01-05 10:00 UTC\); rules\.maxDuration allows "contractor" at most 180d/,
    );
  });

  it('on creation: 170 days after the commit is accepted', async () => {
    world = await createWorld({ [POLICY_FILE]: withTemp(iso(at(170))) }, iso(T0));
    expect(await check(at(30))).toEqual({ ok: true, err: '' });
  });

  it('on extension: measured from the commit of the extension, not from the first grant', async () => {
    world = await createWorld({ [POLICY_FILE]: withTemp(iso(at(170))) }, iso(T0));
    // 100 days later the grant is extended to 170 days after the extension: 270 after creation.
    await world.repo.commit({
      files: { [POLICY_FILE]: withTemp(iso(at(270))) },
      message: 'Extend temp',
      date: iso(at(100)),
    });
    expect(await check(at(110))).toEqual({ ok: true, err: '' });
  });

  it('on extension: 190 days after the extension commit is refused, though 170 from now', async () => {
    world = await createWorld({ [POLICY_FILE]: withTemp(iso(at(170))) }, iso(T0));
    await world.repo.commit({
      files: { [POLICY_FILE]: withTemp(iso(at(290))) },
      message: 'Extend temp too far',
      date: iso(at(100)),
    });
    const result = await check(at(120));
    expect(result.ok).toBe(false);
    expect(result.err).toMatch(
      /error EXPIRY_TOO_LONG temp@contractors\.example: expires .*, 190d after the commit that set it \(2026-04-15 10:00 UTC\)/,
    );
  });

  it('a request that extends to exactly 180 days passes again once merged (its commit is at request time)', async () => {
    world = await createWorld({ [POLICY_FILE]: withTemp(iso(at(170))) }, iso(T0));
    await world.repo.git.raw(['config', 'user.name', 'Requester']);
    const now = at(100);
    const env = { ROLECALL_NOW: iso(now) };
    const opts = { cwd: world.repo.dir, env };
    // Over the limit from now: refused before git.
    const refused = await rolecall(
      [
        'request',
        '--business',
        '240340',
        '--email',
        'temp@contractors.example',
        '--role',
        'contractor',
        '--for',
        '181d',
        '--reason',
        'Audit',
        '--dry-run',
      ],
      opts,
    );
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/EXPIRY_TOO_LONG .*181d from now/);
    // Exactly the limit: accepted; commit it as `request` does (dry run shows the edit).
    const dry = await rolecall(
      [
        'request',
        '--business',
        '240340',
        '--email',
        'temp@contractors.example',
        '--role',
        'contractor',
        '--for',
        '180d',
        '--reason',
        'Audit',
        '--dry-run',
      ],
      opts,
    );
    expect(dry.code).toBe(0);
    expect(dry.out).toContain(`-    expires: ${iso(at(170))}\n+    expires: ${iso(at(280))}\n`);
    await world.repo.commit({
      files: { [POLICY_FILE]: withTemp(iso(at(280))) },
      message: 'rolecall: extend temp',
      date: iso(now),
    });
    await world.repo.commit({ message: 'Later work', allowEmpty: true, date: iso(at(150)) });
    expect(await check(at(150))).toEqual({ ok: true, err: '' });
  });
});
