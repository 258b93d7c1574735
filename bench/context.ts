/** What every part of the benchmark shares: where things are, how many rounds, where to log. */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface BenchContext {
  /** The repository root. */
  root: string;
  /** A scratch directory for plans and scan files, removed at the end. */
  work: string;
  /** Interleaved repetitions of each timed comparison; medians are reported. */
  rounds: number;
  log: (line: string) => void;
}

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The CLI as installed users run it (the built package). */
export const CLI = 'packages/cli/bin/port25-audit.js';
/** The library child (plain Node, built package). */
export const SCAN_CHILD = 'bench/scan-child.mjs';

/** Outcome counts from a scan file's end line (its last line), or null when it has none. */
export function endCounts(path: string): Record<string, number> | null {
  const size = statSync(path).size;
  const length = Math.min(size, 4096);
  const buffer = Buffer.alloc(length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buffer, 0, length, size - length);
  } finally {
    closeSync(fd);
  }
  const last = buffer.toString('utf8').trimEnd().split('\n').at(-1) ?? '';
  try {
    const line = JSON.parse(last) as { type?: string; counts?: Record<string, number> };
    return line.type === 'end' ? (line.counts ?? {}) : null;
  } catch {
    return null;
  }
}

/**
 * Loopback addresses within `prefix` (e.g. `127.1.`) where something listens on
 * TCP `port`: another process's fixture must not be disturbed, so they are
 * left out of the range (scope.exclude, nmap --exclude). A wildcard listener
 * (0.0.0.0) would answer on every address: that is refused.
 */
export function listenersOn(port: number, within: (address: string) => boolean): string[] {
  const text = execFileSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' });
  const addresses: string[] = [];
  for (const line of text.split('\n')) {
    const local = line.trim().split(/\s+/)[3];
    if (local === undefined) continue;
    const address = local.slice(0, local.lastIndexOf(':'));
    if (address === '0.0.0.0' || address === '*' || address === '[::]') {
      throw new Error(`something listens on ${local}, every address's port ${port}: stop it before benchmarking a census of port ${port}`);
    }
    if (within(address)) addresses.push(address);
  }
  return addresses;
}
