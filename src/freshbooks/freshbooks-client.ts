import { FreshBooksApiError, RolecallError } from '../errors.js';
import type {
  AccessReader,
  AccessWriter,
  CapacityEncoding,
  IdentityRecord,
  InviteOptions,
  TeamMemberRecord,
  WriteReceipt,
} from '../ports.js';
import { policyRoleOf } from '../roles.js';
import type { ApiAnswer, ApiCall, ApiClient } from './api-client.js';
import { listingInterrupted, memberRead, pagedRead } from './lane-hooks.js';
import { mapBounded } from './map-bounded.js';
import {
  UnexpectedResponseError,
  identityFromWire,
  isRecord,
  pageMetaFromWire,
  teamMemberFromWire,
} from './map-wire.js';
import { isSeatLimitRefusal } from './seat-limit.js';

/** FreshBooks caps `per_page` at 100: the fewest requests for N members is ceil(N / 100). */
export const PAGE_SIZE = 100;
/** A listing that changes while it is paged is read again, this many times at most. */
const MAX_RELISTS = 2;

const ME_PATH = '/auth/api/v1/users/me';
const membersPath = (businessId: number) => `/auth/api/v1/businesses/${businessId}/team_members`;
const INVITATION_PATH = '/auth/api/v1/users/invitation';

/** A path segment: an empty uuid would silently address the whole team list instead. */
function memberPath(businessId: number, uuid: string): string {
  if (uuid.trim() === '') throw new RolecallError('BAD_UUID', 'a team member uuid is empty');
  return `${membersPath(businessId)}/${encodeURIComponent(uuid)}`;
}

/** The FreshBooks operations rolecall uses, over an `ApiClient`. The only code with these URLs. */
export class FreshBooksClient implements AccessReader, AccessWriter {
  private scopesFromMe: string[] | undefined;
  /** The team size each business's last page read said (`lastTeamPage` starts there). */
  private readonly totals = new Map<number, number>();

  constructor(
    private readonly api: ApiClient,
    private readonly options: { pageConcurrency: number } = { pageConcurrency: 4 },
  ) {}

  async whoami(): Promise<IdentityRecord> {
    const answer = await this.api.call({ method: 'GET', path: ME_PATH, kind: 'read' });
    const body = answer.body;
    if (!isRecord(body)) throw new UnexpectedResponseError(`GET ${ME_PATH}`, 'no JSON object');
    const identity = identityFromWire(body['response'], `GET ${ME_PATH}`);
    if (identity.scopes !== undefined && identity.scopes.length > 0)
      this.scopesFromMe = identity.scopes;
    return identity;
  }

  /**
   * Page 1 first (it tells the total), then every other page concurrently. If the total moves
   * between pages, or pages overlap, someone changed the team mid-read: read it again rather
   * than return a listing that never existed.
   */
  async listTeamMembers(businessId: number): Promise<TeamMemberRecord[]> {
    for (let attempt = 0; ;) {
      // A scheduler that let writes go (for a single member's read, or while a page waited out
      // a Retry-After) holds them back again.
      await pagedRead();
      const first = await this.page(businessId, 1);
      const pageCount = Math.max(1, Math.ceil(first.meta.total / first.meta.perPage));
      const rest = await mapBounded(
        Array.from({ length: pageCount - 1 }, (_, i) => i + 2),
        this.options.pageConcurrency,
        (page) => this.page(businessId, page),
      );
      // Our own writes went while a page waited: read it all again, writes held back. Not a
      // change by someone else, so it does not count as an attempt (the scheduler lets writes
      // go only a few times per listing).
      if (listingInterrupted()) continue;
      attempt++;
      const pages = [first, ...rest];
      const members = pages.flatMap((p) => p.members);
      const consistent =
        pages.every((p) => p.meta.total === first.meta.total) &&
        new Set(members.map((m) => m.uuid)).size === members.length &&
        members.length === first.meta.total;
      if (consistent) return members;
      if (attempt > MAX_RELISTS) {
        throw new UnexpectedResponseError(
          `GET ${membersPath(businessId)}`,
          `the team changed while it was being read (${MAX_RELISTS + 1} attempts); try again`,
        );
      }
    }
  }

