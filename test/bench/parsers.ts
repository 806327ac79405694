/**
 * The parsers `plan-child.ts --parse` times, each over the same texts, each producing the
 * documents with positions (`LineCounter`) and their JS values, as the policy loader needs them:
 *
 * - `yaml3`: the `yaml` rolecall uses (3.0.0-2), with the loader's options;
 * - `yaml2`: `yaml` 2.9.1, as rolecall used it before (its parser reads `process.env.LOG_TOKENS`
 *   once per token, through Node's slow environment lookup);
 * - `yaml2-no-env`: the same 2.9.1 built without that read (the package's browser build): what
 *   a contained workaround for the per-token read would give;
 * - `json`: `JSON.parse` of the same data as JSON text, a floor no YAML parser reaches.
 *
 * A module of its own: importing plan-child.ts would run it.
 */
export const PARSERS = ['yaml3', 'yaml2', 'yaml2-no-env', 'json'] as const;
export type Parser = (typeof PARSERS)[number];
