/**
 * The build's precompiled validators (src/precompile-schemas.ts) must behave exactly like the
 * validators ajv compiles at run time — same verdict, same errors — and must be used only when
 * they were made from the schema text on disk.
 */
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { toolVersion, packagePath } from '../../src/paths.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { precompileSchemas } from '../../src/precompile-schemas.js';
import {
  SCHEMA_NAMES,
  loadPrecompiled,
  newAjv,
  precompiledPath,
  readSchemaText,
  type SchemaName,
} from '../../src/schemas.js';
import { acmeExample } from '../support/builders.js';

let dir: string;
beforeAll(async () => {
  // Inside the package, like dist/validators: the modules require ajv's runtime from there.
  const cache = packagePath('node_modules', '.cache');
  await mkdir(cache, { recursive: true });
  dir = await mkdtemp(join(cache, 'rolecall-validators-'));
  precompileSchemas(dir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function examples(): Record<SchemaName, unknown> {
  const { desired, live, now } = acmeExample();
  const plan = buildPlan({ desired, live, now, toolVersion: toolVersion() });
  return {
    policy: parse(readFileSync(packagePath('policies', 'acme-books.yaml'), 'utf8')) as unknown,
    plan: JSON.parse(JSON.stringify(plan)) as unknown,
    'live-state': JSON.parse(JSON.stringify(live)) as unknown,
  };
}

/** Replaces the value at a random path of `doc` (or deletes it) — mostly invalid documents. */
function mutate(doc: unknown, picks: number[], replacement: unknown, remove: boolean): unknown {
  const copy = JSON.parse(JSON.stringify(doc)) as unknown;
  let node = copy;
  for (const [i, pick] of picks.entries()) {
    if (node === null || typeof node !== 'object') break;
    const keys = Object.keys(node);
    if (keys.length === 0) break;
    const key = keys[pick % keys.length] as string;
    const record = node as Record<string, unknown>;
    if (i === picks.length - 1 || typeof record[key] !== 'object' || record[key] === null) {
      if (remove) delete record[key];
      else record[key] = replacement;
      break;
    }
    node = record[key];
  }
  return copy;
}

describe('precompiled schema validators', () => {
  it.each(SCHEMA_NAMES)('%s: loads only when made from the schema text on disk', async (name) => {
    const path = precompiledPath(name, dir);
    const text = readSchemaText(name);
    expect(loadPrecompiled(path, text)).toBeTypeOf('function');
    // An edited schema, a missing file or a broken file: not used (the caller compiles).
    expect(loadPrecompiled(path, `${text} `)).toBeUndefined();
    expect(loadPrecompiled(join(dir, 'absent.cjs'), text)).toBeUndefined();
    const broken = join(dir, `${name}-broken.cjs`);
    await writeFile(broken, (await readFile(path, 'utf8')).slice(0, 500));
    expect(loadPrecompiled(broken, text)).toBeUndefined();
  });

  it.each(SCHEMA_NAMES)('%s: same verdict and errors as a run-time compile', (name) => {
    const runtime = newAjv().compile(JSON.parse(readSchemaText(name)) as Record<string, unknown>);
    const precompiled = loadPrecompiled(precompiledPath(name, dir), readSchemaText(name));
    if (!precompiled) throw new Error('no precompiled validator');
    const example = examples()[name];
    const check = (doc: unknown) => {
      const expected = runtime(doc);
      const expectedErrors = structuredClone(runtime.errors);
      expect(precompiled(doc)).toBe(expected);
      expect(precompiled.errors).toEqual(expectedErrors);
    };
    check(example);
    expect(runtime(example)).toBe(true);
    fc.assert(
      fc.property(
        fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
        fc.jsonValue({ maxDepth: 2 }),
        fc.boolean(),
        (picks, replacement, remove) => check(mutate(example, picks, replacement, remove)),
      ),
      { numRuns: 300 },
    );
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 3 }), check), { numRuns: 100 });
  });
});