  /**
   * The last page of the team, found from the last total this client saw (a page tells the
   * total, so a guess one page short costs one more request). No scheduler hold: what it shows
   * is evidence that a member exists, never a listing of the team.
   */
  async lastTeamPage(businessId: number): Promise<TeamMemberRecord[]> {
    const pageOf = (total: number) => Math.max(1, Math.ceil(total / PAGE_SIZE));
    const guess = pageOf(this.totals.get(businessId) ?? 0);
    const read = await this.page(businessId, guess);
    const last = pageOf(read.meta.total);
    return last === guess ? read.members : (await this.page(businessId, last)).members;
  }

  async getTeamMember(businessId: number, uuid: string): Promise<TeamMemberRecord | null> {
    const path = memberPath(businessId, uuid);
    // One record, no paging: a write landing meanwhile cannot make it inconsistent.
    memberRead();
    try {
      const answer = await this.api.call({ method: 'GET', path, kind: 'read' });
      const body = answer.body;
      if (!isRecord(body)) throw new UnexpectedResponseError(`GET ${path}`, 'no JSON object');
      return teamMemberFromWire(body['response'], businessId, `GET ${path}`);
    } catch (error) {
      if (error instanceof FreshBooksApiError && error.status === 404) return null;
      throw error;
    }
  }

  /**
   * The scopes the token carries, as far as FreshBooks said: the token answer's `scope`, else
   * what `users/me` listed; `undefined` when neither said (see `ApiClient.learnGrantedScope`).
   */
  grantedScopes(): string[] | undefined {
    const fromToken = this.api.grantedScope();
    const scopes = typeof fromToken === 'string' ? scopeList(fromToken) : [];
    if (scopes.length > 0) return scopes;
    return this.scopesFromMe;
  }

  /**
   * The published invitation. `capacity` is sent first in `options.encoding` (default the
   * published sample's short name, `"manager"`); only when FreshBooks refuses it as invalid
   * (400/422) is the other encoding (`"business_manager"`) tried, once. The receipt says which
   * one FreshBooks took, so the caller can start with it next time.
   */
  async invite(
    businessId: number,
    email: string,
    apiRole: string,
    options: InviteOptions = {},
  ): Promise<WriteReceipt> {
    const first = options.encoding ?? 'short';
    const send = async (encoding: CapacityEncoding): Promise<WriteReceipt> => {
      const capacity = capacityOf(apiRole, encoding);
      const answer = await this.write({
        method: 'POST',
        path: INVITATION_PATH,
        body: {
          capacity,
          to_email: email,
          invitable_id: businessId,
          invitable_type: 'business',
        },
        kind: 'write',
      });
      return {
        ...receipt(answer.requestId, answer.body, businessId, `POST ${INVITATION_PATH}`),
        capacity: { sent: capacity, encoding },
      };
    };
    const other: CapacityEncoding = first === 'short' ? 'api' : 'short';
    // A role with no short name (none today) can only be sent by its API name.
    if (capacityOf(apiRole, first) === capacityOf(apiRole, other)) return send(first);
    try {
      return await send(first);
    } catch (error) {
      if (!isInvalidCapacity(error)) throw error;
      try {
        const taken = await send(other);
        return { ...taken, capacity: { ...taken.capacity!, fellBackFrom: first } };
      } catch (second) {
        if (!(second instanceof FreshBooksApiError) || !isInvalidCapacity(second)) throw second;
        throw new FreshBooksApiError(
          `${error.message}; and with capacity "${capacityOf(apiRole, other)}" instead: ${second.message}`,
          {
            status: second.status,
            errno: second.errno,
            apiCode: second.apiCode,
            requestId: second.requestId,
            route: second.route,
          },
        );
      }
    }
  }

  async changeRole(businessId: number, uuid: string, apiRole: string): Promise<WriteReceipt> {
    const path = memberPath(businessId, uuid);
    const answer = await this.write({
      method: 'PUT',
      path,
      body: { team_member: { business_role_name: apiRole } },
      kind: 'write',
    });
    return receipt(answer.requestId, answer.body, businessId, `PUT ${path}`);
  }

