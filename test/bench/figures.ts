/**
 * A measured figure, its comparison (a lower bound or a baseline), the ratio between them and
 * the goal it is judged by; and the table they print as. Absolute times on a shared machine
 * are noisy, so a goal is usually on the ratio.
 */
export type Op = '<=' | '>=' | '=';

export interface Goal {
  /** What the goal judges: the ratio to the comparison, or the value itself. */
  on: 'ratio' | 'value';
  op: Op;
  target: number;
}

export interface Figure {
  /** Stable key, e.g. `sync.requests.1x1000`. */
  id: string;
  /** Section heading, e.g. `1. Sync requests`. */
  section: string;
  label: string;
  value: number;
  unit: string;
  /** The lower bound or baseline the value is compared with. */
  compare?: { label: string; value: number; unit?: string };
  /** value / compare.value */
  ratio?: number;
  goal?: Goal;
  /** Absent when the figure is informational (no goal). */
  pass?: boolean;
  /** Every repetition, when `value` is their median. */
  samples?: number[];
  note?: string;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Rounds for the JSON file: enough digits to compare, no float noise. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function judge(actual: number, goal: Goal): boolean {
  if (goal.op === '=') return actual === goal.target;
  return goal.op === '<=' ? actual <= goal.target : actual >= goal.target;
}

/** Builds a figure: computes the ratio and judges the goal. */
export function figure(input: Omit<Figure, 'ratio' | 'pass'>): Figure {
  const out: Figure = { ...input, value: round(input.value) };
  if (input.samples) out.samples = input.samples.map((s) => round(s));
  if (input.compare) {
    out.compare = { ...input.compare, value: round(input.compare.value) };
    if (input.compare.value !== 0) out.ratio = round(input.value / input.compare.value);
  }
  if (input.goal) {
    out.pass = judge(
      input.goal.on === 'ratio' ? (out.ratio ?? Number.NaN) : input.value,
      input.goal,
    );
  }
  return out;
}

function formatNumber(value: number, unit: string): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = Number.isInteger(value) ? 0 : abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  const text = value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  return unit === '' ? text : unit === '×' ? `${text}×` : `${text} ${unit}`;
}

export function formatGoal(goal: Goal | undefined, unit: string): string {
  if (!goal) return '—';
  const target = goal.on === 'ratio' ? `${goal.target}×` : formatNumber(goal.target, unit);
  const op = goal.op === '<=' ? '≤' : goal.op === '>=' ? '≥' : '=';
  return goal.on === 'ratio' ? `ratio ${op} ${target}` : `${op} ${target}`;
}

function resultOf(f: Figure): string {
  if (f.pass === undefined) return 'info';
  return f.pass ? 'pass' : 'FAIL';
}

export interface TableRow {
  figure: string;
  value: string;
  compare: string;
  ratio: string;
  goal: string;
  result: string;
}

export function tableRows(figures: readonly Figure[]): TableRow[] {
  return figures.map((f) => ({
    figure: f.label,
    value: formatNumber(f.value, f.unit),
    compare: f.compare
      ? `${f.compare.label}: ${formatNumber(f.compare.value, f.compare.unit ?? f.unit)}`
      : '—',
    ratio: f.ratio === undefined ? '—' : `${f.ratio.toFixed(f.ratio >= 10 ? 1 : 2)}×`,
    goal: formatGoal(f.goal, f.unit),
    result: resultOf(f),
  }));
}

const HEADERS: TableRow = {
  figure: 'figure',
  value: 'value',
  compare: 'bound / baseline',
  ratio: 'ratio',
  goal: 'goal',
  result: 'result',
};
const COLUMNS = Object.keys(HEADERS) as Array<keyof TableRow>;

/** A plain-text table for the terminal, one block per section. */
export function renderTable(figures: readonly Figure[]): string {
  const rows = tableRows(figures);
  const width = (key: keyof TableRow) =>
    Math.max(HEADERS[key].length, ...rows.map((r) => r[key].length));
  const widths = COLUMNS.map(width);
  const line = (row: TableRow) =>
    COLUMNS.map((key, i) => row[key].padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  const out: string[] = [line(HEADERS), widths.map((w) => '─'.repeat(w)).join('  ')];
  let section = '';
  figures.forEach((f, i) => {
    if (f.section !== section) {
      section = f.section;
      out.push(`${section}`);
    }
    out.push(line(rows[i] as TableRow));
  });
  return `${out.join('\n')}\n`;
}

/** The same table as GitHub markdown (for the README's "Performance" section). */
export function renderMarkdownTable(figures: readonly Figure[]): string {
  const rows = tableRows(figures);
  const esc = (text: string) => text.replace(/\|/g, '\\|');
  const out = [
    `| ${COLUMNS.map((k) => HEADERS[k]).join(' | ')} |`,
    `|${COLUMNS.map(() => '---').join('|')}|`,
  ];
  let section = '';
  figures.forEach((f, i) => {
    if (f.section !== section) {
      section = f.section;
      out.push(`| **${esc(section)}** | | | | | |`);
    }
    const row = rows[i] as TableRow;
    out.push(`| ${COLUMNS.map((k) => esc(row[k])).join(' | ')} |`);
  });
  return `${out.join('\n')}\n`;
}
