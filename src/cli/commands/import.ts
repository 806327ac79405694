import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { RolecallError, UsageError } from '../../errors.js';
import { renderImportedPolicy } from '../../import/render-imported-policy.js';
import { packagePath, toolVersion } from '../../paths.js';
import { formatDiagnostic, validateDocuments } from '../../policy/load-desired-state.js';
import { redact } from '../../redact.js';
import { writeFileAtomic } from '../../write-file-atomic.js';
import { businessIdOption, parseCommandArgs, rateOption } from '../args.js';
import { nowFrom } from '../../flows/clock.js';
import type { Console } from '../../ports.js';
import { DEFAULT_POLICIES_DIR, liveSourceOf, readLive } from '../../flows/context.js';

const HELP = `Usage: rolecall import --business ID [--out FILE] [options]

Writes a policy file from a business's live FreshBooks team: every current member (active, or
with a pending invitation) with their role, mode authoritative, the owner protected, and a
"review:" comment on each entry. Deactivated members, members with a role rolecall does not
know, and addresses a policy cannot hold are listed in comments at the end, not as entries.
Planning the imported file finds no changes; the review happens in the pull request adding it.

Options:
  --business ID        the business to import (required)
  --out FILE           write the policy to FILE (e.g. policies/acme-holdings.yaml) instead of
                       printing it; an existing file is kept unless --force
  --force              overwrite --out if it exists
  --live FILE          import from a snapshot (\`rolecall sync --out FILE\`) instead of FreshBooks
  --token-store SPEC   file:PATH (default file:.rolecall/credentials.json) or
                       github-secret:NAME[@environment]
  --rate N             FreshBooks requests per second for this run (default 4)
  --verbose            log every FreshBooks request (redacted) on stderr
  -h, --help           this help
`;

export async function run(args: string[], io: Console): Promise<number> {
  const { values } = parseCommandArgs(args, {
    business: { type: 'string' },
    out: { type: 'string' },
    force: { type: 'boolean', default: false },
    live: { type: 'string' },
    'token-store': { type: 'string' },
    rate: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (values.business === undefined) {
    throw new UsageError('import needs the business: rolecall import --business ID');
  }
  const businessId = businessIdOption(values.business);
  const rate = rateOption(values.rate);
  const out = values.out === undefined ? undefined : resolve(io.cwd, values.out);
  if (out !== undefined && existsSync(out) && !values.force) {
    throw new RolecallError(
      'IMPORT_EXISTS',
      `${values.out} exists; rolecall import does not overwrite a policy (pass --force to replace it)`,
    );
  }

  const now = nowFrom(io.env);
  const live = await readLive(
    io,
    liveSourceOf({
      liveFile: values.live,
      tokenStore: values['token-store'],
      rate,
      verbose: values.verbose,
    }),
    [businessId],
    now,
  );
  const business = live.businesses.find((b) => b.businessId === businessId);
  if (business === undefined) {
    throw new RolecallError(
      'IMPORT_NO_BUSINESS',
      `business ${businessId} was not in the live state`,
    );
  }

  // Editors find the schema relative to the file; printed output is meant for policies/.
  const fileDir = out === undefined ? join(io.cwd, DEFAULT_POLICIES_DIR) : dirname(out);
  const schemaRef = toPosix(relative(fileDir, packagePath('schemas', 'policy.schema.json')));
  const imported = renderImportedPolicy(business, {
    importedAt: live.syncedAt,
    toolVersion: toolVersion(),
    schemaRef,
    identityEmail: live.identity.email,
  });

  // The file must be a valid policy: check it exactly as `rolecall validate` would.
  const shownName = values.out ?? `business-${businessId}.yaml`;
  const check = validateDocuments([{ file: shownName, text: imported.text }], { now });
  if (check.errors.length > 0) {
    throw new RolecallError(
      'IMPORT_INVALID',
      `the imported policy does not validate (please report this):\n${check.errors.map(formatDiagnostic).join('\n')}`,
    );
  }

  if (out === undefined) {
    io.stdout.write(imported.text);
  } else {
    await writeFileAtomic(out, imported.text);
  }
  const target = values.out ?? 'the policy above';
  const skipped = imported.skipped.length;
  for (const skip of imported.skipped.filter((s) => s.revokedByPlan)) {
    io.stderr.write(
      redact(
        `warning: ${skip.email} cannot be listed in a policy; the first plan proposes to revoke them\n`,
      ),
    );
  }
  io.stderr.write(
    redact(
      `Imported ${business.name} (${businessId}) into ${target}: ${imported.members.length} member(s), ` +
        `${imported.protected.length} owner(s) protected` +
        `${skipped > 0 ? `, ${skipped} not imported (listed in comments at the end)` : ''}.\n` +
        'Review each entry (search for "review:"), then run `rolecall validate` and `rolecall plan`:\n' +
        'the plan should show no changes.\n',
    ),
  );
  return 0;
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}
