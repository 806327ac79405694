/**
 * The parsers `plan-child.ts --parse` times, each over the same texts, each producing the
 * documents with positions (`LineCounter`) and their JS values, as the policy loader needs them:
 *
 * - `yaml3`: the `yaml` rolecall uses (3.0.0-2), with the loader's options;
 * - `yaml2`: `yaml` 2.9.1, as rolecall used it before (its parser reads `process.env.LOG_TOKENS`
 *   once per token, through Node's slow environment lookup);
 * - `yaml2-no-env`: the same 2.9.1 built without that read (the package's browser build): what
 *   a contained workaround for the per-token read would give;
 * - `json`: `JSON.parse` of the same data as JSON text, a floor no YAML parser reaches;
 * - `yaml3-threads`: the `yaml3` parse with the files split over as many worker threads as
 *   rolecall's loader would start for them, start-up included: the floor for a plan that
 *   parses in threads on this machine.
 *
 * A module of its own: importing plan-child.ts would run it.
 */
import { LineCounter, parseAllDocuments } from 'yaml';
import { occurrenceKey } from '../../src/policy/yaml-nodes.js';

export const PARSERS = ['yaml3', 'yaml2', 'yaml2-no-env', 'json', 'yaml3-threads'] as const;
export type Parser = (typeof PARSERS)[number];

/** The loader's parse options (src/policy/parse-yaml.ts) for yaml 3. */
export const YAML3_OPTIONS = {
  prettyErrors: false,
  schema: 'core',
  merge: false,
  strict: true,
  mapKey: occurrenceKey,
} as const;

/** One policy text through yaml 3 as the loader parses it: the number of members found. */
export function parseYaml3(text: string): number {
  const value = parseAllDocuments(text, {
    ...YAML3_OPTIONS,
    lineCounter: new LineCounter(),
  })[0]?.toJS({ maxAliasCount: 100 }) as { members?: unknown[] } | undefined;
  return value?.members?.length ?? 0;
}
