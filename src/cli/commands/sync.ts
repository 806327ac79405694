import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { RolecallError, UsageError } from '../../errors.js';
import { connectFreshBooks } from '../../freshbooks/connect.js';
import { streamLogger } from '../../freshbooks/logger.js';
import { serializeLiveState } from '../../sync/live-state-file.js';
import { renderSyncSummary } from '../../sync/render-sync-summary.js';
import { syncLiveState } from '../../sync/sync-live-state.js';
import { formatDiagnostic, loadDesiredState } from '../../policy/load-desired-state.js';
import { businessIdOption, parseCommandArgs, rateOption } from '../args.js';
import { nowFrom } from '../../flows/clock.js';
import type { Console } from '../../ports.js';

const HELP = `Usage: rolecall sync [options]

Reads live FreshBooks (the businesses the policies name, or --business) into a LiveState
snapshot: members, roles, states and fingerprints.

Options:
  --policies DIR       policy directory (default: policies)
  --business ID        a business id to read; repeatable; replaces the policies' list
  --out FILE           write the LiveState JSON to FILE (for plan/drift --live FILE)
  --json               print the LiveState JSON on stdout instead of the summary
  --token-store SPEC   file:PATH (default file:.rolecall/credentials.json) or
                       github-secret:NAME[@environment]
  --rate N             requests per second for this run (default 4)
  --verbose            log every FreshBooks request (redacted) on stderr
  -h, --help           this help

Environment: FRESHBOOKS_CLIENT_ID, FRESHBOOKS_CLIENT_SECRET, FRESHBOOKS_REFRESH_TOKEN
(until the token store holds one), FRESHBOOKS_API_URL (default https://api.freshbooks.com).
`;

export async function run(args: string[], io: Console): Promise<number> {
  const { values } = parseCommandArgs(args, {
    policies: { type: 'string' },
    business: { type: 'string', multiple: true },
    out: { type: 'string' },
    json: { type: 'boolean' },
    'token-store': { type: 'string' },
    rate: { type: 'string' },
    verbose: { type: 'boolean' },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const rate = rateOption(values.rate);
  const now = nowFrom(io.env);
  const businessIds =
    values.business && values.business.length > 0
      ? values.business.map(businessIdOption)
      : await policyBusinessIds(values.policies ?? 'policies', io, now);
  if (businessIds === null) return 1;
  if (businessIds.length === 0) {
    throw new UsageError('the policies name no business; pass --business ID');
  }

  const connection = await connectFreshBooks({
    env: io.env,
    cwd: io.cwd,
    ...(values['token-store'] === undefined ? {} : { tokenStore: values['token-store'] }),
    ...(rate === undefined ? {} : { rate }),
    ...(values.verbose ? { logger: streamLogger(io.stderr) } : {}),
  });
  const progress = progressReporter(io);
  let state;
  try {
    progress.start(businessIds.length);
    state = await syncLiveState(connection, businessIds, {
      now,
      onBusiness: (business, done, total) =>
        progress.step(
          `${business.businessId} ${business.name}: ${business.members.length} members`,
          done,
          total,
        ),
    });
  } finally {
    progress.end();
    await connection.close();
  }
  const text = serializeLiveState(state);
  if (values.out !== undefined) await writeAtomically(resolve(io.cwd, values.out), text);
  if (values.json) {
    io.stdout.write(text);
  } else {
    io.stdout.write(renderSyncSummary(state, { tokenRequests: connection.stats().tokenRequests }));
    if (values.out !== undefined) io.stdout.write(`wrote ${values.out}\n`);
  }
  return 0;
}

/** The businesses the policies name; `null` after printing policy errors. */
async function policyBusinessIds(dir: string, io: Console, now: Date): Promise<number[] | null> {
  const result = await loadDesiredState(dir, { now, cwd: io.cwd });
  if (result.errors.length > 0 || !result.value) {
    for (const d of result.errors) io.stderr.write(`${formatDiagnostic(d)}\n`);
    io.stderr.write(`rolecall: the policies in ${dir} have errors (run \`rolecall validate\`)\n`);
    return null;
  }
  return result.value.businesses.map((b) => b.businessId);
}

/** A self-rewriting line on a terminal; plain lines otherwise (CI logs). */
function progressReporter(io: Console) {
  const tty = Boolean(io.stderr.isTTY);
  let shown = false;
  return {
    start(total: number): void {
      if (tty) {
        io.stderr.write(
          `\rreading ${total} business${total === 1 ? '' : 'es'} from FreshBooks…\x1b[K`,
        );
        shown = true;
      }
    },
    step(line: string, done: number, total: number): void {
      if (tty) {
        io.stderr.write(`\r[${done}/${total}] ${line}\x1b[K`);
        shown = true;
      } else {
        io.stderr.write(`synced ${line}\n`);
      }
    },
    end(): void {
      if (tty && shown) io.stderr.write('\r\x1b[K');
    },
  };
}

/** Temp file + rename: a reader never sees half a snapshot. */
async function writeAtomically(path: string, text: string): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.${process.pid}.tmp`;
    await writeFile(temp, text, 'utf8');
    await rename(temp, path);
  } catch (error) {
    throw new RolecallError('WRITE_FAILED', `cannot write ${path}: ${(error as Error).message}`);
  }
}
