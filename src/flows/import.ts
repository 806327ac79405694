/**
 * `rolecall import`: a policy file from a business's live FreshBooks team (import/ renders it),
 * checked exactly as `rolecall validate` would check it before it is printed or written. The
 * file is written atomically and never over an existing policy unless forced.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { RolecallError, EXIT } from '../errors.js';
import { renderImportedPolicy } from '../import/render-imported-policy.js';
import { logicalCwd, toolVersion } from '../paths.js';
import { formatDiagnostic, validateDocuments } from '../policy/load-desired-state.js';
import { redact } from '../redact.js';
import { policySchemaRef } from '../schemas.js';
import { writeFileAtomic } from '../write-file-atomic.js';
import type { Console } from '../ports.js';
import { type ConnectionOptions, DEFAULT_POLICIES_DIR, liveSourceOf, readLive } from './context.js';

export interface ImportOptions extends ConnectionOptions {
  businessId: number;
  now: Date;
  /** `--out FILE`, as given (relative to the working directory); absent: print the policy. */
  out?: string;
  /** Overwrite `out` if it exists. */
  force: boolean;
  /** `--live FILE`: import from a snapshot instead of FreshBooks. */
  liveFile?: string;
}

export interface ImportOutcome {
  exitCode: number;
  /** The policy text, as printed or written. */
  text: string;
}

export async function importPolicy(io: Console, options: ImportOptions): Promise<ImportOutcome> {
  const { businessId } = options;
  // Logical paths throughout: the file's `$schema` reference is followed from where the user
  // sees the file, which differs from the physical path when a link is on the way.
  const cwd = logicalCwd(io.cwd, io.env);
  const out = options.out === undefined ? undefined : resolve(cwd, options.out);
  if (out !== undefined && existsSync(out) && !options.force) {
    throw new RolecallError(
      'IMPORT_EXISTS',
      `${options.out} exists; rolecall import does not overwrite a policy (pass --force to replace it)`,
    );
  }

  const now = options.now;
  const live = await readLive(io, liveSourceOf(options), [businessId], now);
  const business = live.businesses.find((b) => b.businessId === businessId);
  if (business === undefined) {
    throw new RolecallError(
      'IMPORT_NO_BUSINESS',
      `business ${businessId} was not in the live state`,
    );
  }

  // Editors find the schema relative to the file; printed output is meant for policies/.
  const fileDir = out === undefined ? join(cwd, DEFAULT_POLICIES_DIR) : dirname(out);
  const schemaRef = policySchemaRef({ fileDir, cwd });
  const imported = renderImportedPolicy(business, {
    importedAt: live.syncedAt,
    toolVersion: toolVersion(),
    schemaRef,
    identityEmail: live.identity.email,
  });

  // The file must be a valid policy: check it exactly as `rolecall validate` would.
  const shownName = options.out ?? `business-${businessId}.yaml`;
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
  const target = options.out ?? 'the policy above';
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
  return { exitCode: EXIT.OK, text: imported.text };
}
