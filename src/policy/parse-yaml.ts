import { Composer, LineCounter, Parser, type CST, type Document } from 'yaml';
import type { Diagnostic } from '../types.js';
import { quote } from './check-email.js';
import { checkMappingWork, type MappingProblem } from './guard-large-mappings.js';
import { scanNesting } from './scan-nesting.js';
import {
  isAlias,
  isCollection,
  isMap,
  isScalar,
  isSeq,
  occurrenceKey,
  type Node,
} from './yaml-nodes.js';

/**
 * Resource limits for one policy file. Policy files are small (a business with 1,000 people is
 * ~60 KB); the limits exist so that hostile input fails fast with a clear message instead of
 * exhausting memory or the stack.
 */
export interface ParseLimits {
  /** Files larger than this (UTF-8 bytes) are refused before parsing. */
  maxFileBytes: number;
  /** `yaml`'s `maxAliasCount`: caps alias expansion ("billion laughs"). */
  maxAliasCount: number;
  /** Deepest nesting of collections (block or flow). A policy needs 5. */
  maxDepth: number;
  /** Widest indentation (spaces plus compact `- `/`? ` indicators) of any line. */
  maxIndent: number;
}

export const DEFAULT_LIMITS: Readonly<ParseLimits> = {
  maxFileBytes: 1024 * 1024,
  maxAliasCount: 100,
  maxDepth: 32,
  maxIndent: 200,
};

export interface ParsedYaml {
  file: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** The plain JS value (aliases expanded within the cap). */
  value: unknown;
  /** Parses the same text the same way again: the same document (see `Locator.release`). */
  reparse: () => { doc: Document.Parsed; lineCounter: LineCounter };
}

export interface ParseResult {
  parsed?: ParsedYaml;
  errors: Diagnostic[];
}

function error(file: string, line: number, col: number, code: string, message: string): Diagnostic {
  return { severity: 'error', code, message, source: { file, line, col } };
}

/** Positions come from `LineCounter`: 1-based line and column of a character offset. */
function at(lc: LineCounter, offset: number): { line: number; col: number } {
  return lc.linePos(Math.max(0, offset));
}

/** Maps `yaml`'s error codes to ours; anything unlisted is a plain syntax error. */
function codeOf(yamlCode: string): string {
  if (yamlCode === 'DUPLICATE_KEY') return 'DUPLICATE_KEY';
  if (yamlCode === 'RESOURCE_EXHAUSTION') return 'NESTING_TOO_DEEP';
  return 'YAML_SYNTAX';
}

/**
 * Parses one policy file into a `yaml` Document (with positions) and its JS value. Never throws:
 * every problem is a Diagnostic with `file:line:col`. Checks run cheapest first, so a 50 MB file
 * or a 10,000-deep nesting is refused before the parser sees it.
 */
