import { describe, expect, it } from 'vitest';
import {
  classifyDrift,
  renderBusinessDriftMarkdown,
  renderDriftIssueBody,
  renderDriftJson,
  renderDriftMarkdown,
  renderDriftText,
  type DriftReport,
} from '../../../src/drift/index.js';
import {
  ACME_ID,
  acmeExample,
  desiredBusiness,
  desiredMember,
  desiredState,
  liveBusiness,
  liveMember,
  liveState,
  TEST_NOW,
} from '../../support/builders.js';

function example(now?: Date): DriftReport {
  const { desired, live, now: testNow } = acmeExample();
  return classifyDrift({ desired, live, now: now ?? testNow });
}

/** The markdown with every code span removed: what GitHub parses for mentions and HTML. */
function outsideCode(markdown: string): string {
  return markdown.replace(/``[^`]*``|`[^`]*`/g, '');
}

describe('markdown (the drift issue body)', () => {
  it('a summary table by class, then one section per class, most serious first', () => {
    const business = example().businesses[0];
    if (!business) throw new Error('no business');
    const md = renderBusinessDriftMarkdown(business);
    expect(md.startsWith('## FreshBooks drift: Acme Books Inc. (business 240340)\n')).toBe(true);
    expect(md).toContain('| Unmanaged access | 3 | **high** |');
    expect(md).toContain('| Expired but still active | 0 | — |');
    expect(md).toContain('| Missing access | 2 | low |');
    expect(md).toContain('| Expiring soon (reminders, not drift) | 0 | — |');
    const headings = md.split('\n').filter((l) => l.startsWith('### '));
    expect(headings).toEqual([
      '### Unmanaged access (3)',
      '### Role mismatch (2)',
      '### Missing access (2)',
      '### Invitation pending too long (1)',
    ]);
    expect(md).toContain(
      '| **high** | `grace@acme.example` | `manager`, active | `employee` · policies/acme-books.yaml:37 | FreshBooks has manager, the policy says employee |',
    );
    // Without first-seen dates (a local run), no such column.
    expect(md).not.toContain('First seen');
  });

  it('shows "first seen" for every item when the issue supplies the dates', () => {
    const business = example().businesses[0];
    if (!business) throw new Error('no business');
    const items = business.items.map((item, i) => ({
      ...item,
      firstSeen: `2026-04-${String(10 + i).padStart(2, '0')}T06:17:00.000Z`,
    }));
    const md = renderDriftIssueBody(business, items);
    expect(md).toContain('| Severity | Member | FreshBooks | Policy | Details | First seen |');
    expect(md).toMatch(/`pat@acme\.example` .* \| 2026-04-10 \|\n/);
    expect(md).toMatch(/`hana@acme\.example` .* \| 2026-04-17 \|\n/);
    expect(md).toContain('closes it when the drift clears');
  });

  it('does not depend on when it was rendered: the same drift gives the same body', () => {
    const a = example(TEST_NOW);
    const b = example(new Date(TEST_NOW.getTime() + 3 * 3_600_000));
    expect(b.generatedAt).not.toBe(a.generatedAt);
    expect(renderDriftMarkdown(b)).toBe(renderDriftMarkdown(a));
  });

  it('no drift: says so, and still lists reminders', () => {
    const policy = desiredBusiness({
      members: [
        desiredMember('alice@acme.example', 'admin'),
        desiredMember('bob@contractors.example', 'contractor', { expires: '2026-05-03' }),
      ],
    });
    const live = liveState({
      businesses: [
        liveBusiness({
          members: [
            liveMember('olivia@acme.example', 'owner'),
            liveMember('alice@acme.example', 'admin'),
            liveMember('bob@contractors.example', 'contractor'),
          ],
        }),
      ],
    });
    const report = classifyDrift({ desired: desiredState(policy), live, now: TEST_NOW });
    const md = renderDriftMarkdown(report);
    expect(md).toContain('No drift: FreshBooks matches the policy in `policies/acme-books.yaml`.');
    expect(md).not.toContain('| Drift | Items |');
    expect(md).toContain('### Expiring soon — reminders (1)');
    expect(md).toContain('contractor grant valid through 2026-05-03');
  });

  it('FreshBooks data is never markup: no mention, no HTML, no broken table', () => {
    const hostile = '@acme/admins|<img src=x onerror=alert(1)>';
    const policy = desiredBusiness({
      name: 'ignored',
      members: [desiredMember('alice@acme.example', 'admin')],
    });
    const live = liveState({
      businesses: [
        liveBusiness({
          name: 'Evil *Corp* @everyone',
          members: [
            liveMember('olivia@acme.example', 'owner'),
            liveMember('alice@acme.example', 'admin'),
            liveMember('x@acme.example', hostile),
          ],
        }),
      ],
    });
    const report = classifyDrift({ desired: desiredState(policy), live, now: TEST_NOW });
    const md = renderDriftMarkdown(report);
    const plain = outsideCode(md);
    expect(plain).not.toMatch(/(^|\s)@(acme|everyone)/);
    expect(plain).not.toContain('<img');
    expect(md).toContain('Evil \\*Corp\\* &#64;everyone');
    const row = md.split('\n').find((l) => l.includes('x@acme.example'));
    // Six cells: seven unescaped pipes outside code spans.
    expect(outsideCode(row ?? '').match(/(?<!\\)\|/g)).toHaveLength(6);
  });
});

describe('text', () => {
  it('lists every class with severity, both sides and the policy line; a summary at the end', () => {
    const text = renderDriftText(example());
    expect(text).toContain('Acme Books Inc. (240340) · policies/acme-books.yaml · authoritative');
    expect(text).toContain(
      '  Drift: 3 unmanaged access, 2 role mismatch, 2 missing access, 1 invitation pending too long',
    );
    expect(text).toMatch(
      /! high {3}grace@acme\.example +FreshBooks: manager, active · policy: employee\n +FreshBooks has manager, the policy says employee \(policies\/acme-books\.yaml:37\)\n/,
    );
    expect(text.trimEnd().split('\n').at(-1)).toBe('Drift: 8 items in 1 of 1 business.');
    expect(text).not.toContain('\u001b[');
  });

  it('colour only when asked; control characters from FreshBooks never reach the terminal', () => {
    const { desired } = acmeExample();
    const live = liveState({
      businesses: [
        liveBusiness({
          name: 'Acme\u001b]0;pwned\u0007',
          members: [liveMember('olivia@acme.example', 'owner')],
        }),
      ],
    });
    const report = classifyDrift({ desired, live, now: TEST_NOW });
    const plain = renderDriftText(report);
    // eslint-disable-next-line no-control-regex -- the point is that none is left
    expect(plain).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
    expect(plain).toContain('Acme\ufffd]0;pwned\ufffd');
    expect(renderDriftText(example(), { color: true })).toContain('\u001b[31m! high  \u001b[39m');
  });

  it('reminders only: no drift, and the reminder count', () => {
    const { desired, live } = acmeExample();
    const clean = classifyDrift({
      desired,
      live,
      now: new Date('2027-03-29T00:00:00Z'),
    });
    const bobOnly: DriftReport = {
      ...clean,
      businesses: clean.businesses.map((b) => ({
        ...b,
        items: b.items.filter((i) => i.class === 'expiring-soon'),
        hasDrift: false,
      })),
    };
    const text = renderDriftText(bobOnly);
    expect(text).toContain('No drift: FreshBooks matches the policy.');
    expect(text).toContain('Expiring soon (reminders, not drift) (1)');
    expect(text.trimEnd().split('\n').at(-1)).toBe(
      'No drift in 1 business. Reminders: 1 expiring soon.',
    );
  });
});

describe('json', () => {
  it('is the report itself', () => {
    const report = example();
    const parsed = JSON.parse(renderDriftJson(report)) as DriftReport;
    expect(parsed).toEqual(report);
    expect(parsed.businesses[0]?.businessId).toBe(ACME_ID);
    expect(parsed.businesses[0]?.items[0]).toMatchObject({
      key: '240340:unmanaged:pat@acme.example',
      class: 'unmanaged',
      severity: 'high',
      drift: true,
      live: { role: 'time_tracking_admin', state: 'active' },
      desired: null,
    });
  });
});
