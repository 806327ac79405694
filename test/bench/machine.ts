/** What the figures were measured on, recorded with them (absolute times depend on it). */
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  v8: string;
  platform: string;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    v8: process.versions.v8,
    platform: `${process.platform} ${process.arch}`,
  };
}

/** `/proc/loadavg`'s 1, 5 and 15 minute averages; null where there is no /proc. */
export function loadAverage(): [number, number, number] | null {
  try {
    const [one, five, fifteen] = readFileSync('/proc/loadavg', 'utf8').split(' ').map(Number);
    if (one === undefined || five === undefined || fifteen === undefined) return null;
    return [one, five, fifteen];
  } catch {
    return null;
  }
}
