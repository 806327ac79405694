/**
 * `rolecall init [DIR]`: scaffolds an access repository — the workflows pinned to this
 * rolecall, CODEOWNERS, `.gitignore`, a README listing the secrets and settings, and
 * `policies/`, imported from the live businesses when FreshBooks credentials are at hand (else
 * an example). Never overwrites a file unless forced; prints what it did and the next steps.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { RolecallError, UsageError, EXIT } from '../errors.js';
import {
  GITIGNORE_ENTRY,
  PLACEHOLDER_OWNER,
  SCAFFOLD_ISSUE_TEMPLATES,
  SCAFFOLD_WORKFLOWS,
  renderExamplePolicy,
  renderScaffold,
  type ActionPin,
  type ScaffoldFile,
} from '../init/render-scaffold.js';
import { logicalCwd, packagePath, toolVersion } from '../paths.js';
import { isAdminRole, policyRoleOf } from '../roles.js';
import type { Console } from '../ports.js';
import { redact } from '../redact.js';
import { policySchemaRef } from '../schemas.js';
import { writeFileAtomic } from '../write-file-atomic.js';
import { openFreshBooks, type ConnectionOptions } from './context.js';
import { importPolicy } from './import.js';

export interface InitOptions extends ConnectionOptions {
  /** DIR as given (default `.`). */
  dir: string;
  force: boolean;
  /** CODEOWNERS owners (`@org/team`, `@user`). */
  owners: string[];
  /** `--action OWNER/REPO@REF`: another pin than this build's commit. */
  action?: string | undefined;
  /** `--example`: write the example policy even when credentials are at hand. */
  example: boolean;
  now: Date;
}

export interface InitOutcome {
  exitCode: number;
  /** Repository-relative paths, by what happened to them. */
  created: string[];
  overwritten: string[];
  /** Files of the user's that gained a line (`.gitignore`). */
  updated: string[];
  kept: string[];
}

const REPOSITORY = 'rolecall-dev/rolecall';

export async function init(io: Console, options: InitOptions): Promise<InitOutcome> {
  for (const owner of options.owners) {
    if (
      !/^@[A-Za-z0-9][A-Za-z0-9-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)?$|^[^@\s]+@[^@\s]+$/.test(owner)
    ) {
      throw new UsageError(
        `--owner ${owner} is not a CODEOWNERS owner: @user, @org/team or an email address`,
      );
    }
  }
  const cwd = logicalCwd(io.cwd, io.env);
  const root = resolve(cwd, options.dir);
  const shown = (path: string) => {
    const rel = relative(cwd, join(root, path));
    return rel === '' ? '.' : rel.startsWith('..') ? join(root, path) : rel;
  };
  const action = actionPin(options.action, io);
  const outcome: InitOutcome = {
    exitCode: EXIT.OK,
    created: [],
    overwritten: [],
    updated: [],
    kept: [],
  };

  const workflows: Record<string, string> = {};
  for (const name of SCAFFOLD_WORKFLOWS) {
    workflows[name] = await readFile(packagePath('.github', 'workflows', name), 'utf8');
  }
  const issueTemplates: Record<string, string> = {};
  for (const name of SCAFFOLD_ISSUE_TEMPLATES) {
    issueTemplates[name] = await readFile(packagePath('.github', 'ISSUE_TEMPLATE', name), 'utf8');
  }
  const files = renderScaffold({
    workflows,
    issueTemplates,
    action,
    owners: options.owners,
    version: toolVersion(),
  });
  await mkdir(root, { recursive: true });
  for (const file of files) {
    if (file.path === '.gitignore') await writeGitignore(root, file, options.force, outcome);
    else await writeScaffoldFile(root, file, options.force, outcome);
  }

  const imported = await writePolicies(io, root, options, outcome);

  const line = (verb: string, paths: string[]) =>
    paths.length === 0 ? '' : `${verb}:\n${paths.map((p) => `  ${shown(p)}\n`).join('')}`;
  io.stdout.write(
    redact(
      [
        `rolecall init: an access repository in ${shown('.')} (workflows pinned to ${action.ref} # ${action.label})\n`,
        line('created', outcome.created),
        line('overwritten (--force)', outcome.overwritten),
        line(`updated (${GITIGNORE_ENTRY} added)`, outcome.updated),
        line('kept (exists; --force replaces it)', outcome.kept),
        '\n',
        nextSteps(shown('.'), imported, options.owners.length === 0),
      ].join(''),
    ),
  );
  return outcome;
}

