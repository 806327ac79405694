/**
 * Reading `.rolecall/credentials.json` (format version 2) the way a test needs: the entry of
 * one target, every token the file holds.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface FileEntry {
  apiUrl: string;
  clientId: string;
  refreshToken: string;
  accessToken?: string;
  accessTokenExpiresAt?: string;
  envTokenSha256?: string;
  updatedAt: string;
}

export interface CredentialsFileV2 {
  version: 2;
  entries: FileEntry[];
  unclaimed?: { refreshToken: string; accessToken?: string };
}

export async function readCredentialsFile(
  cwd: string,
  path = join('.rolecall', 'credentials.json'),
): Promise<CredentialsFileV2> {
  return JSON.parse(await readFile(join(cwd, path), 'utf8')) as CredentialsFileV2;
}

/** The entry for one API URL and client id; throws when there is none. */
export async function entryFor(
  cwd: string,
  target: { apiUrl: string; clientId: string },
): Promise<FileEntry> {
  const file = await readCredentialsFile(cwd);
  const entry = file.entries.find(
    (e) => e.apiUrl === target.apiUrl && e.clientId === target.clientId,
  );
  if (!entry) throw new Error(`no entry for ${target.apiUrl} ${target.clientId}`);
  return entry;
}

/** Every refresh and access token in a credentials file's text (any version). */
export function tokensIn(text: string): string[] {
  const file = JSON.parse(text) as Partial<CredentialsFileV2> & Record<string, unknown>;
  const records: Array<Record<string, unknown>> = [
    file,
    ...(file.entries ?? []),
    ...(file.unclaimed ? [file.unclaimed] : []),
  ] as Array<Record<string, unknown>>;
  return records.flatMap((r) =>
    ['refreshToken', 'accessToken'].flatMap((key) =>
      typeof r[key] === 'string' ? [r[key] as string] : [],
    ),
  );
}
