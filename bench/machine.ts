// What the figures were measured on: written into every result file.
import os from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  ramMb: number;
  node: string;
  platform: string;
  kernel: string;
  /** One-minute load average when the workload started (other work on the machine skews figures). */
  loadAverage1m: number;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    ramMb: Math.round(os.totalmem() / 2 ** 20),
    node: process.version,
    platform: `${os.platform()}-${os.arch()}`,
    kernel: os.release(),
    loadAverage1m: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
  };
}
