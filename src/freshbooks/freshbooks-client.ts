import { FreshBooksApiError, RolecallError } from '../errors.js';
import type {
  AccessReader,
  AccessWriter,
  IdentityRecord,
  TeamMemberRecord,
  WriteReceipt,
} from '../ports.js';
import type { ApiClient } from './api-client.js';
import { mapBounded } from './map-bounded.js';
import {
  UnexpectedResponseError,
  identityFromWire,
  isRecord,
  pageMetaFromWire,
  teamMemberFromWire,
} from './map-wire.js';

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
  constructor(
    private readonly api: ApiClient,
    private readonly options: { pageConcurrency: number } = { pageConcurrency: 4 },
  ) {}

  async whoami(): Promise<IdentityRecord> {
    const answer = await this.api.call({ method: 'GET', path: ME_PATH, kind: 'read' });
    const body = answer.body;
    if (!isRecord(body)) throw new UnexpectedResponseError(`GET ${ME_PATH}`, 'no JSON object');
    return identityFromWire(body['response'], `GET ${ME_PATH}`);
  }

  /**
   * Page 1 first (it tells the total), then every other page concurrently. If the total moves
   * between pages, or pages overlap, someone changed the team mid-read: read it again rather
   * than return a listing that never existed.
   */
  async listTeamMembers(businessId: number): Promise<TeamMemberRecord[]> {
    for (let attempt = 0; ; attempt++) {
      const first = await this.page(businessId, 1);
      const pageCount = Math.max(1, Math.ceil(first.meta.total / first.meta.perPage));
      const rest = await mapBounded(
        Array.from({ length: pageCount - 1 }, (_, i) => i + 2),
        this.options.pageConcurrency,
        (page) => this.page(businessId, page),
      );
      const pages = [first, ...rest];
      const members = pages.flatMap((p) => p.members);
      const consistent =
        pages.every((p) => p.meta.total === first.meta.total) &&
        new Set(members.map((m) => m.uuid)).size === members.length &&
        members.length === first.meta.total;
      if (consistent) return members;
      if (attempt >= MAX_RELISTS) {
        throw new UnexpectedResponseError(
          `GET ${membersPath(businessId)}`,
          `the team changed while it was being read (${MAX_RELISTS + 1} attempts); try again`,
        );
      }
    }
  }

  async getTeamMember(businessId: number, uuid: string): Promise<TeamMemberRecord | null> {
    const path = memberPath(businessId, uuid);
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

  async invite(businessId: number, email: string, apiRole: string): Promise<WriteReceipt> {
    const answer = await this.api.call({
      method: 'POST',
      path: INVITATION_PATH,
      body: {
        capacity: apiRole,
        to_email: email,
        invitable_id: businessId,
        invitable_type: 'business',
      },
      kind: 'write',
    });
    return receipt(answer.requestId, answer.body, businessId, `POST ${INVITATION_PATH}`);
  }

  async changeRole(businessId: number, uuid: string, apiRole: string): Promise<WriteReceipt> {
    const path = memberPath(businessId, uuid);
    const answer = await this.api.call({
      method: 'PUT',
      path,
      body: { team_member: { business_role_name: apiRole } },
      kind: 'write',
    });
    return receipt(answer.requestId, answer.body, businessId, `PUT ${path}`);
  }

  async remove(businessId: number, uuid: string): Promise<WriteReceipt> {
    const path = memberPath(businessId, uuid);
    const answer = await this.api.call({ method: 'DELETE', path, kind: 'write' });
    return receipt(answer.requestId, answer.body, businessId, `DELETE ${path}`);
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
    return { meta, members };
  }
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