/** The action every workflow uses: `--action`, else this build's commit, else its tag. */
function actionPin(given: string | undefined, io: Console): ActionPin {
  const version = toolVersion();
  if (given !== undefined) {
    if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+(\/[^@\s]+)?@[^@\s]+$/.test(given)) {
      throw new UsageError(`--action ${given} is not OWNER/REPO@REF (e.g. ${REPOSITORY}@<sha>)`);
    }
    return { ref: given, label: `rolecall v${version}` };
  }
  const info = readBuildInfo();
  if (info?.commit) {
    if (info.dirty) {
      io.stderr.write(
        `rolecall init: warning: this rolecall was built from a work tree with uncommitted changes; ` +
          `the workflows pin its last commit ${info.commit.slice(0, 12)}, which differs\n`,
      );
    }
    return { ref: `${REPOSITORY}@${info.commit}`, label: `v${version}` };
  }
  io.stderr.write(
    `rolecall init: warning: this build does not know its commit; the workflows use the tag ` +
      `v${version}. Pin them to the tag's full commit sha (a tag can be moved), or pass --action ${REPOSITORY}@<sha>\n`,
  );
  return { ref: `${REPOSITORY}@v${version}`, label: `v${version}` };
}

function readBuildInfo(): { commit: string | null; dirty: boolean } | null {
  const path = packagePath('dist', 'build-info.json');
  if (!existsSync(path)) return null;
  try {
    const info = JSON.parse(readFileSync(path, 'utf8')) as { commit?: unknown; dirty?: unknown };
    return {
      commit:
        typeof info.commit === 'string' && /^[0-9a-f]{40}$/.test(info.commit) ? info.commit : null,
      dirty: info.dirty === true,
    };
  } catch {
    return null;
  }
}

async function writeScaffoldFile(
  root: string,
  file: ScaffoldFile,
  force: boolean,
  outcome: InitOutcome,
): Promise<void> {
  const path = join(root, file.path);
  const exists = existsSync(path);
  if (exists && !force) {
    outcome.kept.push(file.path);
    return;
  }
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, file.text);
  (exists ? outcome.overwritten : outcome.created).push(file.path);
}

/** An existing `.gitignore` is the user's: `.rolecall/` is added to it, nothing replaced. */
async function writeGitignore(
  root: string,
  file: ScaffoldFile,
  force: boolean,
  outcome: InitOutcome,
): Promise<void> {
  const path = join(root, file.path);
  if (!existsSync(path)) return writeScaffoldFile(root, file, force, outcome);
  const text = await readFile(path, 'utf8');
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (
    lines.includes(GITIGNORE_ENTRY) ||
    lines.includes('/.rolecall/') ||
    lines.includes('.rolecall')
  ) {
    outcome.kept.push(file.path);
    return;
  }
  const separator = text === '' || text.endsWith('\n') ? '' : '\n';
  await writeFileAtomic(path, `${text}${separator}${GITIGNORE_ENTRY}\n`);
  outcome.updated.push(file.path);
}

/**
 * `policies/`: each business the credentials administer, imported (`rolecall import`), when
 * credentials are at hand and `--example` was not asked for; otherwise the example policy.
 * Returns how many businesses were imported (0: the example).
 */
