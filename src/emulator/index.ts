/**
 * The embedded FreshBooks emulator: the sandbox behind `npm start`, every integration test
 * and every benchmark. Its reference: README.md in this directory.
 */
export {
  startEmulator,
  type EmulatorCredentials,
  type EmulatorOptions,
  type RunningEmulator,
} from './start-emulator.js';
export { EmulatorControlError, type EmulatorControl, type MintCodeInput } from './control.js';
export type { AddMemberInput, PatchMemberInput } from './members-control.js';
export {
  CAPACITY_ENCODINGS,
  WRITE_OPERATIONS,
  type CapacityAcceptance,
  type EmulatorConfig,
  type WriteOperation,
} from './config.js';
export {
  FAULT_KINDS,
  formatFaultSpec,
  parseFaultSpec,
  type FaultKind,
  type FaultSpec,
} from './faults.js';
export type { RequestLogEntry, RequestStats } from './request-log.js';
export { defaultSeedPath, loadDefaultSeed, loadSeedFile } from './load-seed.js';
export type { EmulatorSeed, SeedBusiness, SeedClient, SeedIdentity, SeedMember } from './seed.js';
export { validateSeed } from './validate-seed.js';
export type { EmulatorMemberState } from './model.js';
export type { SeatsJson } from './seats.js';
export type { TeamMemberJson } from './wire.js';
