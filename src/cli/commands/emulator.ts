/**
 * `rolecall emulator`: run the embedded FreshBooks emulator on loopback until SIGINT/SIGTERM.
 * The first line of stdout is always `listening on http://127.0.0.1:PORT` (scripts wait for
 * it). This is the one command that prints a secret: the sandbox's own credentials, which the
 * user needs and which are worthless outside this process.
 */
import { resolve } from 'node:path';
import { UsageError, EXIT } from '../../errors.js';
import { redact } from '../../redact.js';
import { integerOption, parseCommandArgs } from '../args.js';
import type { Console } from '../../ports.js';
import {
  WRITE_OPERATIONS,
  parseFaultSpec,
  type EmulatorOptions,
  type RequestLogEntry,
  type WriteOperation,
} from '../../emulator/index.js';
import { serveEmulator } from '../../flows/emulator.js';

const HELP = `Usage: rolecall emulator [options]

Runs the embedded FreshBooks emulator (the sandbox) on 127.0.0.1 until Ctrl-C.

Options:
  --port N                  port to listen on (default 0: a free port)
  --seed FILE               JSON seed file (default: the shipped Acme Books seed)
  --rate R                  requests/second per OAuth client (token bucket; default unlimited)
  --burst N                 token bucket size (default: the rate)
  --latency MS              base latency per request
  --jitter MS               extra random latency, 0..MS (seeded by --fault-seed)
  --faults SPEC             fault rates, e.g. 429=0.1,500=0.05,502=0.02,503=0.02,reset=0.02,
                            slow=0.01,expire=0.01,500-after=0.01,reset-after=0.01
  --fault-seed N            seed of the fault sequence (default 1)
  --slow-ms MS              how late a "slow" fault answers (default 3000)
  --fault-token-endpoint    let random faults hit the OAuth token endpoint too
  --disable-writes LIST     answer 404 on these writes: invite,changeRole,remove
  --token-ttl SECONDS       access token lifetime (default 43200)
  --token-max-requests N    an access token dies after N API requests
  --verbose                 print one line per request on stderr
  -h, --help                show this help
`;

function numberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(value))
    throw new UsageError(`--${name} must be a number, got "${value}"`);
  return Number(value);
}

function writesOption(value: string | undefined): WriteOperation[] | undefined {
  if (value === undefined) return undefined;
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of items) {
    if (!(WRITE_OPERATIONS as readonly string[]).includes(item)) {
      throw new UsageError(
        `--disable-writes: unknown write "${item}" (use ${WRITE_OPERATIONS.join(', ')})`,
      );
    }
  }
  return items as WriteOperation[];
}

/** Until a signal (or, in tests, `until`) says stop. */
function stopSignal(): { promise: Promise<void>; dispose: () => void } {
  let done: () => void = () => {};
  const promise = new Promise<void>((res) => (done = res));
  process.once('SIGINT', done);
  process.once('SIGTERM', done);
  return {
    promise,
    dispose: () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
    },
  };
}

export async function run(
  args: string[],
  io: Console,
  control: { until?: Promise<unknown> } = {},
): Promise<number> {
  const { values } = parseCommandArgs(args, {
    port: { type: 'string' },
    seed: { type: 'string' },
    rate: { type: 'string' },
    burst: { type: 'string' },
    latency: { type: 'string' },
    jitter: { type: 'string' },
    faults: { type: 'string' },
    'fault-seed': { type: 'string' },
    'slow-ms': { type: 'string' },
    'fault-token-endpoint': { type: 'boolean' },
    'disable-writes': { type: 'string' },
    'token-ttl': { type: 'string' },
    'token-max-requests': { type: 'string' },
    verbose: { type: 'boolean' },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.OK;
  }
  const options: EmulatorOptions = {};
  const set = <K extends keyof EmulatorOptions>(key: K, value: EmulatorOptions[K] | undefined) => {
    if (value !== undefined) options[key] = value;
  };
  const port = integerOption('port', values.port);
  if (port !== undefined && port > 65535)
    throw new UsageError(`--port must be 0–65535, got ${port}`);
  set('port', port);
  set('seed', values.seed === undefined ? undefined : resolve(io.cwd, values.seed));
  set('rate', numberOption('rate', values.rate));
  set('burst', integerOption('burst', values.burst));
  set('latencyMs', numberOption('latency', values.latency));
  set('jitterMs', numberOption('jitter', values.jitter));
  if (values.faults !== undefined) {
    try {
      set('faults', parseFaultSpec(values.faults));
    } catch (error) {
      throw new UsageError(`--faults: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  set('faultSeed', integerOption('fault-seed', values['fault-seed']));
  set('slowMs', numberOption('slow-ms', values['slow-ms']));
  if (values['fault-token-endpoint']) options.faultTokenEndpoint = true;
  set('disabledWrites', writesOption(values['disable-writes']));
  set('accessTokenTtlSeconds', integerOption('token-ttl', values['token-ttl']));
  set('accessTokenMaxRequests', integerOption('token-max-requests', values['token-max-requests']));
  if (values.verbose) {
    options.onRequest = (e: RequestLogEntry) => {
      const fault = e.fault ? ` (fault ${e.fault})` : '';
      io.stderr.write(
        redact(`${e.method} ${e.path} → ${e.status === 0 ? 'reset' : e.status}${fault}\n`),
      );
    };
  }

  const stop = control.until ? { promise: control.until, dispose: () => {} } : stopSignal();
  try {
    return (await serveEmulator(io, options, stop.promise)).exitCode;
  } finally {
    stop.dispose();
  }
}
