/**
 * The baseline rolecall's sync is compared with: a plain `fetch` client that pages team
 * members the way the ConductorOne FreshBooks connector (baton-freshbooks) does — sequentially,
 * `per_page=50`, next page while `page * per_page < total`. That connector serves one business
 * per configuration (the first one `users/me` lists) and asks `users/me` at the start of every
 * sync, so covering N businesses costs N connector runs: `perBusinessWhoami: true`.
 * `perBusinessWhoami: false` is the kinder variant that asks `users/me` once for all of them.
 * No retries, no rate budget: the figures it is compared on run against an unlimited emulator.
 */
export const BASELINE_PER_PAGE = 50;

export interface BaselineOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  businessIds: readonly number[];
  perBusinessWhoami: boolean;
}

async function getJson(url: string, token: string): Promise<Record<string, unknown>> {
  const res = await fetch(url, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
  });
  const body = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`baseline: GET ${new URL(url).pathname} → ${res.status}`);
  return body;
}

/** Reads every team member of every business; returns how many members it saw. */
export async function baselineSync(options: BaselineOptions): Promise<number> {
  const tokenRes = await fetch(`${options.baseUrl}/auth/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'refresh_token',
      client_id: options.clientId,
      client_secret: options.clientSecret,
      refresh_token: options.refreshToken,
    }),
  });
  if (!tokenRes.ok) throw new Error(`baseline: token → ${tokenRes.status}`);
  const token = ((await tokenRes.json()) as { access_token: string }).access_token;
  const me = () => getJson(`${options.baseUrl}/auth/api/v1/users/me`, token);

  if (!options.perBusinessWhoami) await me();
  let seen = 0;
  for (const businessId of options.businessIds) {
    if (options.perBusinessWhoami) await me();
    for (let page = 1; ; page++) {
      const body = await getJson(
        `${options.baseUrl}/auth/api/v1/businesses/${businessId}/team_members?page=${page}&per_page=${BASELINE_PER_PAGE}`,
        token,
      );
      seen += (body['response'] as unknown[]).length;
      const meta = body['meta'] as { page: number; per_page: number; total: number };
      if (meta.page * meta.per_page >= meta.total) break;
    }
  }
  return seen;
}
