import { chmod, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, relative, isAbsolute } from 'node:path';
import { RolecallError } from '../errors.js';
import type {
  SaveOptions,
  StoredCredentials,
  TokenStore,
  TokenStoreInventory,
  TokenTarget,
} from '../ports.js';
import { registerSecret } from '../redact.js';
import { writeFileAtomic } from '../write-file-atomic.js';
import { sameTarget } from './token-target.js';
import { withFileLock } from './with-file-lock.js';

/** The credentials of one target, as the file keeps them. */
interface Entry extends TokenTarget {
  refreshToken: string;
  accessToken?: string;
  accessTokenExpiresAt?: string;
  envTokenSha256?: string;
  updatedAt: string;
}

/** A version-1 file's credentials: written before targets were recorded, so target unknown. */
type Unclaimed = Omit<StoredCredentials, 'envTokenSha256' | 'unclaimed'>;

/**
 * The on-disk format of `.rolecall/credentials.json`, version 2: one entry per API URL and
 * OAuth client id, so that the sandbox's and production's tokens live side by side and
 * switching between them neither loses nor reuses the other's. `unclaimed` is a version-1
 * file's content, kept until the target it belongs to proves it (FreshBooks accepts it).
 */
interface CredentialsFile {
  version: 2;
  entries: Entry[];
  unclaimed?: Unclaimed;
}

interface Contents {
  entries: Entry[];
  unclaimed: Unclaimed | null;
}

export interface FileTokenStoreOptions {
  /** Paths under it are shown relative to it. */
  cwd?: string;
  /**
   * The API URL and client id this store reads and writes. Without one (no client id is
   * configured) it loads nothing and refuses to save.
   */
  target?: TokenTarget | null;
}

const POSIX = process.platform !== 'win32';

/**
 * The default token store: one JSON file, mode 0600 in a 0700 directory, replaced atomically
 * (writeFileAtomic: temp file in the same directory, fsync, rename, fsync of the directory).
 * After `save` resolves, a crash or power loss leaves either the old or the new file, never a
 * torn one, and the new one survives. A save changes only its target's entry, under a lock
 * file, so that concurrent saves for different targets keep each other's.
 *
 * A version-1 file (one token, no target) is read as an unclaimed entry: `load` offers it to a
 * target that has no entry of its own (the token manager tries it, and FreshBooks accepting it
 * proves whose it is); the first save writes version 2, and drops the unclaimed entry only when
 * the saved token was rotated from it.
 */
export function createFileTokenStore(
  path: string,
  options: FileTokenStoreOptions = {},
): TokenStore {
  const shown = options.cwd && isAbsolute(path) ? displayPath(path, options.cwd) : path;
  const target = options.target ?? null;
  const locked = <T>(fn: () => Promise<T>) => withFileLock(`${path}.lock`, fn, { shown });
  const store: TokenStore = {
    describe: () => `file ${shown}`,

    async load(): Promise<StoredCredentials | null> {
      const contents = await readContents(path, shown, { checkMode: true });
      if (!contents || !target) return null;
      const own = contents.entries.find((entry) => sameTarget(entry, target));
      if (own) return credentialsOf(own);
      return contents.unclaimed ? { ...contents.unclaimed, unclaimed: true } : null;
    },

    async save(credentials: StoredCredentials, saveOptions: SaveOptions = {}): Promise<void> {
      if (!target) {
        throw new RolecallError(
          'NO_CREDENTIALS',
          'no OAuth client id is set (FRESHBOOKS_CLIENT_ID): the token store keeps tokens per API URL and client id',
        );
      }
      await ensurePrivateDir(dirname(path));
      await locked(async () => {
        // The mode is not checked here: the file written below is 0600 whatever it was.
        const current = (await readContents(path, shown, { checkMode: false })) ?? {
          entries: [],
          unclaimed: null,
        };
        await writeContents(path, {
          entries: [
            ...current.entries.filter((entry) => !sameTarget(entry, target)),
            entryOf(target, credentials),
          ],
          unclaimed: saveOptions.claimUnclaimed ? null : current.unclaimed,
        });
      });
    },

    async forget(): Promise<boolean> {
      if (!target) return false;
      const exists = await readContents(path, shown, { checkMode: true });
      if (!exists?.entries.some((entry) => sameTarget(entry, target))) return false;
      return locked(async () => {
        const current = await readContents(path, shown, { checkMode: false });
        if (!current) return false;
        const entries = current.entries.filter((entry) => !sameTarget(entry, target));
        if (entries.length === current.entries.length) return false;
        await writeContents(path, { entries, unclaimed: current.unclaimed });
        return true;
      });
    },

    async inventory(): Promise<TokenStoreInventory> {
      const contents = await readContents(path, shown, { checkMode: true });
      return {
        targets: sorted(contents?.entries ?? []).map(({ apiUrl, clientId }) => ({
          apiUrl,
          clientId,
        })),
        unclaimed: contents?.unclaimed != null,
      };
    },
  };
  return target ? { ...store, target } : store;
}

