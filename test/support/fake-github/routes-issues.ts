/** Issues (pull requests included, as on GitHub), comments and labels. */
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
import { commentJson, issueJson, labelJson } from './serialize.js';

export const issueRoutes: Route[] = [
  route('GET', '/repos/:owner/:repo/issues', (ctx) => {
    const repo = repoOf(ctx);
    const state = ctx.query.get('state') ?? 'open';
    const labels = (ctx.query.get('labels') ?? '')
      .split(',')
      .map((l) => l.trim())
      .filter(Boolean);
    const direction = ctx.query.get('direction') ?? 'desc';
    const items = [...repo.issues.values()]
      .filter((i) => state === 'all' || i.state === state)
      .filter((i) =>
        labels.every((l) => i.labels.some((have) => have.toLowerCase() === l.toLowerCase())),
      )
      .sort((a, b) => (direction === 'asc' ? a.number - b.number : b.number - a.number))
      .map((i) => issueJson(repo, i));
    return paginate(ctx, items);
  }),

  route('POST', '/repos/:owner/:repo/issues', (ctx) => {
    requirePower(ctx, 'write');
    const repo = repoOf(ctx);
    const labels = Array.isArray(ctx.body['labels'])
      ? (ctx.body['labels'] as unknown[]).map(String)
      : [];
    const number = repo.addIssue({
      author: ctx.token.user.login,
      title: requireString(ctx.body, 'title'),
      body: typeof ctx.body['body'] === 'string' ? ctx.body['body'] : '',
      labels,
    });
    return { status: 201, body: issueJson(repo, repo.issue(number)) };
  }),

  route('GET', '/repos/:owner/:repo/issues/:number', (ctx) => {
    const repo = repoOf(ctx);
    const issue = repo.issues.get(numberParam(ctx, 'number'));
    if (!issue) throw new HttpError(404, 'Not Found');
    return { status: 200, body: issueJson(repo, issue) };
  }),

  route('PATCH', '/repos/:owner/:repo/issues/:number', (ctx) => {
    requirePower(ctx, 'write');
    const repo = repoOf(ctx);
    const issue = repo.issues.get(numberParam(ctx, 'number'));
    if (!issue) throw new HttpError(404, 'Not Found');
    const { title, body, state, state_reason: reason, labels } = ctx.body;
    if (typeof title === 'string') issue.title = title;
    if (typeof body === 'string') issue.body = body;
    if (Array.isArray(labels)) issue.labels = labels.map(String);
    if (state === 'closed' && issue.state !== 'closed') {
      issue.state = 'closed';
      issue.closedAt = ctx.world.clock.tick();
      issue.stateReason = typeof reason === 'string' ? reason : 'completed';
    } else if (state === 'open' && issue.state !== 'open') {
      issue.state = 'open';
      issue.closedAt = null;
      issue.stateReason = 'reopened';
    } else if (state !== undefined && state !== 'open' && state !== 'closed') {
      throw new HttpError(422, 'Validation Failed');
    }
    issue.updatedAt = ctx.world.clock.tick();
    return { status: 200, body: issueJson(repo, issue) };
  }),

  route('GET', '/repos/:owner/:repo/issues/:number/comments', (ctx) => {
    const repo = repoOf(ctx);
    const number = numberParam(ctx, 'number');
    if (!repo.issues.has(number)) throw new HttpError(404, 'Not Found');
    return paginate(
      ctx,
      repo.commentsOn(number).map((c) => commentJson(repo, c)),
    );
  }),

  route('POST', '/repos/:owner/:repo/issues/:number/comments', (ctx) => {
    requirePower(ctx, 'write');
    const repo = repoOf(ctx);
    const number = numberParam(ctx, 'number');
    if (!repo.issues.has(number)) throw new HttpError(404, 'Not Found');
    const body = requireString(ctx.body, 'body');
    if (body.length > 65_535)
      throw new HttpError(422, 'Validation Failed: body is too long (maximum is 65536 characters)');
    const id = repo.addComment(number, { user: ctx.token.user.login, body });
    const comment = repo.comments.find((c) => c.id === id);
    return { status: 201, body: comment ? commentJson(repo, comment) : null };
  }),

  route('PATCH', '/repos/:owner/:repo/issues/comments/:id', (ctx) => {
    requirePower(ctx, 'write');
    const repo = repoOf(ctx);
    const comment = repo.comments.find((c) => c.id === numberParam(ctx, 'id'));
    if (!comment) throw new HttpError(404, 'Not Found');
    // GitHub lets only the author (or a maintainer) edit; rolecall must only edit its own.
    if (comment.user.id !== ctx.token.user.id)
      throw new HttpError(403, 'Must have admin rights to Repository.');
    const body = requireString(ctx.body, 'body');
    if (body.length > 65_535)
      throw new HttpError(422, 'Validation Failed: body is too long (maximum is 65536 characters)');
    comment.body = body;
    comment.updatedAt = ctx.world.clock.tick();
    return { status: 200, body: commentJson(repo, comment) };
  }),

  route('POST', '/repos/:owner/:repo/issues/:number/labels', (ctx) => {
    requirePower(ctx, 'write');
    const repo = repoOf(ctx);
    const issue = repo.issues.get(numberParam(ctx, 'number'));
    if (!issue) throw new HttpError(404, 'Not Found');
    const labels = Array.isArray(ctx.body['labels'])
      ? (ctx.body['labels'] as unknown[]).map(String)
      : [];
    for (const label of labels) {
      repo.ensureLabel(label);
      if (!issue.labels.includes(label)) issue.labels.push(label);
    }
    return { status: 200, body: issue.labels.map((name) => labelJson(repo, name)) };
  }),

  route('DELETE', '/repos/:owner/:repo/issues/:number/labels/:name', (ctx) => {
    requirePower(ctx, 'write');
    const repo = repoOf(ctx);
    const issue = repo.issues.get(numberParam(ctx, 'number'));
    const name = ctx.params['name'] ?? '';
    if (!issue || !issue.labels.includes(name)) throw new HttpError(404, 'Label does not exist');
    issue.labels = issue.labels.filter((l) => l !== name);
    return { status: 200, body: issue.labels.map((l) => labelJson(repo, l)) };
  }),

  route('GET', '/repos/:owner/:repo/labels/:name', (ctx) => {
    const repo = repoOf(ctx);
    const label = repo.labels.get(ctx.params['name'] ?? '');
    if (!label) throw new HttpError(404, 'Not Found');
    return { status: 200, body: labelJson(repo, label.name) };
  }),

  route('POST', '/repos/:owner/:repo/labels', (ctx) => {
    requirePower(ctx, 'write');
    const repo = repoOf(ctx);
    const name = requireString(ctx.body, 'name');
    if (repo.labels.has(name)) {
      throw new HttpError(422, 'Validation Failed', {
        errors: [{ resource: 'Label', code: 'already_exists', field: 'name' }],
      });
    }
    const label = {
      name,
      color: typeof ctx.body['color'] === 'string' ? ctx.body['color'] : 'ededed',
      description: typeof ctx.body['description'] === 'string' ? ctx.body['description'] : '',
    };
    repo.labels.set(name, label);
    return { status: 201, body: labelJson(repo, name) };
  }),
];
