import { FreshBooksApiError } from '../../../src/errors.js';
import { capacityOf } from '../../../src/freshbooks/freshbooks-client.js';
import type {
  AccessReader,
  AccessWriter,
  CapacityEncoding,
  IdentityRecord,
  InviteOptions,
  TeamMemberRecord,
  WriteReceipt,
} from '../../../src/ports.js';

/** What a scripted fault does to one write. */
export type FaultKind =
  | 'lost-after-write' // the write happens, the answer is lost (5xx/reset after the fact)
  | 'lost-before-write' // nothing happens, the answer is lost (timeout before FreshBooks acted)
  | 'rate-limited' // 429, nothing happens
  | 'not-offered' // 404: the route is switched off → manual fallback
  | 'rejected' // 422: a permanent refusal
  | 'ack'; // answered as a success (2xx, the usual receipt), and nothing happened

export interface WriteCall {
  kind: 'invite' | 'changeRole' | 'remove';
  businessId: number;
  email: string;
  uuid?: string;
  apiRole?: string;
  /** An invitation: the capacity encoding the applier asked to try first. */
  encoding?: CapacityEncoding;
}

export interface FakeMember {
  email: string;
  apiRole: string;
  state?: 'active' | 'invited' | 'deactivated';
  identityId?: number | null;
  uuid?: string;
}

/**
 * An in-memory FreshBooks behind the `AccessReader & AccessWriter` ports, for unit tests of
 * the applier (integration tests use the real emulator and client). States follow the API
 * contract: pending = inactive with no identity and no accepted invitation.
 */
export class FakeFreshBooks implements AccessReader, AccessWriter {
  readonly businesses = new Map<number, { name: string; members: TeamMemberRecord[] }>();
  /** Writes that took effect, in order. */
  readonly effective: WriteCall[] = [];
  /** Every write call, effective or not. */
  readonly calls: WriteCall[] = [];
  reads = 0;
  inFlight = 0;
  maxInFlight = 0;
  fault: (call: WriteCall, attempt: number) => FaultKind | undefined = () => undefined;
  /** Called after each effective write (property tests watch invariants here). */
  onEffect: (call: WriteCall) => void = () => undefined;
  delay: () => Promise<void> = () => Promise.resolve();
  /** False: reads do not show pending invitations (a FreshBooks that does not list them). */
  listsPending = true;
  /**
   * The capacity encoding FreshBooks takes (the client falls back to it, and its receipt says
   * so); `any`: whichever the applier asked for.
   */
  takesEncoding: CapacityEncoding | 'any' = 'any';
  /** Makes a read fail (the read-back of a write, say): thrown from the read when it answers. */
  readFault: (kind: 'list' | 'get') => Error | undefined = () => undefined;
  /** Reads by kind. */
  readCalls = { list: 0, get: 0 };
  /**
   * Paid seats per business, enforced like the emulator does: an invitation with a paid role,
   * or a change from Unassigned to a paid role, beyond it answers 422 with FreshBooks' (assumed)
   * team member limit message. Null (the default): no limit.
   */
  seatLimit: number | null = null;
  private seq = 0;
  private readonly attempts = new Map<string, number>();

  constructor(readonly identity = { identityId: 5001, email: 'alice@acme.example' }) {}

  addBusiness(businessId: number, name: string, members: FakeMember[]): this {
    this.businesses.set(businessId, {
      name,
      members: members.map((m) => this.record(businessId, m)),
    });
    return this;
  }

  private record(businessId: number, m: FakeMember): TeamMemberRecord {
    const state = m.state ?? 'active';
    this.seq += 1;
    return {
      uuid: m.uuid ?? `u-${businessId}-${this.seq}`,
      businessId,
      email: m.email,
      firstName: null,
      middleName: null,
      lastName: null,
      apiRole: m.apiRole,
      active: state === 'active',
      identityId: state === 'invited' ? null : (m.identityId ?? 9000 + this.seq),
      invitationDateAccepted: state === 'invited' ? null : '2026-01-01T00:00:00Z',
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
    };
  }

  members(businessId: number): TeamMemberRecord[] {
    const business = this.businesses.get(businessId);
    if (!business) throw new Error(`no business ${businessId}`);
    return business.members;
  }

