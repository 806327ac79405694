import { registerSecret } from '../redact.js';

/**
 * The FreshBooks OAuth values in the environment, under their rolecall names and the names of
 * the "baton" FreshBooks connector, so that its users keep their secrets. The one place that
 * reads them: the rule (a set FRESHBOOKS_ name wins) lives here only.
 */
export const CREDENTIAL_VARIABLES = {
  clientId: ['FRESHBOOKS_CLIENT_ID', 'BATON_FB_CLIENT_ID'],
  clientSecret: ['FRESHBOOKS_CLIENT_SECRET', 'BATON_FB_CLIENT_SECRET'],
  refreshToken: ['FRESHBOOKS_REFRESH_TOKEN', 'BATON_REFRESH_TOKEN'],
} as const;

type Key = keyof typeof CREDENTIAL_VARIABLES;

export interface EnvCredential {
  value: string;
  /** The variable it came from, for messages (never the value). */
  variable: string;
}

export type CredentialsEnv = { [K in Key]: EnvCredential | undefined } & {
  /** At most one line: the variables set under both names with different values. */
  notice: string | null;
};

/**
 * Reads the three values. A variable that is unset or blank counts as unset; values are
 * trimmed (a pasted trailing newline is never part of a token). Secrets are registered for
 * redaction under both names, the one not used included.
 */
export function readCredentialsEnv(env: Record<string, string | undefined>): CredentialsEnv {
  const conflicts: Array<{ primary: string; alias: string }> = [];
  const read = (key: Key): EnvCredential | undefined => {
    const [primary, alias] = CREDENTIAL_VARIABLES[key];
    const first = present(env[primary]);
    const second = present(env[alias]);
    if (key !== 'clientId') {
      registerSecret(first);
      registerSecret(second);
    }
    if (first !== undefined && second !== undefined && first !== second) {
      conflicts.push({ primary, alias });
    }
    if (first !== undefined) return { value: first, variable: primary };
    if (second !== undefined) return { value: second, variable: alias };
    return undefined;
  };
  const clientId = read('clientId');
  const clientSecret = read('clientSecret');
  const refreshToken = read('refreshToken');
  const many = conflicts.length > 1;
  const notice =
    conflicts.length === 0
      ? null
      : `${list(conflicts.map((c) => c.alias))} ${many ? 'differ' : 'differs'} from ${list(
          conflicts.map((c) => c.primary),
        )}, which ${many ? 'are' : 'is'} used (unset one of the names to silence this)`;
  return { clientId, clientSecret, refreshToken, notice };
}

function list(names: string[]): string {
  return names.length <= 1
    ? names.join('')
    : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

function present(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
