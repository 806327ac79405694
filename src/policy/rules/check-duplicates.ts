import type { PolicyRole } from '../../roles.js';
import type { SourceRef } from '../../types.js';
import type { PathSegment } from '../locate.js';
import type { Grant, PeopleDocument, Report } from '../model.js';
import { grantLabel } from '../model.js';

/** Positions are computed only when a duplicate is reported. */
interface Seen {
  role: PolicyRole;
  doc: PeopleDocument;
  path: PathSegment[];
  label: string;
}

function describe(source: SourceRef, label: string, file: string): string {
  const where =
    source.file === file ? `line ${source.line}` : `${source.file}:${source.line}:${source.col}`;
  return `at ${where} (${label})`;
}

/**
 * A person is listed once per business: in `members` or in one team. Emails are compared
 * trimmed and case-insensitively, across member entries, teams, and every file naming the same
 * business (run on each file alone, and again on the files of a business that has several). A repeat with the same role is `DUPLICATE_MEMBER`; with another role it is
 * `ROLE_CONFLICT` (rolecall would not know which role to grant). Reported at the later entry.
 * One pass with a hash map: linear in the number of people.
 */
export function checkDuplicates(docs: readonly PeopleDocument[], report: Report): void {
  const seen = new Map<string, Seen>();
  for (const doc of docs) {
    for (const grant of doc.grants) {
      for (const person of grant.people) {
        if (person.email === undefined) continue;
        const key = `${doc.business}\u0000${person.email}`;
        const label = labelOf(grant);
        const first = seen.get(key);
        if (!first) {
          seen.set(key, { role: grant.role, doc, path: person.path, label });
          continue;
        }
        const source = doc.locator.at(person.path);
        const earlier = describe(first.doc.locator.at(first.path), first.label, doc.file);
        if (first.role === grant.role) {
          report.error(
            'DUPLICATE_MEMBER',
            `${person.email} is listed twice: here (${label}) and ${earlier}; list each person once`,
            source,
          );
        } else {
          report.error(
            'ROLE_CONFLICT',
            `${person.email} gets two roles: "${grant.role}" here (${label}) and "${first.role}" ${earlier}; a person has one role per business`,
            source,
          );
        }
      }
    }
  }
}

function labelOf(grant: Grant): string {
  return grant.kind === 'team' ? grantLabel(grant) : 'members';
}