  /** Change a member behind the applier's back. */
  tamper(businessId: number, email: string, patch: Partial<TeamMemberRecord>): void {
    const member = this.members(businessId).find((m) => m.email === email);
    if (!member) throw new Error(`no member ${email}`);
    Object.assign(member, patch, { updatedAt: '2026-06-01T00:00:00Z' });
  }

  async whoami(): Promise<IdentityRecord> {
    this.reads += 1;
    return {
      identityId: this.identity.identityId,
      email: this.identity.email,
      firstName: null,
      lastName: null,
      businesses: [...this.businesses].map(([businessId, b]) => ({
        businessId,
        businessUuid: null,
        name: b.name,
        accountId: null,
        role: 'business_partner',
      })),
    };
  }

  async listTeamMembers(businessId: number): Promise<TeamMemberRecord[]> {
    this.reads += 1;
    this.readCalls.list += 1;
    await this.delay();
    const fault = this.readFault('list');
    if (fault) throw fault;
    return this.members(businessId)
      .filter((m) => this.shown(m))
      .map((m) => ({ ...m }));
  }

  /**
   * Off unless a test sets `lastPageSize`: then the last `lastPageSize` members listed, in the
   * order they were added (as the emulator pages them).
   */
  lastPageSize: number | undefined;
  lastTeamPageCalls = 0;

  get lastTeamPage(): ((businessId: number) => Promise<TeamMemberRecord[]>) | undefined {
    const size = this.lastPageSize;
    if (size === undefined) return undefined;
    return async (businessId) => {
      this.reads += 1;
      this.lastTeamPageCalls += 1;
      await this.delay();
      const fault = this.readFault('list');
      if (fault) throw fault;
      const listed = this.members(businessId).filter((m) => this.shown(m));
      return listed.slice(Math.max(0, listed.length - size)).map((m) => ({ ...m }));
    };
  }

  async getTeamMember(businessId: number, uuid: string): Promise<TeamMemberRecord | null> {
    this.reads += 1;
    this.readCalls.get += 1;
    await this.delay();
    const fault = this.readFault('get');
    if (fault) throw fault;
    const found = this.members(businessId).find((m) => m.uuid === uuid && this.shown(m));
    return found ? { ...found } : null;
  }

  private shown(m: TeamMemberRecord): boolean {
    return this.listsPending || m.active || m.invitationDateAccepted !== null;
  }

  invite(
    businessId: number,
    email: string,
    apiRole: string,
    options: InviteOptions = {},
  ): Promise<WriteReceipt> {
    const asked = options.encoding ?? 'short';
    const call: WriteCall = { kind: 'invite', businessId, email, apiRole, encoding: asked };
    return this.write(call, () => {
      const existing = this.members(businessId).find((m) => m.email === email);
      if (existing?.active || (existing && existing.invitationDateAccepted === null)) {
        throw apiError(422, 'POST /auth/api/v1/users/invitation', 'already a member');
      }
      this.requireSeat(businessId, apiRole, 'POST /auth/api/v1/users/invitation');
      if (existing) {
        Object.assign(existing, {
          apiRole,
          identityId: null,
          invitationDateAccepted: null,
          active: false,
        });
        return existing;
      }
      const record = this.record(businessId, { email, apiRole, state: 'invited' });
      this.members(businessId).push(record);
      return record;
    }).then((receipt) => {
      const encoding = this.takesEncoding === 'any' ? asked : this.takesEncoding;
      const sent = capacityOf(apiRole, encoding);
      return {
        ...receipt,
        capacity: { sent, encoding, ...(encoding === asked ? {} : { fellBackFrom: asked }) },
      };
    });
  }

  changeRole(businessId: number, uuid: string, apiRole: string): Promise<WriteReceipt> {
    const email = this.members(businessId).find((m) => m.uuid === uuid)?.email ?? '?';
    return this.write({ kind: 'changeRole', businessId, email, uuid, apiRole }, () => {
      const member = this.members(businessId).find((m) => m.uuid === uuid);
      if (!member) throw apiError(404, `PUT team_members/${uuid}`, 'not found');
      if (member.apiRole === 'owner')
        throw apiError(403, `PUT team_members/${uuid}`, 'Permission Denied.', 1003);
      if (!holdsSeat(member)) this.requireSeat(businessId, apiRole, `PUT team_members/${uuid}`);
      member.apiRole = apiRole;
      member.updatedAt = '2026-11-29T10:00:00Z';
      return member;
    });
  }

