import { readSchema, schemaValidator } from '../schemas.js';
import type { BusinessPolicy, DesiredState, Validated } from '../types.js';
import { checkAcrossDocuments, checkDocument } from './check-rules.js';
import { compareDiagnostics } from './format-diagnostic.js';
import { Locator } from './locate.js';
import { mapSchemaErrors } from './map-schema-errors.js';
import { collectGrants, Report, type CheckOptions, type PolicyDocument } from './model.js';
import { normalizePolicy } from './normalize.js';
import { DEFAULT_LIMITS, parseYaml, type ParseLimits } from './parse-yaml.js';
import type { RawPolicy } from './raw-policy.js';

export interface ValidateOptions extends CheckOptions {
  /** Override the resource limits of `parseYaml` (benchmarks, tests). */
  limits?: Partial<ParseLimits>;
}

export interface PolicySource {
  /** The path shown in diagnostics (relative to the working directory). */
  file: string;
  text: string;
}

let schemaJson: unknown;

/**
 * The pure core of policy loading: texts in, `DesiredState` (or diagnostics) out. No disk, no
 * clock (`now` is an option), never throws on bad input. Pipeline per file: size and nesting
 * limits → YAML with positions → schema → semantic rules (per file, then across files) →
 * normalised state. A file failing an earlier stage is not put through the later ones, so one
 * mistake yields one diagnostic rather than a cascade. `value` is set only when there is no error.
 *
 * Each file goes through every per-file stage, normalisation included, before the next file is
 * parsed, and then lets its parsed yaml document go (`Locator.release`): a repository of 100
 * files of 1,000 people would otherwise hold ~160 MB of yaml nodes at once. The rules across
 * files run last, as before; the positions they need in the common case are kept.
 */
export function validateDocuments(
  sources: readonly PolicySource[],
  options: ValidateOptions,
): Validated<DesiredState> {
  const limits: ParseLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const report = new Report();
  const docs: PolicyDocument[] = [];
  const policies: BusinessPolicy[] = [];
  const checkOptions: CheckOptions = { now: options.now };
  if (options.grantTimes) checkOptions.grantTimes = options.grantTimes;

  for (const source of sources) {
    const { parsed, errors } = parseYaml(source.file, source.text, limits);
    report.errors.push(...errors);
    if (!parsed) continue;
    const locator = new Locator(source.file, parsed.doc, parsed.lineCounter, parsed.reparse);
    if (parsed.value === null || parsed.value === undefined) {
      report.error(
        'EMPTY_POLICY',
        'the file has no content: a policy needs at least `business:`',
        locator.at([]),
      );
      continue;
    }
    // Compiled on first use: a file refused by the parser never pays for it.
    const validate = schemaValidator('policy');
    if (!validate(parsed.value)) {
      schemaJson ??= readSchema('policy');
      report.errors.push(
        ...mapSchemaErrors(validate.errors ?? [], parsed.value, locator, schemaJson),
      );
      continue;
    }
    const raw = parsed.value as RawPolicy;
    const doc: PolicyDocument = { file: source.file, raw, locator, grants: collectGrants(raw) };
    docs.push(doc);
    const before = report.errors.length;
    checkDocument(doc, report, checkOptions);
    // A file with an error is never normalised: there will be no value.
    if (report.errors.length === before) policies.push(normalizePolicy(doc));
    // `checkBusinesses` asks every file for this position.
    locator.keep(['business']);
    locator.release();
  }
  checkAcrossDocuments(docs, report);

  report.errors.sort(compareDiagnostics);
  report.warnings.sort(compareDiagnostics);
  return {
    value:
      report.errors.length === 0
        ? { businesses: policies.sort((a, b) => a.businessId - b.businessId) }
        : undefined,
    errors: report.errors,
    warnings: report.warnings,
  };
}