async function writePolicies(
  io: Console,
  root: string,
  options: InitOptions,
  outcome: InitOutcome,
): Promise<number> {
  const existing = existsSync(join(root, 'policies'));
  if (options.example || !hasClientCredentials(io.env)) {
    const example: ScaffoldFile = {
      path: 'policies/example.yaml',
      text: renderExamplePolicy(policySchemaRef({ fileDir: join(root, 'policies'), cwd: root })),
    };
    if (existing && !options.force && !existsSync(join(root, example.path))) {
      // A policies/ folder already there is the user's; an example beside real policies
      // would be planned against FreshBooks. Leave it alone.
      outcome.kept.push('policies/');
      return 0;
    }
    await writeScaffoldFile(root, example, options.force, outcome);
    return 0;
  }

  // The token store stays where the user's credentials are (their working directory), while
  // the import runs from the new repository, so that paths in it are the repository's.
  const tokenStore =
    options.tokenStore ??
    (io.env['ROLECALL_TOKEN_STORE']?.trim() ||
      `file:${resolve(io.cwd, '.rolecall', 'credentials.json')}`);
  const connection = { ...options, tokenStore };
  const identity = await (async () => {
    const freshbooks = await openFreshBooks(io, connection);
    try {
      return await freshbooks.whoami();
    } finally {
      await freshbooks.close();
    }
  })();
  // Membership roles are API role names (`business_partner` is Admin); `admin` as well, as
  // FreshBooks spells it in some answers.
  const manageable = identity.businesses.filter(
    (b) => b.role === 'admin' || isAdminRole(policyRoleOf(b.role)),
  );
  for (const business of identity.businesses) {
    if (!manageable.includes(business)) {
      io.stderr.write(
        redact(
          `rolecall init: not importing ${business.name} (${business.businessId}): ${identity.email} is ${policyRoleOf(business.role) ?? (business.role || 'no member')} there, and rolecall needs an admin\n`,
        ),
      );
    }
  }
  if (manageable.length === 0) {
    throw new RolecallError(
      'INIT_NOTHING_TO_IMPORT',
      `${identity.email} administers no FreshBooks business; log in as an admin (\`rolecall auth login\`), or pass --example`,
    );
  }
  const taken = new Set<string>();
  const repoIo: Console = { ...io, cwd: root, env: { ...io.env, PWD: root } };
  for (const business of manageable) {
    const path = `policies/${uniqueSlug(business.name, business.businessId, taken)}.yaml`;
    if (existsSync(join(root, path)) && !options.force) {
      outcome.kept.push(path);
      continue;
    }
    const overwrite = existsSync(join(root, path));
    await mkdir(join(root, 'policies'), { recursive: true });
    await importPolicy(repoIo, {
      ...connection,
      businessId: business.businessId,
      now: options.now,
      out: path,
      force: options.force,
    });
    (overwrite ? outcome.overwritten : outcome.created).push(path);
  }
  return manageable.length;
}

function hasClientCredentials(env: Readonly<Record<string, string | undefined>>): boolean {
  const set = (name: string) => (env[name]?.trim() ?? '') !== '';
  return (
    (set('FRESHBOOKS_CLIENT_ID') || set('BATON_FB_CLIENT_ID')) &&
    (set('FRESHBOOKS_CLIENT_SECRET') || set('BATON_FB_CLIENT_SECRET'))
  );
}

function uniqueSlug(name: string, businessId: number, taken: Set<string>): string {
  const base =
    name
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || `business-${businessId}`;
  const slug = taken.has(base) ? `${base}-${businessId}` : base;
  taken.add(slug);
  return slug;
}

function nextSteps(dir: string, imported: number, placeholderOwners: boolean): string {
  const steps = [
    imported > 0
      ? `Review policies/ (search for "review:"), then \`rolecall validate\` and \`rolecall plan\` in ${dir}: the plan should show no changes.`
      : `Edit policies/example.yaml for your business (or \`rolecall auth login\`, then \`rolecall import\`), and \`rolecall validate\`.`,
    ...(placeholderOwners
      ? [`Replace ${PLACEHOLDER_OWNER} in .github/CODEOWNERS with the team that reviews access.`]
      : []),
    `git init, commit, and push to a new private GitHub repository.`,
    `Set the secrets and settings README.md lists (environment freshbooks-production, branch protection, CODEOWNERS review), then check them with \`rolecall doctor --github\`.`,
    `Open a pull request that changes a policy: the plan comment follows; approve, merge, and apply.yml applies it.`,
  ];
  return `Next steps:\n${steps.map((s, i) => `  ${i + 1}. ${s}\n`).join('')}`;
}
