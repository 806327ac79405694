import type { PolicyDocument, Report } from '../model.js';

/** One override per guard: two would leave the plan's rendering ambiguous about which applies. */
export function checkOverrides(doc: PolicyDocument, report: Report): void {
  const seen = new Map<string, number>();
  (doc.raw.overrides ?? []).forEach((override, i) => {
    const first = seen.get(override.guard);
    if (first === undefined) {
      seen.set(override.guard, i);
      return;
    }
    const where = doc.locator.at(['overrides', first]);
    report.error(
      'DUPLICATE_OVERRIDE',
      `guard "${override.guard}" is overridden twice (first at line ${where.line}); keep one override per guard`,
      doc.locator.at(['overrides', i, 'guard']),
    );
  });
}
