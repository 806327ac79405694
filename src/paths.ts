import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root: the nearest directory above this file that holds rolecall's package.json.
 * This file is `src/paths.ts` in development, `dist/paths.js` once built, and deeper in the
 * benchmark build; searching upwards serves all three.
 */
export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && isRolecall(manifest)) return dir;
    if (dirname(dir) === dir) throw new Error(`rolecall: no package.json above ${start}`);
  }
}

function isRolecall(manifest: string): boolean {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'rolecall';
  } catch {
    return false;
  }
}

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

/**
 * The working directory as the user reached it. `process.cwd()` is the physical directory (every
 * symbolic link on the way resolved); a shell keeps the path it was given in `PWD`. Paths written
 * for the user to follow — a `$schema` reference an editor resolves from the file's location —
 * must be computed from the latter. A `PWD` that is not absolute or names another directory
 * (stale, or set by something else) is ignored.
 */
export function logicalCwd(cwd: string, env: Readonly<Record<string, string | undefined>>): string {
  const pwd = env['PWD'];
  if (pwd === undefined || !isAbsolute(pwd) || pwd === cwd) return cwd;
  try {
    return realpathSync(pwd) === realpathSync(cwd) ? pwd : cwd;
  } catch {
    return cwd;
  }
}
