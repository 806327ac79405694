import { userInfo } from 'node:os';

/** Who applies, for the journal and the audit log: `GITHUB_ACTOR`, else the OS user. */
export function resolveActor(env: Record<string, string | undefined>): string {
  const github = env['GITHUB_ACTOR']?.trim();
  if (github) return `github:${github}`;
  try {
    return userInfo().username;
  } catch {
    return env['USER']?.trim() || env['USERNAME']?.trim() || 'unknown';
  }
}
