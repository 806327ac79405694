import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RolecallError } from '../../../src/errors.js';
import {
  buildReviewPack,
  parseReviewIssueBody,
  renderReviewIssueBody,
  type ReviewRow,
} from '../../../src/review/index.js';
import type { DesiredMember, LiveMember } from '../../../src/types.js';
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

function rowsFor(members: DesiredMember[], liveMembers: LiveMember[]): ReviewRow[] {
  return buildReviewPack({
    desired: desiredState([policy(members)]),
    live: liveState([liveBusiness(liveMembers)]),
    provenance: () => provenance(),
    now: NOW,
  });
}

const POLICY = [
  desired('alice@acme.example', 'admin', { reason: 'Finance lead' }),
  desired('ben@acme.example', 'admin', { reason: 'Controller' }),
  desired('bob@contractors.example', 'contractor', {
    reason: 'Audit',
    expires: '2026-05-04T00:00:00.000Z',
  }),
  desired('dana@acme.example', 'accountant', { via: { kind: 'team', team: 'bookkeeping' } }),
  desired('kim@cpa-partners.example', 'accountant', { reason: 'Tax @acme/owners <img src=x>' }),
];
const LIVE = [
  live('alice@acme.example', 'admin', 'active', { firstName: 'Alice', lastName: 'Chen' }),
  live('ben@acme.example', 'admin'),
  live('bob@contractors.example', 'contractor'),
  live('kim@cpa-partners.example', 'accountant', 'invited'),
  live('olivia@acme.example', 'owner', 'active', { firstName: 'Olivia' }),
  live('zoe@acme.example', 'employee'),
];
const ALL = [
  'alice@acme.example',
  'ben@acme.example',
  'bob@contractors.example',
  'dana@acme.example',
  'kim@cpa-partners.example',
];

const body = renderReviewIssueBody(rowsFor(POLICY, LIVE), { due: '2026-05-31' });

/** What a reviewer does in GitHub's UI: click a box, which toggles `[x]` ↔ `[ ]` on that line. */
function uncheck(text: string, email: string): string {
  return text
    .split('\n')
    .map((line) =>
      line.includes(`<!-- member:${email} -->`) ? line.replace('- [x]', '- [ ]') : line,
    )
    .join('\n');
}

