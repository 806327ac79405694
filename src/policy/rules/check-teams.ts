import type { PolicyDocument, Report } from '../model.js';

/** Team names are unique within a file (reports and provenance name teams); an empty team is suspicious. */
export function checkTeams(doc: PolicyDocument, report: Report): void {
  const seen = new Map<string, number>();
  (doc.raw.teams ?? []).forEach((team, i) => {
    const key = team.name.trim().toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      const where = doc.locator.at(['teams', first]);
      report.error(
        'DUPLICATE_TEAM',
        `team "${team.name}" is defined twice (first at line ${where.line}); merge the two`,
        doc.locator.at(['teams', i, 'name']),
      );
    } else {
      seen.set(key, i);
    }
    if (team.members.length === 0) {
      report.warning(
        'EMPTY_TEAM',
        `team "${team.name}" has no members`,
        doc.locator.at(['teams', i, 'members']),
      );
    }
  });
}
