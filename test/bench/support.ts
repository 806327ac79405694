/** Small pieces every benchmark shares: credentials in memory, a silent Console, timing. */
import type { Console } from '../../src/ports.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import type { StoredCredentials, TokenStore } from '../../src/ports.js';

/** A token store that lives in memory: the benchmarks never touch a credentials file. */
export function memoryTokenStore(): TokenStore {
  let saved: StoredCredentials | null = null;
  return {
    describe: () => 'memory (benchmark)',
    load: () => Promise.resolve(saved),
    save: (credentials) => {
      saved = { ...credentials };
      return Promise.resolve();
    },
  };
}

/** What `rolecall` reads to talk to this emulator. */
export function emulatorEnv(emulator: RunningEmulator): Record<string, string> {
  return {
    FRESHBOOKS_API_URL: emulator.url,
    FRESHBOOKS_CLIENT_ID: emulator.credentials.clientId,
    FRESHBOOKS_CLIENT_SECRET: emulator.credentials.clientSecret,
    FRESHBOOKS_REFRESH_TOKEN: emulator.credentials.refreshToken,
  };
}

/** A Console that keeps what a command prints (for a failure message) and shows nothing. */
export function quietIo(
  cwd: string,
  env: Record<string, string | undefined>,
): Console & {
  output(): string;
} {
  let text = '';
  const sink = { write: (chunk: string) => (text += chunk), isTTY: false };
  return { stdout: sink, stderr: sink, env, cwd, output: () => text };
}

export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

/** Requests the emulator answered on FreshBooks API routes, and on the OAuth token route. */
export function countRequests(emulator: RunningEmulator): {
  total: number;
  api: number;
  token: number;
  byStatus: Record<string, number>;
  byRoute: Record<string, number>;
} {
  const stats = emulator.control.requests();
  let token = 0;
  const byStatus: Record<string, number> = {};
  const byRoute: Record<string, number> = {};
  for (const [route, statuses] of Object.entries(stats.byRoute)) {
    for (const [status, n] of Object.entries(statuses)) {
      byStatus[status] = (byStatus[status] ?? 0) + n;
      byRoute[route] = (byRoute[route] ?? 0) + n;
      if (route.startsWith('POST /auth/oauth/')) token += n;
    }
  }
  return { total: stats.total, api: stats.total - token, token, byStatus, byRoute };
}

export function progress(message: string): void {
  process.stderr.write(`  … ${message}\n`);
}
