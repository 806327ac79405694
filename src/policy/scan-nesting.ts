/**
 * A linear pre-scan that refuses absurd nesting before the YAML parser sees it. The parser
 * recurses per level: 10,000 compact `- - - …` levels on one line exhaust V8's memory fatally
 * (not even catchable), and 1,000 `[[[…` levels take long enough to matter. Real policies nest
 * five levels and indent a dozen columns.
 *
 * It over-approximates nothing a valid policy needs: flow depth is counted outside quotes and
 * comments, and a line's "indent" is its leading spaces plus compact block indicators (`- `,
 * `? `, `: `) at its start. Being a heuristic, it may under-count (for example a `'` inside a
 * plain scalar starts a "quote"); the parser's own depth check and `maxDepth` still apply.
 */
export interface NestingProblem {
  line: number;
  col: number;
  message: string;
}

const SPACE = 0x20;
const NEWLINE = 0x0a;

export function scanNesting(
  text: string,
  limits: { maxDepth: number; maxIndent: number },
): NestingProblem | undefined {
  let line = 1;
  let lineStart = 0;
  let flow = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    // At the start of a line: measure spaces and compact indicators.
    let j = i;
    for (;;) {
      while (j < n && text.charCodeAt(j) === SPACE) j++;
      const c = text[j];
      if (
        (c === '-' || c === '?' || c === ':') &&
        (j + 1 >= n || text.charCodeAt(j + 1) === SPACE)
      ) {
        j += 1;
        continue;
      }
      break;
    }
    if (j - lineStart > limits.maxIndent) {
      return {
        line,
        col: limits.maxIndent + 1,
        message: `nesting too deep: line indented past column ${limits.maxIndent}`,
      };
    }
    // Rest of the line: flow brackets, quotes, comments, and runs of indicators after a key
    // (`key: - - - …`), which nest as deeply as leading ones.
    let prev: string = j > lineStart ? (text[j - 1] as string) : ' ';
    let run = 0;
    for (; j < n; j++) {
      const c = text[j] as string;
      if (c === '\n') break;
      if (c === ' ') {
        prev = c;
        continue;
      }
      if (
        (c === '-' || c === '?' || c === ':') &&
        prev === ' ' &&
        text.charCodeAt(j + 1) === SPACE
      ) {
        run += 2;
        if (run > limits.maxIndent) {
          return {
            line,
            col: j - lineStart + 1,
            message: `nesting too deep: more than ${limits.maxIndent / 2} nested indicators on one line`,
          };
        }
        prev = c;
        continue;
      }
      run = 0;
      if (c === '#' && (prev === ' ' || prev === '\t' || j === lineStart)) {
        while (j < n && text.charCodeAt(j) !== NEWLINE) j++;
        break;
      }
      if ((c === '"' || c === "'") && isTokenStart(prev)) {
        const end = skipQuoted(text, j, c);
        // Count the lines a multi-line quoted scalar spans, for positions further on.
        for (let k = j; k < end; k++) {
          if (text.charCodeAt(k) === NEWLINE) {
            line++;
            lineStart = k + 1;
          }
        }
        j = end;
        prev = c;
        continue;
      }
      if (c === '[' || c === '{') {
        flow++;
        if (flow > limits.maxDepth) {
          return {
            line,
            col: j - lineStart + 1,
            message: `nesting too deep: more than ${limits.maxDepth} nested [ ] or { } collections`,
          };
        }
      } else if ((c === ']' || c === '}') && flow > 0) {
        flow--;
      }
      prev = c;
    }
    i = j + 1;
    line++;
    lineStart = i;
  }
  return undefined;
}

function isTokenStart(prev: string): boolean {
  return (
    prev === ' ' || prev === '\t' || prev === '[' || prev === '{' || prev === ',' || prev === ':'
  );
}

/** Index of the closing quote (or end of text) of a quoted scalar opened at `start`. */
function skipQuoted(text: string, start: number, quote: string): number {
  let k = start + 1;
  while (k < text.length) {
    const c = text[k];
    if (quote === '"' && c === '\\') {
      k += 2;
      continue;
    }
    if (c === quote) {
      if (quote === "'" && text[k + 1] === "'") {
        k += 2;
        continue;
      }
      return k;
    }
    k++;
  }
  return text.length;
}
