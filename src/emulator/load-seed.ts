/**
 * Seed files: read, parse and validate one (validate-seed.ts), or the seed the package ships.
 */
import { readFileSync } from 'node:fs';
import { RolecallError } from '../errors.js';
import { packagePath } from '../paths.js';
import type { EmulatorSeed } from './seed.js';
import { validateSeed } from './validate-seed.js';

/** Reads and validates a seed file; every problem is reported with its JSON path. */
export function loadSeedFile(path: string): EmulatorSeed {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RolecallError('EMULATOR_SEED', `cannot read emulator seed ${path}: ${reason}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RolecallError('EMULATOR_SEED', `emulator seed ${path} is not valid JSON: ${reason}`);
  }
  return validateSeed(value, path);
}

/** The seed that ships with the package: the example business with deliberate drift. */
export function defaultSeedPath(): string {
  return packagePath('src', 'emulator', 'seeds', 'default.json');
}

export function loadDefaultSeed(): EmulatorSeed {
  return loadSeedFile(defaultSeedPath());
}
