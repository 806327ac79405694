/**
 * Workflow commands for annotations (`::error file=…,line=…,col=…::message`), which GitHub shows
 * on the run and, with a file and line, on the pull request's diff — for the GitHub commands'
 * own messages (a refused apply, a plan changed since approval). Policy diagnostics have theirs
 * in `src/policy/format-diagnostic.ts` (`formatGitHubAnnotation`), printed by `rolecall validate`.
 * Escaping follows the runner's rules: in the message, `%`, CR and LF; in property values also
 * `:` and `,`. Messages are redacted.
 */
import { redact } from '../redact.js';

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface Annotation {
  level: AnnotationLevel;
  message: string;
  title?: string;
  file?: string;
  line?: number;
  endLine?: number;
  col?: number;
  endColumn?: number;
}

export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** One workflow-command line (no trailing newline). The message is redacted. */
export function formatAnnotation(annotation: Annotation): string {
  const properties: Array<[string, string | number | undefined]> = [
    ['file', annotation.file],
    ['line', annotation.line],
    ['endLine', annotation.endLine],
    ['col', annotation.col],
    ['endColumn', annotation.endColumn],
    ['title', annotation.title],
  ];
  const props = properties
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(',');
  return `::${annotation.level}${props ? ` ${props}` : ''}::${escapeData(redact(annotation.message))}`;
}
