/**
 * The checker every fake-GitHub answer goes through (test/support/fake-github/openapi.ts): it
 * must refuse what GitHub's OpenAPI description does not allow, or the suite-wide check
 * (test/vitest.fresh-modules.ts) proves nothing.
 */
import sodium from 'libsodium-wrappers';
import { describe, expect, it } from 'vitest';
import { checkAnswer, specPathOf } from '../../support/fake-github/openapi.js';
import { labelJson, simpleUserJson } from '../../support/fake-github/serialize.js';
import { FakeWorld } from '../../support/fake-github/state.js';

await sodium.ready; // the fake's repositories hold Actions key pairs
const world = new FakeWorld();
const repo = world.repo('acme', 'access');
repo.ensureLabel('access-request');
const LABEL = 'GET /repos/:owner/:repo/labels/:name';

describe('the fake GitHub’s OpenAPI checker', () => {
  it('maps the fake’s route templates to the spec’s paths', () => {
    expect(specPathOf('/repos/:owner/:repo/issues/:number/comments')).toBe(
      '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    );
    expect(specPathOf('/repos/:owner/:repo/nothing-like-this')).toBeNull();
  });

  it('accepts an answer GitHub could send', () => {
    expect(
      checkAnswer({ route: LABEL, status: 200, body: labelJson(repo, 'access-request') }),
    ).toBeNull();
  });

  it('refuses a status the operation does not list', () => {
    const body = { message: 'Conflict', documentation_url: 'https://docs.github.com/rest' };
    expect(checkAnswer({ route: LABEL, status: 409, body })).toMatch(
      /status 409 is not one the spec lists for GET \/repos\/\{owner\}\/\{repo\}\/labels\/\{name\} \(200, 404\)/,
    );
    // The stale-key 422 is allowed only where GitHub is known to send it.
    expect(
      checkAnswer({ route: 'PUT /repos/:owner/:repo/actions/secrets/:name', status: 422, body }),
    ).toBeNull();
    expect(
      checkAnswer({
        route: 'GET /repos/:owner/:repo/actions/secrets/public-key',
        status: 422,
        body,
      }),
    ).toMatch(/status 422/);
  });

  it('refuses a body the schema refuses: a missing field, a wrong enum, a relative URL', () => {
    const { default: _default, ...withoutDefault } = labelJson(repo, 'access-request');
    expect(checkAnswer({ route: LABEL, status: 200, body: withoutDefault })).toMatch(
      /must have required property 'default'/,
    );
    const user = simpleUserJson(world.user('olivia'));
    const membership = 'GET /orgs/:org/teams/:slug/memberships/:login';
    const url = 'https://api.github.com/organizations/1/team/2/memberships/olivia';
    expect(
      checkAnswer({
        route: membership,
        status: 200,
        body: { url, role: 'member', state: 'active' },
      }),
    ).toBeNull();
    expect(
      checkAnswer({
        route: membership,
        status: 200,
        body: { url, role: 'owner', state: 'active' },
      }),
    ).toMatch(/role must be equal to one of the allowed values/);
    const comment = 'GET /repos/:owner/:repo/issues/:number/comments';
    const item = {
      id: 1,
      node_id: 'IC_1',
      url: 'https://api.github.com/repos/acme/access/issues/comments/1',
      html_url: 'https://github.com/acme/access/issues/1#issuecomment-1',
      issue_url: 'https://api.github.com/repos/acme/access/issues/1',
      user,
      created_at: '2026-01-05T09:00:00Z',
      updated_at: '2026-01-05T09:00:00Z',
    };
    expect(checkAnswer({ route: comment, status: 200, body: [item] })).toBeNull();
    expect(
      checkAnswer({
        route: comment,
        status: 200,
        body: [{ ...item, issue_url: '/repos/acme/access/issues/1' }],
      }),
    ).toMatch(/issue_url must match format "uri"/);
  });

  it('takes a rate limit, a refusal or a 5xx on any route, but only in GitHub’s form', () => {
    const limited = {
      message: 'You have exceeded a secondary rate limit.',
      documentation_url: 'https://docs.github.com/rest',
    };
    expect(
      checkAnswer({ route: LABEL, status: 429, body: limited, headers: { 'retry-after': '1' } }),
    ).toBeNull();
    expect(
      checkAnswer({
        route: LABEL,
        status: 403,
        body: limited,
        headers: { 'x-ratelimit-remaining': '0' },
      }),
    ).toBeNull();
    expect(checkAnswer({ route: LABEL, status: 403, body: { message: 'Forbidden' } })).toMatch(
      /status 403/,
    );
    expect(checkAnswer({ route: LABEL, status: 502, body: { message: 42 } })).toMatch(
      /message must be string/,
    );
  });

  it('refuses an operation the spec does not have', () => {
    expect(
      checkAnswer({ route: 'POST /repos/:owner/:repo/labels/:name', status: 200, body: {} }),
    ).toMatch(/no operation POST/);
  });
});
