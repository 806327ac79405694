/**
 * Build step (`npm run build` runs it last): records which rolecall this build is —
 * `dist/build-info.json`, `{ version, commit, dirty }` — so that `rolecall init` can pin the
 * workflows it writes to the exact commit of the action that matches this CLI. `commit` is null
 * when the build is not made in a git checkout (the action's own build on a runner, from a
 * downloaded tarball); `dirty` is true when the work tree had uncommitted changes, in which
 * case the commit is not quite what runs, and `init` says so.
 *
 *   node dist/write-build-info.js
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { packagePath } from './paths.js';

export interface BuildInfo {
  version: string;
  commit: string | null;
  dirty: boolean;
}

export const BUILD_INFO_PATH = packagePath('dist', 'build-info.json');

export function currentBuildInfo(root: string = packagePath()): BuildInfo {
  const { version } = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as {
    version: string;
  };
  if (!existsSync(`${root}/.git`)) return { version, commit: null, dirty: false };
  const git = (args: string[]) =>
    execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const commit = git(['rev-parse', 'HEAD']).trim();
    const dirty = git(['status', '--porcelain', '--untracked-files=no']).trim() !== '';
    return { version, commit: /^[0-9a-f]{40}$/.test(commit) ? commit : null, dirty };
  } catch {
    return { version, commit: null, dirty: false };
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === realpathSync(process.argv[1])) {
  writeFileSync(BUILD_INFO_PATH, `${JSON.stringify(currentBuildInfo(), null, 2)}\n`);
}
