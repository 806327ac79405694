/**
 * Pull requests, their reviews and commits, the pull requests of a commit, and the repository
 * activity (who pushed to which branch).
 */
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
import type { FakeActivity, FakeCommit, FakeGitPerson } from './repo.js';
import { pullJson, reviewJson, userJson, WEB } from './serialize.js';
import type { FakeRepo, FakeWorld } from './state.js';

/** GitHub lists at most this many commits of a pull request, whatever the pagination. */
export const MAX_PULL_COMMITS = 250;

function pullOr404(repo: FakeRepo, number: number) {
  const issue = repo.issues.get(number);
  if (!issue?.pull) throw new HttpError(404, 'Not Found');
  repo.followBranch(number);
  return issue;
}

export const pullRoutes: Route[] = [
  route('GET', '/repos/:owner/:repo/pulls', (ctx) => {
    const repo = repoOf(ctx);
    const state = ctx.query.get('state') ?? 'open';
    const head = ctx.query.get('head');
    const base = ctx.query.get('base');
    for (const i of repo.issues.values()) if (i.pull) repo.followBranch(i.number);
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
    if (repo.refusesPullRequestFrom(ctx.token.user.login)) {
      throw new HttpError(
        403,
        'GitHub Actions is not permitted to create or approve pull requests.',
        {
          documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
        },
      );
    }
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
      headSha:
        repo.branchHead(branch) ??
        createHash('sha1').update(`${repo.fullName}:${branch}:${repo.issues.size}`).digest('hex'),
    });
    const issue = repo.issue(number);
    if (issue.pull && ctx.body['draft'] === true) issue.pull.draft = true;
    return { status: 201, body: pullJson(repo, issue) };
  }),

  // The single pull request also counts its commits (the list of pull requests does not).
  route('GET', '/repos/:owner/:repo/pulls/:number', (ctx) => {
    const repo = repoOf(ctx);
    const issue = pullOr404(repo, numberParam(ctx, 'number'));
    return {
      status: 200,
      body: { ...pullJson(repo, issue), commits: repo.commitsOf(issue.number).length },
    };
  }),

  route('GET', '/repos/:owner/:repo/pulls/:number/commits', (ctx) => {
    const repo = repoOf(ctx);
    const number = numberParam(ctx, 'number');
    pullOr404(repo, number);
    const listed = repo.commitsOf(number).slice(0, MAX_PULL_COMMITS);
    return paginate(
      ctx,
      listed.map((c) => commitJson(ctx.world, repo, c, ctx.origin)),
    );
  }),

  // Newest first, filtered like GitHub's `ref` (full or short), `actor` and `activity_type`.
  route('GET', '/repos/:owner/:repo/activity', (ctx) => {
    const repo = repoOf(ctx);
    const ref = ctx.query.get('ref');
    const actor = ctx.query.get('actor');
    const type = ctx.query.get('activity_type');
    const wanted = ref === null ? null : ref.startsWith('refs/') ? ref : `refs/heads/${ref}`;
    const items = [...repo.activities]
      .reverse()
      .filter((a) => wanted === null || a.ref === wanted)
      .filter((a) => actor === null || a.actor?.toLowerCase() === actor.toLowerCase())
      .filter((a) => type === null || a.activityType === type)
      .map((a) => activityJson(ctx.world, a));
    return paginate(ctx, items);
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
      repo.reviews.filter((r) => r.pullNumber === number).map((r) => reviewJson(repo, r)),
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

function gitPersonJson(person: FakeGitPerson, date: string) {
  return { name: person.name, email: person.email, date };
}

/** A pull request's commit, shaped like an item of `GET /pulls/{n}/commits`. */
function commitJson(world: FakeWorld, repo: FakeRepo, commit: FakeCommit, origin: string) {
  const api = `${origin}/repos/${repo.fullName}`;
  const linked = (person: FakeGitPerson) =>
    person.login === null ? null : userJson(world.user(person.login));
  return {
    sha: commit.sha,
    node_id: Buffer.from(`Commit:${commit.sha}`).toString('base64'),
    url: `${api}/commits/${commit.sha}`,
    html_url: `${WEB}/${repo.fullName}/commit/${commit.sha}`,
    comments_url: `${api}/commits/${commit.sha}/comments`,
    commit: {
      url: `${api}/git/commits/${commit.sha}`,
      author: gitPersonJson(commit.author, commit.date),
      committer: gitPersonJson(commit.committer, commit.date),
      message: commit.message,
      comment_count: 0,
      tree: {
        sha: createHash('sha1').update(`tree:${commit.sha}`).digest('hex'),
        url: `${api}/git/trees`,
      },
      verification: {
        verified: false,
        reason: 'unsigned',
        signature: null,
        payload: null,
        verified_at: null,
      },
    },
    author: linked(commit.author),
    committer: linked(commit.committer),
    parents: commit.parents.map((sha) => ({
      sha,
      url: `${api}/commits/${sha}`,
      html_url: `${WEB}/${repo.fullName}/commit/${sha}`,
    })),
  };
}

/** One activity, shaped like an item of `GET /repos/{owner}/{repo}/activity`. */
function activityJson(world: FakeWorld, activity: FakeActivity) {
  return {
    id: activity.id,
    node_id: Buffer.from(`RepositoryActivity:${activity.id}`).toString('base64'),
    before: activity.before,
    after: activity.after,
    ref: activity.ref,
    timestamp: activity.timestamp,
    activity_type: activity.activityType,
    actor: activity.actor === null ? null : userJson(world.user(activity.actor)),
  };
}