export function parseYaml(
  file: string,
  text: string,
  limits: ParseLimits = DEFAULT_LIMITS,
): ParseResult {
  // Size first. `length` (UTF-16 units) never exceeds the UTF-8 size, so huge input is refused in
  // O(1), without even measuring it (that would flatten and scan a 50 MB string).
  const tooLarge = (size: string): ParseResult => ({
    errors: [
      error(
        file,
        1,
        1,
        'FILE_TOO_LARGE',
        `file is ${size} bytes; policy files are limited to ${limits.maxFileBytes} bytes`,
      ),
    ],
  });
  if (text.length > limits.maxFileBytes) return tooLarge(`more than ${limits.maxFileBytes}`);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxFileBytes) return tooLarge(String(bytes));
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  const nesting = scanNesting(text, limits);
  if (nesting)
    return {
      errors: [error(file, nesting.line, nesting.col, 'NESTING_TOO_DEEP', nesting.message)],
    };

  const lineCounter = new LineCounter();
  let docs: Document.Parsed[];
  try {
    docs = parseDocuments(text, lineCounter);
  } catch (cause) {
    if (cause instanceof MappingsTooCostly) {
      return { errors: cause.problems.map((p) => mappingDiagnostic(file, lineCounter, p)) };
    }
    // `yaml` reports problems as document errors; this is a last line of defence.
    return { errors: [error(file, 1, 1, 'YAML_SYNTAX', `cannot parse: ${String(cause)}`)] };
  }
  if (!Array.isArray(docs) || docs.length === 0) {
    return {
      errors: [
        error(file, 1, 1, 'EMPTY_POLICY', 'the file is empty: a policy needs at least `business:`'),
      ],
    };
  }

  const errors: Diagnostic[] = [];
  const [doc, second] = docs;
  if (second) {
    const p = at(lineCounter, second.range[0]);
    errors.push(
      error(
        file,
        p.line,
        p.col,
        'MULTIPLE_DOCUMENTS',
        'one policy per file: remove the second YAML document (`---`)',
      ),
    );
  }
  for (const d of docs) {
    for (const e of d.errors) {
      const p = at(lineCounter, e.pos[0]);
      errors.push(error(file, p.line, p.col, codeOf(e.code), firstLine(e.message)));
    }
    // Warnings are unresolved tags (`!foo`) and the like: a policy has no use for them.
    for (const w of d.warnings) {
      const p = at(lineCounter, w.pos[0]);
      errors.push(error(file, p.line, p.col, 'YAML_TAG', firstLine(w.message)));
    }
  }
  if (errors.length > 0 || !doc) return { errors };

  const treeErrors = checkTree(doc.value, limits.maxDepth, lineCounter).map((problem) => {
    const p = at(lineCounter, problem.node.range?.[0] ?? 0);
    return error(file, p.line, p.col, problem.code, problem.message);
  });
  if (treeErrors.length > 0) return { errors: treeErrors };

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: limits.maxAliasCount });
  } catch (cause) {
    const alias = firstAlias(doc.value);
    const p = at(lineCounter, alias?.range?.[0] ?? 0);
    const aliasLimit = cause instanceof ReferenceError && /alias/i.test(cause.message);
    return {
      errors: [
        aliasLimit
          ? error(
              file,
              p.line,
              p.col,
              'ALIAS_LIMIT',
              `too many alias expansions (limit ${limits.maxAliasCount}): this looks like a "billion laughs" file`,
            )
          : error(
              file,
              p.line,
              p.col,
              'YAML_SYNTAX',
              firstLine(cause instanceof Error ? cause.message : String(cause)),
            ),
      ],
    };
  }
  const source = text;
  return {
    parsed: { file, doc, lineCounter, value, reparse: () => parseFirst(source) },
    errors: [],
  };
}

/**
 * The document of a text `parseYaml` accepted, parsed again the same way: the same nodes and
 * positions (for `Locator`, after it let the first parse go).
 */
