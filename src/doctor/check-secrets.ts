/**
 * Secrets, by name only (their values are never read): every one the jobs need is in the
 * environment, none is a repository secret, and the secrets token can write the environment's
 * secrets — proven only by a write, which the GitHub secret token store makes when it opens.
 */
import { fail, pass, unknown, type CheckResult } from './check-result.js';
import { ENVIRONMENT, ENVIRONMENT_SECRETS, ROLECALL_SECRETS, TEAMS_SECRET } from './deployment.js';
import type { FreshBooksFacts, GitHubSettings, PolicyFacts } from './facts.js';
import { answer, permissionFix, unreadableCheck } from './unreadable.js';

const ENVIRONMENT_WHY = `every privileged job reads its credentials from ${ENVIRONMENT}: a missing one fails every plan, apply and expiry`;
const REPOSITORY_WHY =
  'a repository secret is readable by a workflow pushed on any branch, by any writer, before review; and the environment secret of the same name shadows it, so rolecall never rotates it';
const TOKEN_WHY =
  'after every refresh rolecall writes the new refresh token into the secret; a token that cannot write loses it, and the next run is locked out';

/** `secrets.environment`: the environment holds every secret the jobs need. */
export function checkEnvironmentSecrets(
  github: GitHubSettings,
  policies: PolicyFacts,
): CheckResult {
  const id = 'secrets.environment';
  const read = github.environmentSecrets;
  if (github.environment.ok && github.environment.value === null) {
    return fail(
      id,
      `the environment ${ENVIRONMENT} does not exist (see environment.branches)`,
      ENVIRONMENT_WHY,
      `create ${ENVIRONMENT} (Settings → Environments), then add ${ENVIRONMENT_SECRETS.join(', ')} to it`,
    );
  }
  if (!read.ok)
    return unreadableCheck(id, `the secret names of ${ENVIRONMENT}`, ENVIRONMENT_WHY, read);
  const teams = policies.ok && policies.businesses.some((b) => b.namesTeams);
  const required = [...ENVIRONMENT_SECRETS, ...(teams ? [TEAMS_SECRET] : [])];
  const present = new Set(read.value);
  const missing = required.filter((name) => !present.has(name));
  if (missing.length > 0) {
    return fail(
      id,
      `${ENVIRONMENT} lacks ${missing.join(', ')}${teams && missing.includes(TEAMS_SECRET) ? ` (a policy's approvals: names GitHub teams)` : ''}`,
      ENVIRONMENT_WHY,
      `Settings → Environments → ${ENVIRONMENT} → "Environment secrets" → "Add environment secret" (or \`gh secret set NAME --env ${ENVIRONMENT}\`, which asks for the value without echoing it): ${missing.join(', ')}`,
    );
  }
  return pass(
    id,
    `${ENVIRONMENT} holds ${required.join(', ')} (names only; values are never read)`,
    ENVIRONMENT_WHY,
  );
}

/** `secrets.repository`: none of rolecall's secrets is a repository secret. */
export function checkRepositorySecrets(github: GitHubSettings): CheckResult {
  const id = 'secrets.repository';
  const read = github.repositorySecrets;
  if (!read.ok) return unreadableCheck(id, 'the repository secret names', REPOSITORY_WHY, read);
  const names = new Set(read.value);
  const exposed = ROLECALL_SECRETS.filter((name) => names.has(name));
  if (exposed.length > 0) {
    return fail(
      id,
      `repository secrets: ${exposed.join(', ')}`,
      REPOSITORY_WHY,
      `Settings → Secrets and variables → Actions → "Repository secrets": delete ${exposed.join(', ')} (\`gh secret delete NAME\`); keep them in ${ENVIRONMENT} only`,
    );
  }
  return pass(
    id,
    `no repository secret named like rolecall's (${ROLECALL_SECRETS.length} names checked)`,
    REPOSITORY_WHY,
  );
}

/** `secrets.token`: ROLECALL_SECRETS_TOKEN can write the environment's secrets. */
export function checkSecretsToken(
  github: GitHubSettings,
  freshbooks: FreshBooksFacts,
): CheckResult {
  const id = 'secrets.token';
  const token = github.secretsToken;
  const store = freshbooks.store;
  const proven =
    store.state === 'open' && store.secret !== null && store.secret.environment === ENVIRONMENT
      ? store.secret
      : null;
  if (proven) {
    return pass(
      id,
      `ROLECALL_SECRETS_TOKEN wrote ${proven.name} of ${ENVIRONMENT} back unchanged: it can write the environment's secrets`,
      TOKEN_WHY,
    );
  }
  if (store.state === 'error' && store.code === 'SECRET_WRITE_REFUSED') {
    return fail(
      id,
      `GitHub refused ROLECALL_SECRETS_TOKEN's write of the token store's secret (see freshbooks.store)`,
      TOKEN_WHY,
      `give ROLECALL_SECRETS_TOKEN "Secrets: Read and write" and "Environments: Read and write" on this repository (see .github/workflows/README.md, "The GitHub secret token store")`,
    );
  }
  if (!token.present) {
    return unknown(
      id,
      'ROLECALL_SECRETS_TOKEN is not set in this run',
      TOKEN_WHY,
      "run the doctor in doctor.yml, which passes the environment's secrets, or export ROLECALL_SECRETS_TOKEN",
    );
  }
  const key = token.publicKey;
  if (!key.ok) {
    if (key.status === 401 || key.status === 403 || key.status === 404) {
      return fail(
        id,
        `ROLECALL_SECRETS_TOKEN cannot read the public key of ${ENVIRONMENT}, so it cannot write its secrets: ${answer(key)}`,
        TOKEN_WHY,
        key.status === 401
          ? permissionFix(key)
          : `give ROLECALL_SECRETS_TOKEN "Secrets: Read and write" and "Environments: Read and write" on this repository (see .github/workflows/README.md, "The GitHub secret token store"); check that ${ENVIRONMENT} exists`,
      );
    }
    return unreadableCheck(id, `the public key of ${ENVIRONMENT}`, TOKEN_WHY, key);
  }
  return unknown(
    id,
    `ROLECALL_SECRETS_TOKEN reads the public key of ${ENVIRONMENT}; whether it may write is proven only by writing`,
    TOKEN_WHY,
    `run \`rolecall doctor --token-store github-secret:FRESHBOOKS_REFRESH_TOKEN@${ENVIRONMENT}\` with the environment's secrets (doctor.yml does): opening that store writes the secret back unchanged`,
  );
}
