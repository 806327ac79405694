/**
 * `rolecall emulator`: run the embedded FreshBooks emulator on loopback until `until` settles
 * (the command passes SIGINT/SIGTERM). The first line of stdout is always
 * `listening on http://127.0.0.1:PORT` (scripts wait for it). This is the one flow that prints a
 * secret: the sandbox's own credentials, which the user needs and which are worthless outside
 * this process.
 */
import { EXIT } from '../errors.js';
import { formatFaultSpec, startEmulator, type EmulatorOptions } from '../emulator/index.js';
import type { Console } from '../ports.js';

export async function serveEmulator(
  io: Console,
  options: EmulatorOptions,
  until: Promise<unknown>,
): Promise<{ exitCode: number }> {
  const emulator = await startEmulator(options);
  const { url, credentials: c } = emulator;
  io.stdout.write(
    [
      `listening on ${url}`,
      `client id:     ${c.clientId}`,
      `client secret: ${c.clientSecret}`,
      `refresh token: ${c.refreshToken}`,
      '',
      `export FRESHBOOKS_API_URL=${url}`,
      `export FRESHBOOKS_CLIENT_ID=${c.clientId}`,
      `export FRESHBOOKS_CLIENT_SECRET=${c.clientSecret}`,
      `export FRESHBOOKS_REFRESH_TOKEN=${c.refreshToken}`,
      '',
    ].join('\n'),
  );
  const config = emulator.control.config();
  const knobs = [
    config.rate === null ? null : `rate ${config.rate}/s (burst ${config.burst ?? config.rate})`,
    config.latencyMs || config.jitterMs
      ? `latency ${config.latencyMs}ms + 0..${config.jitterMs}ms`
      : null,
    formatFaultSpec(config.faults)
      ? `faults ${formatFaultSpec(config.faults)} (seed ${config.faultSeed})`
      : null,
    config.disabledWrites.length ? `writes off: ${config.disabledWrites.join(', ')}` : null,
  ].filter(Boolean);
  if (knobs.length) io.stderr.write(`knobs: ${knobs.join('; ')}\n`);
  io.stderr.write(
    `control: ${url}/_emulator/ (state, members, requests, config, faults)\nPress Ctrl-C to stop.\n`,
  );
  await until;
  await emulator.close();
  io.stderr.write('emulator stopped\n');
  return { exitCode: EXIT.OK };
}
