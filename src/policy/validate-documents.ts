import { readSchema, schemaValidator } from '../schemas.js';
import type { BusinessPolicy, DesiredState, Diagnostic, SourceRef, Validated } from '../types.js';
import { checkDocument } from './check-rules.js';
import { compareDiagnostics } from './format-diagnostic.js';
import { Locator } from './locate.js';
import { mapSchemaErrors } from './map-schema-errors.js';
import {
  collectGrants,
  Report,
  type BusinessDocument,
  type CheckOptions,
  type DurationCheck,
  type PeopleDocument,
  type PolicyDocument,
} from './model.js';
import { normalizePolicy } from './normalize.js';
import { DEFAULT_LIMITS, parseAgain, parseYaml, type ParseLimits } from './parse-yaml.js';
import type { RawPolicy } from './raw-policy.js';
import { checkBusinesses } from './rules/check-businesses.js';
import { checkDuplicates } from './rules/check-duplicates.js';
import { checkDurations } from './rules/check-expiry.js';

export interface ValidateOptions extends CheckOptions {
  /** Override the resource limits of `parseYaml` (benchmarks, tests). */
  limits?: Partial<ParseLimits>;
}

export interface PolicySource {
  /** The path shown in diagnostics (relative to the working directory). */
  file: string;
  text: string;
}

/**
 * One file through every stage that needs only that file: what `validateFile` returns. Plain
 * data (no functions, no yaml nodes), so that a worker thread can send it back as it is.
 */
export interface FileOutcome {
  errors: Diagnostic[];
  warnings: Diagnostic[];
  /** Set when the file passed the parser and the schema: what the rules across files read. */
  checked?: {
    business: number;
    /** People listed twice within this file (`checkDuplicates` on it alone). */
    duplicates: Diagnostic[];
    durations: DurationCheck[];
    /** Positions the rules across files ask every file for (`Locator.keep`). */
    kept: Array<[string, SourceRef]>;
  };
  /** Set when the file has no error of its own. */
  policy?: BusinessPolicy;
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
 * parsed (`validateFile`), and lets its parsed yaml document go: a repository of 100 files of
 * 1,000 people would otherwise hold ~160 MB of yaml nodes at once. The checks that need more
 * than one file, or `grantTimes`, run last (`combineOutcomes`). `validateInWorkers` runs the
 * same two steps with the per-file one spread over worker threads.
 */
export function validateDocuments(
  sources: readonly PolicySource[],
  options: ValidateOptions,
): Validated<DesiredState> {
  const limits = limitsOf(options);
  const outcomes = sources.map((source) => validateFile(source, limits, options.now));
  return combineOutcomes(sources, outcomes, options);
}

export function limitsOf(options: ValidateOptions): ParseLimits {
  return { ...DEFAULT_LIMITS, ...options.limits };
}

/** Every stage that needs only this file. Never throws on bad input. */
export function validateFile(source: PolicySource, limits: ParseLimits, now: Date): FileOutcome {
  return checkFile(source, limits, now).outcome;
}

/** `validateFile`, with the checked document itself (for `checkDuplicates` across files). */
function checkFile(
  source: PolicySource,
  limits: ParseLimits,
  now: Date,
): { outcome: FileOutcome; doc?: PolicyDocument } {
  const { parsed, errors } = parseYaml(source.file, source.text, limits);
  if (!parsed) return { outcome: { errors, warnings: [] } };
  const locator = new Locator(source.file, parsed.doc, parsed.lineCounter, parsed.reparse);
  if (parsed.value === null || parsed.value === undefined) {
    const empty = 'the file has no content: a policy needs at least `business:`';
    return {
      outcome: {
        errors: [
          { severity: 'error', code: 'EMPTY_POLICY', message: empty, source: locator.at([]) },
        ],
        warnings: [],
      },
    };
  }
  // Compiled on first use: a file refused by the parser never pays for it.
  const validate = schemaValidator('policy');
  if (!validate(parsed.value)) {
    schemaJson ??= readSchema('policy');
    const mapped = mapSchemaErrors(validate.errors ?? [], parsed.value, locator, schemaJson);
    return { outcome: { errors: mapped, warnings: [] } };
  }
  const raw = parsed.value as RawPolicy;
  const doc: PolicyDocument = {
    file: source.file,
    raw,
    locator,
    grants: collectGrants(raw),
    durations: [],
  };
  const report = new Report();
  checkDocument(doc, report, { now });
  const duplicates = new Report();
  checkDuplicates([{ ...doc, business: raw.business }], duplicates);
  // A file with an error is never normalised: there will be no value.
  const clean = report.errors.length === 0 && duplicates.errors.length === 0;
  const policy = clean ? normalizePolicy(doc) : undefined;
  // `checkBusinesses` asks every file for this position.
  locator.keep(['business']);
  const outcome: FileOutcome = {
    errors: report.errors,
    warnings: report.warnings,
    checked: {
      business: raw.business,
      duplicates: duplicates.errors,
      durations: doc.durations,
      kept: locator.keptPositions(),
    },
  };
  if (policy) outcome.policy = policy;
  // The parsed document goes (the caller keeps `doc` only when it needs the grants).
  locator.release();
  return { outcome, doc };
}

/**
 * The files' outcomes (in the order of `sources`), with the checks that need `grantTimes` or
 * more than one file: the validated `DesiredState`, or every diagnostic, sorted. Positions the
 * files did not keep are found by parsing their text again.
 */
export function combineOutcomes(
  sources: readonly PolicySource[],
  outcomes: readonly FileOutcome[],
  options: ValidateOptions,
): Validated<DesiredState> {
  const report = new Report();
  const docs: Array<BusinessDocument & { durations: DurationCheck[]; index: number }> = [];
  const policies: BusinessPolicy[] = [];
  const files = new Map<number, number>();
  outcomes.forEach((outcome, index) => {
    const source = sources[index] as PolicySource;
    report.errors.push(...outcome.errors);
    report.warnings.push(...outcome.warnings);
    if (outcome.policy) policies.push(outcome.policy);
    const checked = outcome.checked;
    if (!checked) return;
    files.set(checked.business, (files.get(checked.business) ?? 0) + 1);
    docs.push({
      index,
      file: source.file,
      business: checked.business,
      durations: checked.durations,
      locator: Locator.released(source.file, checked.kept, () => parseAgain(source.text)),
    });
  });
  checkDurations(docs, report, options);
  checkBusinesses(docs, report);
  // A person listed twice is found within each file; a business with several files (an error
  // of its own) has its files checked together again, as one list of people.
  const limits = limitsOf(options);
  const shared = new Map<number, PeopleDocument[]>();
  for (const doc of docs) {
    const checked = (outcomes[doc.index] as FileOutcome).checked as NonNullable<
      FileOutcome['checked']
    >;
    if ((files.get(doc.business) ?? 0) < 2) {
      report.errors.push(...checked.duplicates);
      continue;
    }
    const again = checkFile(sources[doc.index] as PolicySource, limits, options.now).doc;
    if (!again) continue;
    const group = shared.get(doc.business) ?? [];
    group.push({ ...again, business: doc.business });
    shared.set(doc.business, group);
  }
  for (const group of shared.values()) checkDuplicates(group, report);

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
