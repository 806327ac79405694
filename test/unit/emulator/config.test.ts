import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, patchConfig } from '../../../src/emulator/config.js';

describe('patchConfig', () => {
  it('applies valid knobs and leaves the input untouched', () => {
    const next = patchConfig(DEFAULT_CONFIG, {
      rate: 5,
      burst: 10,
      latencyMs: 20,
      jitterMs: 5,
      faults: '500=0.1',
      faultSeed: -3,
      slowMs: 100,
      faultTokenEndpoint: true,
      disabledWrites: 'invite, remove',
      accessTokenTtlSeconds: 60,
      accessTokenMaxRequests: 2,
      listPendingInvitations: false,
      inviteCapacity: 'short',
    });
    expect(next).toEqual({
      rate: 5,
      burst: 10,
      latencyMs: 20,
      jitterMs: 5,
      faults: { '500': 0.1 },
      faultSeed: -3,
      slowMs: 100,
      faultTokenEndpoint: true,
      disabledWrites: ['invite', 'remove'],
      accessTokenTtlSeconds: 60,
      accessTokenMaxRequests: 2,
      listPendingInvitations: false,
      inviteCapacity: 'short',
    });
    expect(DEFAULT_CONFIG.rate).toBeNull();
    // FreshBooks as the contract infers it: pending invitations listed, both encodings taken.
    expect(DEFAULT_CONFIG.listPendingInvitations).toBe(true);
    expect(DEFAULT_CONFIG.inviteCapacity).toBe('any');
    expect(patchConfig(next, { rate: null, accessTokenMaxRequests: null })).toMatchObject({
      rate: null,
      accessTokenMaxRequests: null,
    });
  });

  it.each([
    [{ rate: -1 }, /emulator rate: must be a non-negative number/],
    [{ rate: 0 }, /rate: must be greater than 0/],
    [{ burst: 1.5 }, /burst: must be a non-negative integer/],
    [{ latencyMs: 'fast' }, /latencyMs/],
    [{ faults: 'boom=1' }, /unknown fault "boom"/],
    [{ faultSeed: 1.2 }, /faultSeed: must be an integer/],
    [{ faultTokenEndpoint: 'yes' }, /true or false/],
    [{ disabledWrites: ['delete'] }, /unknown write "delete"/],
    [{ accessTokenMaxRequests: 0 }, /greater than 0/],
    [{ listPendingInvitations: 'no' }, /listPendingInvitations: must be true or false/],
    [{ inviteCapacity: 'ui' }, /inviteCapacity: must be one of any, short, api/],
    [{ colour: 'red' }, /colour: is not a setting/],
  ])('refuses %j', (patch, message) => {
    expect(() => patchConfig(DEFAULT_CONFIG, patch)).toThrow(message);
  });
});
