/** The machine a benchmark ran on, as the report states it. */
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  kernel: string;
  node: string;
  /** 1-minute load average when the benchmark started: other work on a shared machine skews every figure. */
  loadAtStart: number;
  nmap: string | null;
  swaks: string | null;
}

function firstLine(command: string, args: string[]): string | null {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n')[0] ?? null;
  } catch {
    return null;
  }
}

/** Describes this machine and the peer tools' versions. */
export function describeMachine(): Machine {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    loadAtStart: Math.round(loadavg()[0]! * 100) / 100,
    nmap: firstLine('nmap', ['--version']),
    swaks: firstLine('swaks', ['--version']),
  };
}
