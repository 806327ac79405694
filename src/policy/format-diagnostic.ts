import type { Diagnostic } from '../types.js';

/** `path:line:col: error CODE message` (or `error CODE message` when there is no position). */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.source ? `${printable(d.source.file)}:${d.source.line}:${d.source.col}: ` : '';
  return `${where}${d.severity} ${d.code} ${printable(d.message)}`;
}

/**
 * Messages quote user input; never let it break the one-line-per-problem format or reach the
 * terminal as a control sequence: control characters (C0, DEL, C1) and line/paragraph
 * separators are shown escaped.
 */
export function printable(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u{${(c.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}}`,
  );
}

// GitHub workflow commands: data escapes %, CR, LF; property values also escape : and ,.
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * `::error file=…,line=…,col=…,title=CODE::message` — shows the problem on the pull request's
 * diff when printed inside a GitHub Actions job.
 */
export function formatGitHubAnnotation(d: Diagnostic): string {
  const properties: string[] = [];
  if (d.source) {
    properties.push(
      `file=${escapeProperty(d.source.file)}`,
      `line=${d.source.line}`,
      `col=${d.source.col}`,
    );
  }
  properties.push(`title=${escapeProperty(`rolecall ${d.code}`)}`);
  return `::${d.severity} ${properties.join(',')}::${escapeData(d.message)}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `2 errors, 1 warning in 3 files`. */
export function formatSummary(errors: number, warnings: number, files: number): string {
  return `${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${plural(files, 'file')}`;
}

/** Stable order: by file, line, column, then code. Diagnostics without a position come first. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  const fa = a.source?.file ?? '';
  const fb = b.source?.file ?? '';
  if (fa !== fb) return fa < fb ? -1 : 1;
  const la = a.source?.line ?? 0;
  const lb = b.source?.line ?? 0;
  if (la !== lb) return la - lb;
  const ca = a.source?.col ?? 0;
  const cb = b.source?.col ?? 0;
  if (ca !== cb) return ca - cb;
  return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
}
