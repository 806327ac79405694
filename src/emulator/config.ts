/**
 * The realism knobs, as one plain object that options set at start and
 * `PUT /_emulator/config` (or `control.configure`) changes at run time. Every value is
 * checked here, with an error that names the knob.
 */
import { RolecallError } from '../errors.js';
import { parseFaultSpec, type FaultSpec } from './faults.js';

export const WRITE_OPERATIONS = ['invite', 'changeRole', 'remove'] as const;
export type WriteOperation = (typeof WRITE_OPERATIONS)[number];

/**
 * Which `capacity` values an invitation accepts: the short UI name of the published sample
 * (`"manager"`), the API role name (`"business_manager"`), or both. FreshBooks documents only
 * the sample, so a client must work whichever one FreshBooks really takes.
 */
export const CAPACITY_ENCODINGS = ['any', 'short', 'api'] as const;
export type CapacityAcceptance = (typeof CAPACITY_ENCODINGS)[number];

export interface EmulatorConfig {
  /** Requests per second per OAuth client; null = unlimited. */
  rate: number | null;
  /** Bucket size; null = `rate`. */
  burst: number | null;
  latencyMs: number;
  jitterMs: number;
  faults: FaultSpec;
  faultSeed: number;
  /** How late a `slow` fault answers. */
  slowMs: number;
  /** Whether random faults also hit `POST /auth/oauth/token` and `/revoke` (default false). */
  faultTokenEndpoint: boolean;
  disabledWrites: WriteOperation[];
  /** Lifetime of access tokens issued from now on. */
  accessTokenTtlSeconds: number;
  /** An access token answers at most this many API requests; null = no limit. */
  accessTokenMaxRequests: number | null;
  /**
   * Whether `team_members` (the list and the single read) shows pending invitations. The
   * contract infers they are listed from one sample; false is the FreshBooks where they are not.
   */
  listPendingInvitations: boolean;
  /** The `capacity` encodings an invitation accepts; the other one answers 422. */
  inviteCapacity: CapacityAcceptance;
}

export const DEFAULT_CONFIG: Readonly<EmulatorConfig> = {
  rate: null,
  burst: null,
  latencyMs: 0,
  jitterMs: 0,
  faults: {},
  faultSeed: 1,
  slowMs: 3000,
  faultTokenEndpoint: false,
  disabledWrites: [],
  accessTokenTtlSeconds: 43_200,
  accessTokenMaxRequests: null,
  listPendingInvitations: true,
  inviteCapacity: 'any',
};

function configError(key: string, message: string): RolecallError {
  return new RolecallError('EMULATOR_CONFIG', `emulator ${key}: ${message}`);
}

function nonNegative(key: string, value: unknown, integer = false): number {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < 0 ||
    (integer && !Number.isInteger(value))
  ) {
    throw configError(
      key,
      `must be a non-negative ${integer ? 'integer' : 'number'}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function positiveOrNull(key: string, value: unknown, integer = false): number | null {
  if (value === null) return null;
  const n = nonNegative(key, value, integer);
  if (n === 0) throw configError(key, 'must be greater than 0 (or null for no limit)');
  return n;
}

function writeList(value: unknown): WriteOperation[] {
  const items =
    typeof value === 'string'
      ? value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : value;
  if (!Array.isArray(items)) throw configError('disabledWrites', 'must be a list');
  return items.map((item) => {
    if (!(WRITE_OPERATIONS as readonly unknown[]).includes(item)) {
      throw configError(
        'disabledWrites',
        `unknown write "${String(item)}" (use ${WRITE_OPERATIONS.join(', ')})`,
      );
    }
    return item as WriteOperation;
  });
}

/** A new config with the patch applied; unknown keys and bad values are errors. */
export function patchConfig(
  config: EmulatorConfig,
  patch: Record<string, unknown>,
): EmulatorConfig {
  const next: EmulatorConfig = {
    ...config,
    faults: { ...config.faults },
    disabledWrites: [...config.disabledWrites],
  };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    switch (key) {
      case 'rate':
        next.rate = positiveOrNull(key, value);
        break;
      case 'burst':
        next.burst = positiveOrNull(key, value, true);
        break;
      case 'latencyMs':
      case 'jitterMs':
      case 'slowMs':
        next[key] = nonNegative(key, value);
        break;
      case 'faults':
        next.faults = parseFaultSpec(value as string | FaultSpec);
        break;
      case 'faultSeed':
        if (typeof value !== 'number' || !Number.isInteger(value))
          throw configError(key, 'must be an integer');
        next.faultSeed = value;
        break;
      case 'faultTokenEndpoint':
        if (typeof value !== 'boolean') throw configError(key, 'must be true or false');
        next.faultTokenEndpoint = value;
        break;
      case 'disabledWrites':
        next.disabledWrites = writeList(value);
        break;
      case 'accessTokenTtlSeconds':
        next.accessTokenTtlSeconds =
          positiveOrNull(key, value, true) ?? DEFAULT_CONFIG.accessTokenTtlSeconds;
        break;
      case 'accessTokenMaxRequests':
        next.accessTokenMaxRequests = positiveOrNull(key, value, true);
        break;
      case 'listPendingInvitations':
        if (typeof value !== 'boolean') throw configError(key, 'must be true or false');
        next.listPendingInvitations = value;
        break;
      case 'inviteCapacity':
        if (!(CAPACITY_ENCODINGS as readonly unknown[]).includes(value)) {
          throw configError(key, `must be one of ${CAPACITY_ENCODINGS.join(', ')}`);
        }
        next.inviteCapacity = value as CapacityAcceptance;
        break;
      default:
        throw configError(key, 'is not a setting (see README, "The FreshBooks sandbox")');
    }
  }
  return next;
}
