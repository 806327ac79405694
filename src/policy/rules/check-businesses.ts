import type { SourceRef } from '../../types.js';
import type { BusinessDocument, Report } from '../model.js';

/** One file per business: two files naming the same `business` would contradict each other. */
export function checkBusinesses(docs: readonly BusinessDocument[], report: Report): void {
  const seen = new Map<number, SourceRef>();
  for (const doc of docs) {
    const source = doc.locator.at(['business']);
    const first = seen.get(doc.business);
    if (first) {
      report.error(
        'DUPLICATE_BUSINESS',
        `business ${doc.business} is already governed by ${first.file}:${first.line}:${first.col}; keep one file per business`,
        source,
      );
    } else {
      seen.set(doc.business, source);
    }
  }
}
