import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/**
 * The package root. This file is `src/paths.ts` in development and `dist/paths.js` once built;
 * both sit one level below the root, so the same relative URL works for both.
 */
export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

export function packagePath(...segments: string[]): string {
  return join(PACKAGE_ROOT, ...segments);
}

let cachedVersion: string | undefined;

/** rolecall's own version, from package.json. */
export function toolVersion(): string {
  cachedVersion ??= (
    JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }
  ).version;
  return cachedVersion;
}
