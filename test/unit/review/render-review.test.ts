import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  REVIEW_CSV_COLUMNS,
  REVIEW_FLAGS,
  buildReviewPack,
  csvField,
  renderReviewCsv,
  renderReviewJson,
  renderReviewMarkdown,
  type ReviewRow,
} from '../../../src/review/index.js';
import {
  NOW,
  desired,
  desiredState,
  live,
  liveBusiness,
  liveState,
  policy,
  provenance,
} from './builders.js';

/** A strict RFC 4180 reader, to check what a spreadsheet would see. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const char = text[i] as string;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (char === '"') {
        quoted = false;
        i += 1;
        continue;
      }
      field += char;
      i += 1;
      continue;
    }
    if (char === '"' && field === '') {
      quoted = true;
      i += 1;
    } else if (char === ',') {
      record.push(field);
      field = '';
      i += 1;
    } else if (char === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 2;
    } else {
      if (char === '"' || char === '\n' || char === '\r')
        throw new Error(`bare ${JSON.stringify(char)} at ${i}`);
      field += char;
      i += 1;
    }
  }
  if (field !== '' || record.length > 0) throw new Error('no CRLF after the last record');
  return records;
}

function sampleRows(): ReviewRow[] {
  return buildReviewPack({
    desired: desiredState([
      policy([
        desired('alice@acme.example', 'admin', {
          reason: 'Finance lead, "primary"',
          ticket: 'FIN-1',
        }),
        desired('bob@contractors.example', 'contractor', {
          reason: '=HYPERLINK("http://evil.example","x")',
          expires: '2026-05-04T00:00:00.000Z',
        }),
        desired('eli@acme.example', 'accountant', { via: { kind: 'team', team: 'bookkeeping' } }),
      ]),
    ]),
    live: liveState([
      liveBusiness([
        live('alice@acme.example', 'admin', 'active', { firstName: 'Alice', lastName: 'Chen' }),
        live('bob@contractors.example', 'contractor', 'active', {
          firstName: '+Bob',
          lastName: 'Ray\nmond',
        }),
        live('olivia@acme.example', 'owner', 'active', { firstName: 'Olivia', lastName: 'Park' }),
        live('pat@acme.example', 'time_tracking_admin', 'active', {
          firstName: '@acme/owners',
          lastName: '<b>|x|</b>',
        }),
      ]),
    ]),
    provenance: (_file, line) =>
      provenance({
        sha: `${String(line).padStart(2, '0')}${'c'.repeat(38)}`,
        date: '2026-03-01T00:00:00.000Z',
      }),
    now: NOW,
  });
}

describe('renderReviewCsv', () => {
  it('writes a header and one CRLF-terminated record per person, RFC 4180 quoted', () => {
    const rows = sampleRows();
    const csv = renderReviewCsv(rows);
    const records = parseCsv(csv);
    expect(records[0]).toEqual([...REVIEW_CSV_COLUMNS]);
    expect(records).toHaveLength(rows.length + 1);
    for (const record of records) expect(record).toHaveLength(REVIEW_CSV_COLUMNS.length);
    const byEmail = new Map(records.slice(1).map((record) => [record[2], record]));
    const column = (email: string, name: (typeof REVIEW_CSV_COLUMNS)[number]) =>
      byEmail.get(email)?.[REVIEW_CSV_COLUMNS.indexOf(name)];
    expect(column('alice@acme.example', 'reason')).toBe('Finance lead, "primary"');
    expect(csv).toContain('"Finance lead, ""primary"""');
    expect(column('alice@acme.example', 'in_policy')).toBe('yes');
    expect(column('alice@acme.example', 'granted_by')).toBe('Dana Reyes');
    expect(column('alice@acme.example', 'pull_request')).toBe('12');
    expect(column('alice@acme.example', 'commit')).toMatch(/^\d\dc{38}$/);
    expect(column('olivia@acme.example', 'in_policy')).toBe('no');
    expect(column('olivia@acme.example', 'flags')).toBe('privileged;protected');
    expect(column('pat@acme.example', 'role')).toBe('time_tracking_admin');
    expect(column('eli@acme.example', 'state')).toBe('absent');
    expect(column('eli@acme.example', 'via')).toBe('team:bookkeeping');
    // The policy date is shown as written (the last allowed day), not as the next midnight.
    expect(column('bob@contractors.example', 'expires')).toBe('2026-05-03');
    expect(column('bob@contractors.example', 'flags')).toBe('expiring-soon');
  });

  it('neutralises formula injection in any cell', () => {
    const records = parseCsv(renderReviewCsv(sampleRows()));
    const byEmail = new Map(records.slice(1).map((record) => [record[2], record]));
    const bob = byEmail.get('bob@contractors.example') ?? [];
    expect(bob[REVIEW_CSV_COLUMNS.indexOf('reason')]).toBe(
      '\'=HYPERLINK("http://evil.example","x")',
    );
    expect(bob[REVIEW_CSV_COLUMNS.indexOf('name')]).toBe("'+Bob Ray\nmond");
    const pat = byEmail.get('pat@acme.example') ?? [];
    expect(pat[REVIEW_CSV_COLUMNS.indexOf('name')]).toBe("'@acme/owners <b>|x|</b>");
  });

  it.each([
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', '"\'\rx"'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
    ['FIN-42', 'FIN-42'],
    ['plain', 'plain'],
    ['', ''],
  ])('csvField(%j) is %j', (input, expected) => {
    expect(csvField(input)).toBe(expected);
  });

  it('round-trips any text: a reader gets it back, with a quote mark before a formula start', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 6 }),
        (fields) => {
          const line = `${fields.map(csvField).join(',')}\r\n`;
          const [record] = parseCsv(line);
          expect(record).toEqual(
            fields.map((field) => (/^[=+\-@\t\r]/.test(field) ? `'${field}` : field)),
          );
          for (const cell of record ?? []) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('writes only the header for an empty pack', () => {
    expect(renderReviewCsv([])).toBe(`${REVIEW_CSV_COLUMNS.join(',')}\r\n`);
  });
});

describe('renderReviewMarkdown', () => {
  const markdown = renderReviewMarkdown(sampleRows(), { generatedAt: '2026-05-01T12:00:00Z' });

  it('summarises, then tables every person', () => {
    expect(markdown).toContain('# Access review');
    expect(markdown).toContain('Generated 2026-05-01T12:00:00Z. 5 people across 1 business.');
    expect(markdown).toContain('## Acme Books Inc. (business 240340)');
    expect(markdown).toContain(
      '**5** people · **3** in the policy · privileged **3** · protected **1** · unmanaged **1**',
    );
    const tableRows = markdown.split('\n').filter((line) => line.startsWith('| `'));
    expect(tableRows).toHaveLength(5);
    const alice = tableRows.find((line) => line.includes('`alice@acme.example`')) ?? '';
    expect(alice).toContain('| Alice Chen | admin | active | admin |');
    expect(alice).toContain('| Dana Reyes | 2026-03-01 |');
    expect(alice).toMatch(/\| `\d\dc{10}` \| #12 \| 61 \| privileged \|$/);
    const eli = tableRows.find((line) => line.includes('`eli@acme.example`')) ?? '';
    expect(eli).toContain('| — | — | absent | accountant (team bookkeeping) |');
    for (const flag of REVIEW_FLAGS) expect(markdown).toContain(`- **${flag}**:`);
  });

  it('keeps user text from breaking the table, injecting HTML or mentioning anyone', () => {
    const pat = markdown.split('\n').find((line) => line.includes('`pat@acme.example`')) ?? '';
    // 14 columns: 15 unescaped pipes.
    expect(pat.replace(/\\\|/g, '').split('|')).toHaveLength(16);
    expect(pat).not.toContain('<b>');
    expect(pat).toContain('&lt;b>');
    expect(pat).not.toMatch(/(^|[^\w])@acme\/owners/);
    expect(pat).toContain('@\u200bacme/owners');
    const bob =
      markdown.split('\n').find((line) => line.includes('`bob@contractors.example`')) ?? '';
    expect(bob).toContain('+Bob Ray mond');
    expect(bob).not.toContain('http://');
  });

  it('says so when no one has access', () => {
    expect(renderReviewMarkdown([])).toContain('No one has access');
  });
});

describe('renderReviewJson', () => {
  it('carries the version, summary, flag legend and rows exactly', () => {
    const rows = sampleRows();
    const parsed = JSON.parse(renderReviewJson(rows, { generatedAt: '2026-05-01T12:00:00Z' })) as {
      version: number;
      generatedAt: string;
      summary: { people: number };
      flags: Record<string, string>;
      rows: ReviewRow[];
    };
    expect(parsed.version).toBe(1);
    expect(parsed.generatedAt).toBe('2026-05-01T12:00:00Z');
    expect(parsed.summary.people).toBe(rows.length);
    expect(Object.keys(parsed.flags)).toEqual([...REVIEW_FLAGS]);
    expect(parsed.rows).toEqual(rows);
    expect(renderReviewJson(rows)).toBe(renderReviewJson(rows));
  });
});
