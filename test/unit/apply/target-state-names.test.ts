import { describe, expect, it } from 'vitest';
import { checkTarget, type MemberView } from '../../../src/apply/target-state.js';
import type { Change } from '../../../src/types.js';

const grant: Change = {
  businessId: 240340,
  email: 'eli@acme.example',
  action: 'grant',
  from: null,
  to: { role: 'accountant' },
  reason: 'in policy',
  provisioning: 'api',
};

const holding = (apiRole: string): MemberView => ({
  uuid: 'u-1',
  email: 'eli@acme.example',
  apiRole,
  state: 'invited',
});

describe('a grant that meets the person holding another role', () => {
  it('names the role as the policy does', () => {
    expect(checkTarget(grant, [holding('business_manager')])).toEqual({
      status: 'conflict',
      detail: 'eli@acme.example is now invited as manager; re-plan',
    });
  });

  it('keeps a role rolecall does not know verbatim', () => {
    expect(checkTarget(grant, [holding('payroll_admin')])).toEqual({
      status: 'conflict',
      detail: 'eli@acme.example is now invited as payroll_admin; re-plan',
    });
  });
});