  remove(businessId: number, uuid: string): Promise<WriteReceipt> {
    const email = this.members(businessId).find((m) => m.uuid === uuid)?.email ?? '?';
    return this.write({ kind: 'remove', businessId, email, uuid }, () => {
      const list = this.members(businessId);
      const member = list.find((m) => m.uuid === uuid);
      if (!member) throw apiError(404, `DELETE team_members/${uuid}`, 'not found');
      if (member.apiRole === 'owner')
        throw apiError(403, `DELETE team_members/${uuid}`, 'Permission Denied.', 1003);
      if (!member.active && member.invitationDateAccepted === null)
        list.splice(list.indexOf(member), 1);
      else member.active = false;
      return member;
    });
  }

  /** Paid seats in use: active or pending members whose role is not free. */
  seatsInUse(businessId: number): number {
    return this.members(businessId).filter(holdsSeat).length;
  }

  private requireSeat(businessId: number, apiRole: string, route: string): void {
    if (this.seatLimit === null || FREE_API_ROLES.has(apiRole)) return;
    if (this.seatsInUse(businessId) >= this.seatLimit)
      throw apiError(422, route, SEAT_LIMIT_MESSAGE, 1040);
  }

  /** The member a write's answer would show had it taken effect (it did not). */
  private claim(call: WriteCall): TeamMemberRecord {
    const existing = this.members(call.businessId).find((m) =>
      call.uuid === undefined ? m.email === call.email : m.uuid === call.uuid,
    );
    const base = existing ?? {
      ...this.record(call.businessId, { email: call.email, apiRole: call.apiRole ?? '' }),
      uuid: `u-claimed-${this.calls.length}`,
    };
    return { ...base, ...(call.apiRole === undefined ? {} : { apiRole: call.apiRole }) };
  }

  private async write(call: WriteCall, effect: () => TeamMemberRecord): Promise<WriteReceipt> {
    this.calls.push(call);
    const key = `${call.kind}/${call.businessId}/${call.email}`;
    const attempt = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, attempt);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await this.delay();
      const route = `${call.kind} ${call.email}`;
      const fault = this.fault(call, attempt);
      if (fault === 'lost-before-write') throw apiError(null, route, 'socket hang up', null, true);
      if (fault === 'rate-limited') throw apiError(429, route, 'rate limited');
      if (fault === 'not-offered') throw apiError(404, route, 'Not Found');
      if (fault === 'rejected') throw apiError(422, route, 'Unprocessable');
      if (fault === 'ack')
        return { requestId: `req-${this.calls.length}`, member: this.claim(call) };
      const member = effect();
      this.effective.push(call);
      this.onEffect(call);
      if (fault === 'lost-after-write') throw apiError(502, route, 'Bad Gateway', null, true);
      return { requestId: `req-${this.calls.length}`, member: { ...member } };
    } finally {
      this.inFlight -= 1;
    }
  }
}

/** The emulator's (assumed) answer to a write beyond the paid-seat limit. */
export const SEAT_LIMIT_MESSAGE =
  'You have reached the limit of paid team members for this business. Upgrade your plan or remove a team member.';
const FREE_API_ROLES: ReadonlySet<string> = new Set(['owner', 'no_seat_employee', 'client']);

function holdsSeat(m: TeamMemberRecord): boolean {
  const deactivated = !m.active && m.invitationDateAccepted !== null;
  return !deactivated && !FREE_API_ROLES.has(m.apiRole);
}

export function apiError(
  status: number | null,
  route: string,
  message: string,
  errno: number | null = null,
  outcomeUnknown = false,
): FreshBooksApiError {
  return new FreshBooksApiError(message, {
    status,
    errno,
    route,
    outcomeUnknown,
    requestId: status === null ? null : `err-${route.length}`,
  });
}
