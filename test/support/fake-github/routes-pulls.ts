/** Pull requests, reviews, and the pull requests of a commit. */
import { createHash } from 'node:crypto';
import {
  HttpError,
  numberParam,
  paginate,
  repoOf,
  requirePower,
  requireString,
  route,
  type Route,
} from './router.js';
import { pullJson, reviewJson } from './serialize.js';
import type { FakeRepo } from './state.js';

function pullOr404(repo: FakeRepo, number: number) {
  const issue = repo.issues.get(number);
  if (!issue?.pull) throw new HttpError(404, 'Not Found');
  return issue;
}

export const pullRoutes: Route[] = [
  route('GET', '/repos/:owner/:repo/pulls', (ctx) => {
    const repo = repoOf(ctx);
    const state = ctx.query.get('state') ?? 'open';
    const head = ctx.query.get('head');
    const base = ctx.query.get('base');
    const items = [...repo.issues.values()]
      .filter((i) => i.pull)
      .filter((i) => state === 'all' || i.state === state)
      .filter((i) => {
        if (!head) return true;
        const [owner, branch] = head.includes(':') ? head.split(':') : [repo.owner, head];
        return (
          i.pull?.headRef === branch &&
          (i.pull?.headRepoFullName ?? '').split('/')[0]?.toLowerCase() === owner?.toLowerCase()
        );
      })
      .filter((i) => !base || i.pull?.baseRef === base)
      .sort((a, b) => b.number - a.number)
      .map((i) => pullJson(repo, i));
    return paginate(ctx, items);
  }),

  route('POST', '/repos/:owner/:repo/pulls', (ctx) => {
    requirePower(ctx, 'write');
    const repo = repoOf(ctx);
    const title = requireString(ctx.body, 'title');
    const headInput = requireString(ctx.body, 'head');
    const base = requireString(ctx.body, 'base');
    const branch = headInput.includes(':') ? (headInput.split(':')[1] as string) : headInput;
    const duplicate = [...repo.issues.values()].find(
      (i) => i.state === 'open' && i.pull?.headRef === branch && i.pull.baseRef === base,
    );
    if (duplicate) {
      throw new HttpError(422, 'Validation Failed', {
        errors: [
          {
            resource: 'PullRequest',
            code: 'custom',
            message: `A pull request already exists for ${repo.owner}:${branch}.`,
          },
        ],
      });
    }
    const number = repo.addPullRequest({
      author: ctx.token.user.login,
      title,
      body: typeof ctx.body['body'] === 'string' ? ctx.body['body'] : '',
      headRef: branch,
      baseRef: base,
      headSha: createHash('sha1')
        .update(`${repo.fullName}:${branch}:${repo.issues.size}`)
        .digest('hex'),
    });
    const issue = repo.issue(number);
    if (issue.pull && ctx.body['draft'] === true) issue.pull.draft = true;
    return { status: 201, body: pullJson(repo, issue) };
  }),

  route('GET', '/repos/:owner/:repo/pulls/:number', (ctx) => {
    const repo = repoOf(ctx);
    return { status: 200, body: pullJson(repo, pullOr404(repo, numberParam(ctx, 'number'))) };
  }),

  route('PATCH', '/repos/:owner/:repo/pulls/:number', (ctx) => {
    requirePower(ctx, 'write');
    const repo = repoOf(ctx);
    const issue = pullOr404(repo, numberParam(ctx, 'number'));
    const { title, body, state, base } = ctx.body;
    if (typeof title === 'string') issue.title = title;
    if (typeof body === 'string') issue.body = body;
    if (typeof base === 'string' && issue.pull) issue.pull.baseRef = base;
    if (state === 'closed' && issue.state === 'open') {
      issue.state = 'closed';
      issue.closedAt = ctx.world.clock.tick();
    } else if (state === 'open' && issue.state === 'closed' && !issue.pull?.merged) {
      issue.state = 'open';
      issue.closedAt = null;
    }
    issue.updatedAt = ctx.world.clock.tick();
    return { status: 200, body: pullJson(repo, issue) };
  }),

  route('GET', '/repos/:owner/:repo/pulls/:number/reviews', (ctx) => {
    const repo = repoOf(ctx);
    const number = numberParam(ctx, 'number');
    pullOr404(repo, number);
    return paginate(
      ctx,
      repo.reviews.filter((r) => r.pullNumber === number).map((r) => reviewJson(r)),
    );
  }),

  route('GET', '/repos/:owner/:repo/commits/:sha/pulls', (ctx) => {
    const repo = repoOf(ctx);
    const numbers = repo.commitPulls.get(ctx.params['sha'] ?? '') ?? [];
    return paginate(
      ctx,
      numbers.map((n) => pullJson(repo, repo.issue(n))),
    );
  }),
];