describe('renderReviewIssueBody', () => {
  it('lists every policy entry checked (keep), with its key, and says unchecking removes', () => {
    const boxes = body.split('\n').filter((line) => /^- \[[ x]\]/.test(line));
    expect(boxes).toHaveLength(ALL.length);
    for (const line of boxes) expect(line.startsWith('- [x] ')).toBe(true);
    for (const email of ALL) expect(body).toContain(`<!-- member:${email} -->`);
    expect(body).toContain('<!-- rolecall:review-body business=240340 due=2026-05-31 -->');
    expect(body).toContain('**Due 2026-05-31.**');
    expect(body).toMatch(/\*\*checked \(keep\)\*\*/);
    expect(body).toContain('**Uncheck** each');
    expect(body).toContain('Only an unchecked box removes someone');
  });

  it('gives no checkbox to the owner or to people not in the policy, but lists them', () => {
    expect(body).not.toContain('<!-- member:olivia@acme.example -->');
    expect(body).not.toContain('<!-- member:zoe@acme.example -->');
    expect(body).toContain('### Not removable by a policy edit (2)');
    expect(body).toMatch(
      /\| `olivia@acme\.example` \| Olivia \| owner \| active \| privileged, protected \|/,
    );
    expect(body).toMatch(/\| `zoe@acme\.example` \| — \| employee \| active \| unmanaged \|/);
  });

  it('shows role, state and provenance on each line, with user text escaped', () => {
    const line = (email: string) =>
      body.split('\n').find((l) => l.includes(`member:${email} `)) ?? '';
    expect(line('alice@acme.example')).toBe(
      '- [x] `alice@acme.example` Alice Chen — **admin** · privileged · Finance lead · granted by Dana Reyes on 2026-04-01 (#12) <!-- member:alice@acme.example -->',
    );
    expect(line('dana@acme.example')).toContain(
      '**accountant (team bookkeeping)** (no access yet)',
    );
    expect(line('kim@cpa-partners.example')).toContain('(invitation pending)');
    expect(line('kim@cpa-partners.example')).toContain('Tax @\u200bacme/owners &lt;img src=x>');
    expect(line('bob@contractors.example')).toContain('expires 2026-05-03');
  });

  it('uses the business given when there are no rows, and refuses a bad due date', () => {
    const empty = renderReviewIssueBody([], {
      due: '2026-05-31',
      business: { id: 7, name: 'Empty Co' },
    });
    expect(empty).toContain('## Access review: Empty Co (business 7)');
    expect(empty).toContain('No one.');
    for (const due of ['31/05/2026', '2026-13-45', '', '2026-05-31T00:00:00Z']) {
      expect(() => renderReviewIssueBody([], { due, business: { id: 7, name: 'x' } })).toThrow(
        RolecallError,
      );
    }
  });

  it('degrades to compact lines, then refuses, as the body nears the size limit', () => {
    const many = Array.from({ length: 400 }, (_, i) =>
      desired(`person${String(i).padStart(3, '0')}@acme.example`, 'employee', {
        reason: 'A rather long reason '.repeat(4),
      }),
    );
    const rows = rowsFor(many, []);
    const full = renderReviewIssueBody(rows, { due: '2026-05-31', maxLength: 1_000_000 });
    const compact = renderReviewIssueBody(rows, { due: '2026-05-31', maxLength: 40_000 });
    expect(full.length).toBeGreaterThan(40_000);
    expect(compact.length).toBeLessThanOrEqual(40_000);
    expect(compact).toContain(
      '- [x] `person000@acme.example` **employee** <!-- member:person000@acme.example -->',
    );
    expect(parseReviewIssueBody(compact).keep).toHaveLength(400);
    const error = (() => {
      try {
        renderReviewIssueBody(rows, { due: '2026-05-31', maxLength: 5_000 });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(RolecallError);
    expect((error as RolecallError).code).toBe('REVIEW_TOO_LARGE');
  });
});

describe('parseReviewIssueBody', () => {
  it('reads back the untouched body: everyone kept', () => {
    expect(parseReviewIssueBody(body)).toEqual({
      businessId: 240340,
      due: '2026-05-31',
      keep: ALL,
      remove: [],
      conflicting: [],
      missing: [],
      unknown: [],
    });
  });

  it('round-trips any choice of unchecked people', () => {
    fc.assert(
      fc.property(fc.subarray(ALL), (removed) => {
        let edited = body;
        for (const email of removed) edited = uncheck(edited, email);
        const parsed = parseReviewIssueBody(edited, { members: ALL });
        expect(parsed.remove).toEqual([...removed].sort());
        expect(parsed.keep).toEqual(ALL.filter((email) => !removed.includes(email)));
        expect(parsed.missing).toEqual([]);
      }),
    );
  });

  it('matches by the hidden key, whatever the reviewer did to the visible text or the order', () => {
    const lines = uncheck(body, 'ben@acme.example').split('\n');
    const edited = lines
      .map((line) =>
        line.includes('member:ben@acme.example')
          ? '* [ ] ~~Ben~~ leaves in June, see alice@acme.example <!-- member:ben@acme.example -->'
          : line.includes('member:alice@acme.example')
            ? line
                .replace('Alice Chen', 'Alice (ben@acme.example is her deputy)')
                .replace('- [x]', '  - [X]')
            : line,
      )
      .reverse()
      .join('\r\n');
    const parsed = parseReviewIssueBody(edited, { members: ALL });
    expect(parsed.remove).toEqual(['ben@acme.example']);
    expect(parsed.keep).toEqual(ALL.filter((email) => email !== 'ben@acme.example'));
  });

  it.each([
    [
      'a deleted line',
      (text: string) =>
        text
          .split('\n')
          .filter((l) => !l.includes('member:bob@'))
          .join('\n'),
    ],
    [
      'a line whose box was removed',
      (text: string) => uncheck(text, 'bob@contractors.example').replace(/- \[ \] (`bob@)/, '- $1'),
    ],
    [
      'a line moved into a code block',
      (text: string) =>
        `${text
          .split('\n')
          .filter((l) => !l.includes('member:bob@'))
          .join('\n')}\n\`\`\`\n${uncheck(text, 'bob@contractors.example')
          .split('\n')
          .find((l) => l.includes('member:bob@'))}\n\`\`\`\n`,
    ],
    [
      'a line commented out',
      (text: string) => {
        const lines = uncheck(text, 'bob@contractors.example').split('\n');
        return lines.map((l) => (l.includes('member:bob@') ? `<!--\n${l}\n-->` : l)).join('\n');
      },
    ],
    [
      'a line quoted',
      (text: string) =>
        uncheck(text, 'bob@contractors.example').replace(/^- \[ \] (.*member:bob@)/m, '> - [ ] $1'),
    ],
  ])('keeps the person for %s (no unchecked box, no removal)', (_label, edit) => {
    const parsed = parseReviewIssueBody(edit(body), { members: ALL });
    expect(parsed.remove).toEqual([]);
    expect(parsed.keep).not.toContain('bob@contractors.example');
    expect(parsed.missing).toEqual(['bob@contractors.example']);
  });

  it('keeps a person checked on one line and unchecked on another (conflicting)', () => {
    const line = body.split('\n').find((l) => l.includes('member:ben@')) ?? '';
    const edited = `${body}\n${line.replace('- [x]', '- [ ]')}\n`;
    const parsed = parseReviewIssueBody(edited, { members: ALL });
    expect(parsed.conflicting).toEqual(['ben@acme.example']);
    expect(parsed.remove).toEqual([]);
    expect(parsed.keep).not.toContain('ben@acme.example');
  });

  it('ignores keys that name no one under review, and lines naming two people', () => {
    const forged = `${body}\n- [ ] the CEO <!-- member:ceo@acme.example -->\n- [ ] two <!-- member:alice@acme.example --> <!-- member:ben@acme.example -->\n`;
    const parsed = parseReviewIssueBody(forged, { members: ALL });
    expect(parsed.unknown).toEqual(['ceo@acme.example']);
    expect(parsed.remove).toEqual([]);
    expect(parsed.keep).toEqual(ALL);
    // Without a member list the forged key is reported as an unchecked key: callers that act on
    // `remove` must intersect it with the policy (review close removes only policy entries).
    expect(parseReviewIssueBody(forged).remove).toEqual(['ceo@acme.example']);
  });

  it('decodes %-encoded keys and tolerates garbage ones', () => {
    const rows = rowsFor([desired('o--brien+x@acme.example', 'employee')], []);
    const text = renderReviewIssueBody(rows, { due: '2026-05-31' });
    expect(text).toContain('<!-- member:o-%2Dbrien+x@acme.example -->');
    expect(text).not.toMatch(/member:[^>]*--[^>]*-->/);
    expect(parseReviewIssueBody(uncheck(text, 'o-%2Dbrien+x@acme.example')).remove).toEqual([
      'o--brien+x@acme.example',
    ]);
    expect(parseReviewIssueBody('- [ ] x <!-- member:%E0%A4%A -->').remove).toEqual([]);
  });

  it('reads nothing from a body that is not a review', () => {
    expect(parseReviewIssueBody('Just an issue.\n- [ ] a todo\n')).toEqual({
      businessId: null,
      due: null,
      keep: [],
      remove: [],
      conflicting: [],
      missing: [],
      unknown: [],
    });
  });
});
