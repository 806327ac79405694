import { chmod, mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, relative, isAbsolute } from 'node:path';
import { RolecallError } from '../errors.js';
import type { StoredCredentials, TokenStore } from '../ports.js';
import { registerSecret } from '../redact.js';
import { writeFileAtomic } from '../write-file-atomic.js';

/** The on-disk format of `.rolecall/credentials.json`. */
interface CredentialsFile {
  version: 1;
  refreshToken: string;
  accessToken?: string;
  accessTokenExpiresAt?: string;
  updatedAt: string;
}

const POSIX = process.platform !== 'win32';

/**
 * The default token store: one JSON file, mode 0600 in a 0700 directory, replaced atomically
 * (writeFileAtomic: temp file in the same directory, fsync, rename, fsync of the directory).
 * After `save` resolves, a crash or power loss leaves either the old or the new file, never a
 * torn one, and the new one survives.
 */
export function createFileTokenStore(path: string, options: { cwd?: string } = {}): TokenStore {
  const shown = options.cwd && isAbsolute(path) ? displayPath(path, options.cwd) : path;
  return {
    describe: () => `file ${shown}`,

    async load(): Promise<StoredCredentials | null> {
      let text: string;
      try {
        if (POSIX) {
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
    },

    async save(credentials: StoredCredentials): Promise<void> {
      const dir = dirname(path);
      await ensurePrivateDir(dir);
      const body: CredentialsFile = {
        version: 1,
        refreshToken: credentials.refreshToken,
        ...(credentials.accessToken === undefined ? {} : { accessToken: credentials.accessToken }),
        ...(credentials.accessTokenExpiresAt === undefined
          ? {}
          : { accessTokenExpiresAt: credentials.accessTokenExpiresAt }),
        updatedAt: credentials.updatedAt,
      };
      await writeFileAtomic(path, `${JSON.stringify(body, null, 2)}\n`, {
        mode: 0o600,
        syncDirectory: true,
      });
    },
  };
}

function parseCredentialsFile(text: string, shown: string): StoredCredentials {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new RolecallError(
      'CREDENTIALS_CORRUPT',
      `${shown} is not valid JSON; run \`rolecall auth login\``,
    );
  }
  const record = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const { refreshToken, accessToken, accessTokenExpiresAt, updatedAt } = record;
  registerSecret(typeof refreshToken === 'string' ? refreshToken : null);
  registerSecret(typeof accessToken === 'string' ? accessToken : null);
  if (record['version'] !== 1 || typeof refreshToken !== 'string' || refreshToken === '') {
    throw new RolecallError(
      'CREDENTIALS_CORRUPT',
      `${shown} is not a rolecall credentials file (version 1 with a refreshToken); run \`rolecall auth login\``,
    );
  }
  const creds: StoredCredentials = {
    refreshToken,
    updatedAt: typeof updatedAt === 'string' ? updatedAt : new Date(0).toISOString(),
  };
  if (typeof accessToken === 'string' && typeof accessTokenExpiresAt === 'string') {
    creds.accessToken = accessToken;
    creds.accessTokenExpiresAt = accessTokenExpiresAt;
  }
  return creds;
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
