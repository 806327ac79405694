import { describe, expect, it } from 'vitest';
import { renderRequestStatus } from '../../../src/jit/render-request-status.js';
import {
  parseLinkRecord,
  parseRequestTrailers,
  parseStatusRecord,
  requestTrailers,
  type RequestStatusRecord,
} from '../../../src/jit/request-link.js';

const RECORD: RequestStatusRecord = {
  v: 1,
  state: 'open',
  issue: 12,
  requester: 'temp-gh',
  editors: [],
  formDigest: `sha256:${'a'.repeat(64)}`,
  request: {
    businessId: 240340,
    businessName: 'Acme Books Inc.',
    email: 'temp@contractors.example',
    role: 'contractor',
    expires: '2026-03-02T17:00:00Z',
    endsAt: '2026-03-02T17:00:00.000Z',
    asked: '8h',
    reason: 'Quarter close',
    ticket: 'FIN-99',
    requestedAt: '2026-03-02T09:00:00.000Z',
  },
  pullRequest: 13,
  approvers: [],
  at: '2026-03-02T09:00:00.000Z',
};

describe('request trailers', () => {
  it('round-trip, and name only issues and logins', () => {
    const text = `rolecall: grant\n\nReason: x\n\n${requestTrailers({ issue: 12, requester: 'temp-gh', editors: ['maya'] })}`;
    expect(parseRequestTrailers(text)).toEqual({ issues: [12], logins: ['temp-gh', 'maya'] });
    expect(
      parseRequestTrailers(
        'Rolecall-Request: 12\nRolecall-Requested-By: $(id)\nRolecall-Edited-By: a b\nRolecall-Request: #x',
      ),
    ).toEqual({ issues: [], logins: [] });
    expect(parseRequestTrailers(null)).toEqual({ issues: [], logins: [] });
  });
});

describe('records read back from GitHub are shape-checked', () => {
  it('keeps a good status record and drops what does not fit', () => {
    expect(parseStatusRecord(JSON.parse(JSON.stringify(RECORD)))).toEqual(RECORD);
    expect(parseStatusRecord({ ...RECORD, state: 'approved' })).toBeNull();
    expect(parseStatusRecord({ ...RECORD, requester: '<script>' })).toBeNull();
    expect(parseStatusRecord({ ...RECORD, v: 2 })).toBeNull();
    expect(parseStatusRecord('x')).toBeNull();
    // A malformed request or list is dropped, not trusted.
    const odd = parseStatusRecord({
      ...RECORD,
      request: { ...RECORD.request, endsAt: 'soon' },
      editors: ['ok', 'not ok'],
      pullRequest: '13',
    });
    expect(odd).toMatchObject({ request: null, editors: ['ok'], pullRequest: null });
  });

  it('keeps a good link record only', () => {
    expect(
      parseLinkRecord({ v: 1, issue: 12, requester: 'temp-gh', editors: ['maya', 7] }),
    ).toEqual({
      v: 1,
      issue: 12,
      requester: 'temp-gh',
      editors: ['maya'],
    });
    expect(parseLinkRecord({ v: 1, issue: 0, requester: 'temp-gh' })).toBeNull();
    expect(parseLinkRecord({ v: 1, issue: 3, requester: '@x y' })).toBeNull();
  });
});

describe('renderRequestStatus', () => {
  it('shows the request, the plan and the approval needed while waiting', () => {
    const text = renderRequestStatus(
      { ...RECORD, forThemselves: false },
      {
        plan: { lines: ['+ temp@contractors.example: grant contractor'], note: null },
        approvals: ['1 approving review (approvals.required)'],
      },
    );
    expect(text).toContain('### ⏳ Waiting for approval');
    expect(text).toContain('#13 proposes this change to the policy.');
    expect(text).toContain('- `+ temp@contractors.example: grant contractor`');
    expect(text).toContain(
      '| **Until** | 2026-03-02 17:00 UTC (asked as `8h` at 2026-03-02 09:00 UTC',
    );
    expect(text).toContain(
      '| **Requested by** | @temp-gh — **for someone else**: rolecall cannot link this address to them |',
    );
    expect(text).toContain('- 1 approving review (approvals.required)');
  });

  it('makes every answer inert: no markup, no mention, no link, no reference', () => {
    const text = renderRequestStatus(
      {
        ...RECORD,
        state: 'refused',
        request: {
          ...(RECORD.request as NonNullable<RequestStatusRecord['request']>),
          reason: '@org/team see #1 **now** www.x.example',
        },
      },
      { problems: ['Email "<b>@admins</b>" is not one e-mail address'] },
    );
    expect(text).not.toMatch(/@org\/team|@admins|<b>|\*\*now\*\*|www\.x|(^|[^\\])#1\b/);
    expect(text).toContain('**To fix it, edit this issue**');
  });

  it('renders the same text for the same record (a re-run writes nothing)', () => {
    expect(renderRequestStatus(RECORD)).toBe(renderRequestStatus(structuredClone(RECORD)));
  });

  it('says granted until when, and revoked by expiry', () => {
    const granted = renderRequestStatus(
      { ...RECORD, state: 'granted', approvers: ['ben-gh'] },
      { mergeCommit: 'c'.repeat(40) },
    );
    expect(granted).toContain(
      '**Granted until 2026-03-02 17:00 UTC.** #13 was approved, merged (merge `cccccccccccc`) and applied.',
    );
    expect(granted).toContain('| **Approved by** | @ben-gh |');
    const revoked = renderRequestStatus({
      ...RECORD,
      state: 'revoked',
      at: '2026-03-02T18:00:00.000Z',
    });
    expect(revoked).toContain('### 🔒 Ended: revoked by expiry');
    expect(revoked).toContain(
      '**Revoked by expiry** at 2026-03-02 18:00 UTC (the access ended 2026-03-02 17:00 UTC).',
    );
  });
});
