import { displayExpiry } from '../plan/expiry.js';
import { markdownCode, markdownText } from '../review/escape-markdown.js';
import { describeCleanupEntry, type CleanupEntry } from './choose-cleanup.js';

/** The trailer that marks a commit as rolecall's own clean-up commit (see flows/expire/cleanup-branch.ts). */
export const CLEANUP_TRAILER = 'Rolecall-Cleanup: expired';

const RECORD_MAX_ENTRIES = 100;

export interface RenderedCleanup {
  title: string;
  body: string;
  commitMessage: string;
  /** For the pull request's hidden record: what this version of the pull request removes. */
  record: {
    count: number;
    /** The first `RECORD_MAX_ENTRIES`: the hidden record must stay far below GitHub's body limit. */
    entries: Array<{ businessId: number; email: string; expires: string }>;
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * The clean-up pull request and its commit. Deterministic in its input (no clock): running
 * `rolecall expire` again with the same expired entries renders the same text, so the pull
 * request is left alone instead of being edited every hour.
 */
export function renderCleanup(entries: readonly CleanupEntry[]): RenderedCleanup {
  const n = entries.length;
  const title = `Remove ${plural(n, 'expired grant')} from the policies`;
  const rows = entries.map(
    (e) =>
      `| ${markdownText(e.businessName ? `${e.businessName} (${e.businessId})` : String(e.businessId))} | ${markdownCode(e.email)} | ${markdownCode(e.role)}${e.team ? ` (team ${markdownText(e.team)})` : ''} | ${displayExpiry(e.expires)} | ${e.reason ? markdownText(e.reason) : '—'} | ${e.ticket ? markdownText(e.ticket) : '—'} | ${markdownCode(e.file)} |`,
  );
  const body = [
    '## Expired grants to remove from the policies',
    '',
    n === 1
      ? 'This grant expired and holds no access in FreshBooks any more: `rolecall expire` revoked it (or it had none). Merging this pull request only tidies the YAML; it changes nothing in FreshBooks.'
      : `These ${n} grants expired and hold no access in FreshBooks any more: \`rolecall expire\` revoked them (or they had none). Merging this pull request only tidies the YAML; it changes nothing in FreshBooks.`,
    '',
    '| Business | Who | Role | Expired | Reason | Ticket | File |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
    'rolecall keeps exactly one clean-up pull request open and updates this one on each run (its branch is rebuilt from the base branch). Do not push to its branch: rolecall refuses to overwrite commits it did not make. To keep someone, extend their `expires` in another pull request instead; this one then drops them.',
    '',
    '<sub>Maintained by `rolecall expire`.</sub>',
  ].join('\n');
  const commitMessage = [
    `rolecall: remove ${plural(n, 'expired grant')} from the policies`,
    '',
    ...entries.map((e) => `- ${describeCleanupEntry(e)}`),
    '',
    CLEANUP_TRAILER,
  ].join('\n');
  return {
    title,
    body,
    commitMessage,
    record: {
      count: n,
      entries: entries
        .slice(0, RECORD_MAX_ENTRIES)
        .map((e) => ({ businessId: e.businessId, email: e.email, expires: e.expires })),
    },
  };
}