async function readContents(
  path: string,
  shown: string,
  options: { checkMode: boolean },
): Promise<Contents | null> {
  let text: string;
  try {
    if (POSIX && options.checkMode) {
      const info = await stat(path);
      if ((info.mode & 0o077) !== 0) {
        throw new RolecallError(
          'CREDENTIALS_PERMISSIONS',
          `${shown} is readable by other users (mode ${(info.mode & 0o777).toString(8)}); run \`chmod 600 ${shown}\``,
        );
      }
    }
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return parseCredentialsFile(text, shown);
}

/** Writes the file, or removes it when nothing is left (the last `auth logout`). */
async function writeContents(path: string, contents: Contents): Promise<void> {
  if (contents.entries.length === 0 && !contents.unclaimed) {
    await rm(path, { force: true });
    return;
  }
  const body: CredentialsFile = {
    version: 2,
    entries: sorted(contents.entries),
    ...(contents.unclaimed ? { unclaimed: contents.unclaimed } : {}),
  };
  await writeFileAtomic(path, `${JSON.stringify(body, null, 2)}\n`, {
    mode: 0o600,
    syncDirectory: true,
  });
}

function sorted(entries: Entry[]): Entry[] {
  return [...entries].sort(
    (a, b) => compare(a.apiUrl, b.apiUrl) || compare(a.clientId, b.clientId),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function entryOf(target: TokenTarget, credentials: StoredCredentials): Entry {
  return {
    apiUrl: target.apiUrl,
    clientId: target.clientId,
    refreshToken: credentials.refreshToken,
    ...(credentials.accessToken === undefined ? {} : { accessToken: credentials.accessToken }),
    ...(credentials.accessTokenExpiresAt === undefined
      ? {}
      : { accessTokenExpiresAt: credentials.accessTokenExpiresAt }),
    ...(credentials.envTokenSha256 === undefined
      ? {}
      : { envTokenSha256: credentials.envTokenSha256 }),
    updatedAt: credentials.updatedAt,
  };
}

function credentialsOf(entry: Entry): StoredCredentials {
  const { apiUrl: _url, clientId: _client, ...credentials } = entry;
  return credentials;
}

function parseCredentialsFile(text: string, shown: string): Contents {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new RolecallError(
      'CREDENTIALS_CORRUPT',
      `${shown} is not valid JSON; fix or delete it, then run \`rolecall auth login\``,
    );
  }
  const record = asRecord(raw);
  const version = record['version'];
  if (typeof version === 'number' && version > 2) {
    throw new RolecallError(
      'CREDENTIALS_CORRUPT',
      `${shown} was written by a newer rolecall (format version ${version}); upgrade rolecall`,
    );
  }
  const notOurs = () =>
    new RolecallError(
      'CREDENTIALS_CORRUPT',
      `${shown} is not a rolecall credentials file (version 2 with entries, or version 1 with a refreshToken); fix or delete it, then run \`rolecall auth login\``,
    );
  if (version === 1) {
    const unclaimed = credentialsIn(record);
    if (!unclaimed) throw notOurs();
    return { entries: [], unclaimed };
  }
  const list = record['entries'];
  if (version !== 2 || !Array.isArray(list)) throw notOurs();
  const entries: Entry[] = [];
  for (const item of list) {
    const fields = asRecord(item);
    const credentials = credentialsIn(fields);
    const { apiUrl, clientId, envTokenSha256 } = fields;
    if (
      !credentials ||
      typeof apiUrl !== 'string' ||
      apiUrl === '' ||
      typeof clientId !== 'string' ||
      clientId === ''
    ) {
      throw notOurs();
    }
    const entry: Entry = { apiUrl, clientId, ...credentials };
    if (typeof envTokenSha256 === 'string') entry.envTokenSha256 = envTokenSha256;
    if (entries.some((other) => sameTarget(other, entry))) {
      throw new RolecallError(
        'CREDENTIALS_CORRUPT',
        `${shown} has two entries for ${apiUrl} and client ${clientId}; delete one (or the file), then run \`rolecall auth login\``,
      );
    }
    entries.push(entry);
  }
  const rawUnclaimed = record['unclaimed'];
  let unclaimed: Unclaimed | null = null;
  if (rawUnclaimed !== undefined) {
    unclaimed = credentialsIn(asRecord(rawUnclaimed));
    if (!unclaimed) throw notOurs();
  }
  return { entries, unclaimed };
}

/** The token fields of one entry, registered for redaction before anything is checked. */
function credentialsIn(record: Record<string, unknown>): Unclaimed | null {
  const { refreshToken, accessToken, accessTokenExpiresAt, updatedAt } = record;
  registerSecret(typeof refreshToken === 'string' ? refreshToken : null);
  registerSecret(typeof accessToken === 'string' ? accessToken : null);
  if (typeof refreshToken !== 'string' || refreshToken === '') return null;
  const creds: Unclaimed = {
    refreshToken,
    updatedAt: typeof updatedAt === 'string' ? updatedAt : new Date(0).toISOString(),
  };
  if (typeof accessToken === 'string' && typeof accessTokenExpiresAt === 'string') {
    creds.accessToken = accessToken;
    creds.accessTokenExpiresAt = accessTokenExpiresAt;
  }
  return creds;
}

function asRecord(value: unknown): Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {}
  ) as Record<string, unknown>;
}

async function ensurePrivateDir(dir: string): Promise<void> {
  const created = await mkdir(dir, { recursive: true, mode: 0o700 });
  // `mkdir` applies the umask; make the directory we created exactly 0700. A directory that
  // already existed is the user's: leave its mode alone.
  if (created !== undefined && POSIX) await chmod(dir, 0o700);
}

function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
