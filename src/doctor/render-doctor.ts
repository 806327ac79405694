/**
 * The three renderings of a doctor run: text for a terminal (one line per check, then why and
 * fix for anything not passed), JSON for machines, and markdown for the doctor issue and the
 * job summary. Found text can hold names from FreshBooks and GitHub: the terminal gets it
 * without control characters, markdown without live mentions, links or markup (`code` spans
 * stay code).
 */
import { code, fenceFor, inertText } from '../plan/markdown-text.js';
import { terminalSafe } from '../plan/terminal-text.js';
import { countResults, type CheckResult, type CheckStatus } from './check-result.js';

export const MARK: Record<CheckStatus, string> = { pass: '✓', fail: '✗', unknown: '?' };

/** `23 checks: 20 passed, 2 unsafe, 1 not verified`. */
export function summaryLine(results: readonly CheckResult[]): string {
  const counts = countResults(results);
  return `${results.length} checks: ${counts.pass} passed, ${counts.fail} unsafe, ${counts.unknown} not verified`;
}

export function renderDoctorText(results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.id.length));
  const lines: string[] = [];
  for (const result of results) {
    lines.push(`${MARK[result.status]} ${result.id.padEnd(width)}  ${terminalSafe(result.found)}`);
    if (result.status === 'pass') continue;
    const indent = '    ';
    lines.push(`${indent}why: ${terminalSafe(result.why)}`);
    if (result.fix) lines.push(`${indent}fix: ${terminalSafe(result.fix)}`);
    if (result.diff) {
      for (const line of result.diff.replace(/\n$/, '').split('\n')) {
        lines.push(`${indent}${terminalSafe(line)}`);
      }
    }
  }
  lines.push(summaryLine(results));
  return `${lines.join('\n')}\n`;
}

/** `[{id, status, found, why, fix}]` (and `diff` where there is one). */
export function renderDoctorJson(results: readonly CheckResult[]): string {
  return `${JSON.stringify(
    results.map((r) => ({
      id: r.id,
      status: r.status,
      found: r.found,
      why: r.why,
      fix: r.fix,
      ...(r.diff === undefined ? {} : { diff: r.diff }),
    })),
    null,
    2,
  )}\n`;
}

/** Text with `code spans`: the spans stay code, everything else is inert text. */
export function markdownOf(text: string): string {
  return text
    .split(/(`[^`\n]+`)/)
    .map((part) => (/^`[^`\n]+`$/.test(part) ? code(part.slice(1, -1)) : inertText(part)))
    .join('');
}

export interface MarkdownOptions {
  /** `owner/repo`, for the heading. */
  repository: string;
  /** Check id → the ISO instant it was first seen failing (the doctor issue's record). */
  firstSeen?: ReadonlyMap<string, string>;
}

/** The doctor issue's body and the job summary: every check not passed in full, passes counted. */
export function renderDoctorMarkdown(
  results: readonly CheckResult[],
  options: MarkdownOptions,
): string {
  const failed = results.filter((r) => r.status === 'fail');
  const unverified = results.filter((r) => r.status === 'unknown');
  const passed = results.filter((r) => r.status === 'pass');
  const out: string[] = [
    `## rolecall doctor: ${markdownOf(options.repository)}`,
    '',
    failed.length > 0
      ? `**${failed.length} unsafe:** the settings below let a change reach FreshBooks, or the credentials, without the approvals rolecall's gate relies on. Fix each one; the next run of doctor.yml closes this issue when nothing is unsafe.`
      : 'Nothing unsafe.',
    '',
    summaryLine(results),
    '',
  ];
  const section = (title: string, items: readonly CheckResult[]) => {
    if (items.length === 0) return;
    out.push(`### ${title}`, '');
    for (const item of items) {
      const since = options.firstSeen?.get(item.id);
      out.push(
        `#### ${MARK[item.status]} ${code(item.id)}${since ? ` (since ${since.slice(0, 10)})` : ''}`,
        '',
        `- **Found:** ${markdownOf(item.found)}`,
        `- **Why it matters:** ${markdownOf(item.why)}`,
        ...(item.fix ? [`- **Fix:** ${markdownOf(item.fix)}`] : []),
        '',
      );
      if (item.diff) {
        const fence = fenceFor(item.diff);
        out.push(`${fence}diff`, item.diff.replace(/\n$/, ''), fence, '');
      }
    }
  };
  section('Unsafe', failed);
  section('Not verified', unverified);
  if (passed.length > 0) {
    out.push(
      '### Passed',
      '',
      ...passed.map((p) => `- ${MARK.pass} ${code(p.id)}: ${markdownOf(p.found)}`),
      '',
    );
  }
  return `${out.join('\n')}\n`;
}
