/**
 * The access repository's own files, as facts for `rolecall doctor`: its workflows next to the
 * ones this rolecall would write, which rolecall this is (`dist/build-info.json`), and the
 * CODEOWNERS file GitHub would use. Read from the working directory: in doctor.yml that is the
 * default branch just checked out.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildFacts, RepositoryFacts } from '../../doctor/index.js';
import { SCAFFOLD_WORKFLOWS } from '../../init/render-scaffold.js';
import { packagePath, toolVersion } from '../../paths.js';

/** Where GitHub looks for CODEOWNERS, in its order. */
const CODEOWNERS_PATHS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'];

export async function readRepositoryFiles(root: string): Promise<RepositoryFacts> {
  const workflows: Record<string, string | null> = {};
  const templates: Record<string, string> = {};
  for (const name of SCAFFOLD_WORKFLOWS) {
    workflows[name] = await readIfPresent(join(root, '.github', 'workflows', name));
    templates[name] = await readFile(packagePath('.github', 'workflows', name), 'utf8');
  }
  let codeowners: RepositoryFacts['codeowners'] = null;
  for (const path of CODEOWNERS_PATHS) {
    const text = await readIfPresent(join(root, path));
    if (text !== null) {
      codeowners = { path, text };
      break;
    }
  }
  return {
    workflows,
    templates,
    build: await readBuild(),
    ownRepository: await isRolecallSource(root),
    codeowners,
  };
}

async function readIfPresent(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return null;
    throw error;
  }
}

/** This rolecall: its version, and the commit the build recorded (null when built without git). */
async function readBuild(): Promise<BuildFacts> {
  const version = toolVersion();
  const text = await readIfPresent(packagePath('dist', 'build-info.json'));
  if (text === null) return { version, commit: null, dirty: false };
  try {
    const info = JSON.parse(text) as { commit?: unknown; dirty?: unknown };
    const commit =
      typeof info.commit === 'string' && /^[0-9a-f]{40}$/.test(info.commit) ? info.commit : null;
    return { version, commit, dirty: info.dirty === true };
  } catch {
    return { version, commit: null, dirty: false };
  }
}

/** rolecall's own source (or a fork of it): its action at the root, its package.json. */
async function isRolecallSource(root: string): Promise<boolean> {
  const action = await readIfPresent(join(root, 'action.yml'));
  const manifest = await readIfPresent(join(root, 'package.json'));
  if (action === null || manifest === null || !/^name: rolecall\s*$/m.test(action)) return false;
  try {
    return (JSON.parse(manifest) as { name?: unknown }).name === 'rolecall';
  } catch {
    return false;
  }
}