  async remove(businessId: number, uuid: string): Promise<WriteReceipt> {
    const path = memberPath(businessId, uuid);
    const answer = await this.write({ method: 'DELETE', path, kind: 'write' });
    return receipt(answer.requestId, answer.body, businessId, `DELETE ${path}`);
  }

  /**
   * A team write, told apart from a missing scope: a token known to lack `user:teams:write` is
   * refused here, before anything is sent; a 403 to a token whose scopes are unknown makes them
   * known (one token refresh) and is then either "re-authorise with the scope" or FreshBooks'
   * own refusal (which the applier turns into a manual task).
   */
  private async write(call: ApiCall): Promise<ApiAnswer> {
    const route = `${call.method} ${call.path}`;
    this.requireWriteScope(route);
    try {
      return await this.api.call(call);
    } catch (error) {
      if (error instanceof FreshBooksApiError && error.status === 403) {
        if (this.grantedScopes() === undefined) await this.api.learnGrantedScope();
        this.requireWriteScope(route, error.status);
      }
      throw error;
    }
  }

  private requireWriteScope(route: string, refused?: number): void {
    const granted = this.grantedScopes();
    if (granted === undefined || granted.includes(TEAM_WRITE_SCOPE)) return;
    const what =
      refused === undefined ? `${route} not sent` : `FreshBooks refused ${route} (${refused})`;
    throw new RolecallError(
      'FRESHBOOKS_SCOPE_MISSING',
      `${what}: the FreshBooks authorisation lacks the scope ${TEAM_WRITE_SCOPE} (granted: ${granted.join(' ')}), and FreshBooks refuses team changes without it — run \`rolecall auth login\`, approve every scope rolecall asks for, then apply again`,
    );
  }

  private async page(businessId: number, page: number) {
    const path = membersPath(businessId);
    const route = `GET ${path}`;
    const answer = await this.api.call({
      method: 'GET',
      path,
      query: { page, per_page: PAGE_SIZE },
      kind: 'read',
    });
    const body = answer.body;
    if (!isRecord(body) || !Array.isArray(body['response'])) {
      throw new UnexpectedResponseError(route, '`response` is not a list');
    }
    const meta = pageMetaFromWire(body['meta'], route);
    const members = body['response'].map((raw) => teamMemberFromWire(raw, businessId, route));
    this.totals.set(businessId, meta.total);
    return { meta, members };
  }
}

/** The scope FreshBooks checks for invitations, role changes and removals. */
export const TEAM_WRITE_SCOPE = 'user:teams:write';

function scopeList(scope: string): string[] {
  return scope.split(/\s+/).filter(Boolean);
}

/** `capacity` for an API role: its short UI name (`manager`), or the API name itself. */
export function capacityOf(apiRole: string, encoding: CapacityEncoding): string {
  if (encoding === 'api') return apiRole;
  const role = policyRoleOf(apiRole);
  return role === null || role === 'owner' ? apiRole : role;
}

/**
 * FreshBooks refused the invitation's body as invalid (not a permission or a missing route),
 * and not for its email ("To email has already been invited") nor for lack of a paid seat: the
 * other encoding could not change those answers, so it is not sent (sending an invitation again
 * is not harmless).
 */
function isInvalidCapacity(error: unknown): error is FreshBooksApiError {
  return (
    error instanceof FreshBooksApiError &&
    (error.status === 400 || error.status === 422) &&
    !/\bto[ _]email\b|\bemail\b/i.test(error.message) &&
    !isSeatLimitRefusal(error)
  );
}

/** The write answers are unpublished: a team member in `response` is used when present. */
function receipt(
  requestId: string | null,
  body: unknown,
  businessId: number,
  route: string,
): WriteReceipt {
  const out: WriteReceipt = {};
  if (requestId !== null) out.requestId = requestId;
  const response = isRecord(body) ? body['response'] : undefined;
  if (isRecord(response) && typeof response['uuid'] === 'string') {
    try {
      out.member = teamMemberFromWire(response, businessId, route);
    } catch {
      // An unexpected receipt is not a failed write: the change was accepted (2xx).
    }
  }
  return out;
}