export function parseAgain(text: string): { doc: Document.Parsed; lineCounter: LineCounter } {
  return parseFirst(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
}

function parseFirst(text: string): { doc: Document.Parsed; lineCounter: LineCounter } {
  const lineCounter = new LineCounter();
  return { doc: parseDocuments(text, lineCounter)[0] as Document.Parsed, lineCounter };
}

const PARSE_OPTIONS = {
  prettyErrors: false,
  // Always YAML 1.2 core: `2026-12-31` stays a string, `yes` stays a string, even under a
  // `%YAML 1.1` directive; `<<` is an ordinary (and therefore unknown) key.
  schema: 'core',
  merge: false,
  // Every pair is kept, duplicates included: `checkTree` reports a duplicate key with the
  // position of its first occurrence, comparing keys as the text they become in the JS value
  // (`1` and `"1"` collide there), which `yaml`'s own check does not.
  mapKey: occurrenceKey,
  strict: true,
} as const;

/** Thrown out of the composition when a document's mappings are too costly to compose. */
class MappingsTooCostly extends Error {
  constructor(readonly problems: MappingProblem[]) {
    super('mappings too large');
  }
}

/** The CST documents, each checked by `checkMappingWork` before the composer sees it. */
function* guarded(tokens: Iterable<CST.Token>): Generator<CST.Token> {
  for (const token of tokens) {
    if (token.type === 'document') {
      const problems = checkMappingWork(token);
      if (problems.length > 0) throw new MappingsTooCostly(problems);
    }
    yield token;
  }
}

/** What `parseAllDocuments` does (lexer, parser, composer), with the mapping guard between. */
function parseDocuments(text: string, lineCounter: LineCounter): Document.Parsed[] {
  const parser = new Parser(lineCounter.addNewLine);
  const composer = new Composer(PARSE_OPTIONS);
  return Array.from(composer.compose(guarded(parser.parse(text)))) as Document.Parsed[];
}

function mappingDiagnostic(
  file: string,
  lineCounter: LineCounter,
  problem: MappingProblem,
): Diagnostic {
  const p = at(lineCounter, problem.offset);
  if (problem.code === 'DUPLICATE_KEY') {
    const first = at(lineCounter, problem.firstOffset ?? 0).line;
    return error(
      file,
      p.line,
      p.col,
      'DUPLICATE_KEY',
      `duplicate key ${quote(problem.key ?? '')}, first at line ${first}: a key may appear only once in a mapping`,
    );
  }
  return error(
    file,
    p.line,
    p.col,
    'MAPPING_TOO_LARGE',
    `a mapping with ${problem.size} keys: policy mappings have a few dozen at most, and one this large costs too much to check`,
  );
}

function firstLine(message: string): string {
  const line = message.split('\n', 1)[0] ?? message;
  return line.replace(/ at line \d+, column \d+:?$/, '');
}

interface TreeProblem {
  node: Node;
  code: 'NESTING_TOO_DEEP' | 'DUPLICATE_KEY';
  message: string;
}

/**
 * One iterative pass (the input may be hostile) over the parsed tree: nesting deeper than `max`
 * (reported alone, at the first node too deep), and duplicate keys in any mapping, found with a
 * Set per mapping so the pass stays linear. Keys compare as the text they become in the JS value.
 *
 * It visits every node of every policy, so it allocates little: two parallel stacks instead of a
 * tuple per node, and a small mapping (a policy member has three to five keys) is checked by
 * scanning the keys seen so far instead of building a Map; a large one still gets its Map.
 */
function checkTree(root: unknown, max: number, lineCounter: LineCounter): TreeProblem[] {
  const problems: TreeProblem[] = [];
  const nodes: unknown[] = [root];
  const depths: number[] = [0];
  const texts: string[] = [];
  const keyNodes: Node[] = [];
  while (nodes.length > 0) {
    const node = nodes.pop();
    const depth = depths.pop() as number;
    if (!isCollection(node)) continue;
    if (depth >= max)
      return [{ node, code: 'NESTING_TOO_DEEP', message: `nesting deeper than ${max} levels` }];
    // Only collections go on the stack: a scalar is neither deep nor a mapping (most nodes of a
    // policy are scalars, and this pass visits every policy's every node).
    if (isSeq(node)) {
      for (const item of node) {
        if (!isCollection(item)) continue;
        nodes.push(item);
        depths.push(depth + 1);
      }
      continue;
    }
    if (!isMap(node)) {
      // A `!!set`: its entries are keys without values.
      for (const item of node.values.values()) {
        nodes.push(item);
        depths.push(depth + 1);
      }
      continue;
    }
    const keys = node.size > SMALL_MAPPING ? new Map<string, Node>() : undefined;
    texts.length = 0;
    keyNodes.length = 0;
    for (const item of node.values.values()) {
      if (isCollection(item.key)) {
        nodes.push(item.key);
        depths.push(depth + 1);
      }
      if (isCollection(item.value)) {
        nodes.push(item.value);
        depths.push(depth + 1);
      }
      if (!isScalar(item.key)) continue;
      const key = String(item.key.value);
      let first: Node | undefined;
      if (keys) {
        first = keys.get(key);
        if (!first) keys.set(key, item.key);
      } else {
        const index = texts.indexOf(key);
        first = index < 0 ? undefined : keyNodes[index];
        if (!first) {
          texts.push(key);
          keyNodes.push(item.key);
        }
      }
      if (first) {
        problems.push({
          node: item.key,
          code: 'DUPLICATE_KEY',
          message: `duplicate key ${quote(key)}, first at line ${at(lineCounter, first.range?.[0] ?? 0).line}: a key may appear only once in a mapping`,
        });
      }
    }
  }
  return problems;
}

/** Mappings up to this many pairs are checked for duplicates by a scan (cheaper than a Map). */
const SMALL_MAPPING = 16;

function firstAlias(root: unknown): Node | undefined {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isAlias(node)) return node;
    if (isMap(node)) {
      const pairs = [...node.values.values()];
      for (let i = pairs.length - 1; i >= 0; i--) {
        const pair = pairs[i];
        if (pair) stack.push(pair.value, pair.key);
      }
    } else if (isCollection(node)) {
      const items = isSeq(node) ? node : [...node.values.values()];
      for (let i = items.length - 1; i >= 0; i--) stack.push(items[i]);
    }
  }
  return undefined;
}
