/**
 * Running a command and measuring it the same way for us and for the peer
 * tools: GNU time reports wall time, peak resident memory (of the process and
 * its threads) and CPU time, for a Node process exactly as for nmap or swaks.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Measured {
  /** Wall-clock seconds. */
  seconds: number;
  /** Peak resident set size in MB (GNU time's %M). */
  rssMb: number;
  /** CPU seconds in user and kernel mode. */
  userSeconds: number;
  systemSeconds: number;
  stdout: string;
  stderr: string;
  code: number | null;
}

/** The command line as a user would type it, for the report. */
export function shellLine(command: readonly string[]): string {
  return command.map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`)).join(' ');
}

/**
 * Runs `command` under `/usr/bin/time` and returns what it measured. Rejects
 * when the command exits non-zero (unless `allowFailure`), with its stderr.
 */
export async function measure(command: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; allowFailure?: boolean } = {}): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'p25p-time-'));
  const timeFile = join(dir, 'time.txt');
  try {
    const child = spawn('/usr/bin/time', ['-o', timeFile, '-f', '%e %M %U %S', ...command], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (exitCode) => resolve(exitCode));
    });
    if (code !== 0 && !options.allowFailure) throw new Error(`${shellLine(command)} exited ${code}: ${stderr.trim().slice(-2000)}`);
    // GNU time writes "Command exited with non-zero status N" before its line when the command failed.
    const fields = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
    const [seconds, rssKb, userSeconds, systemSeconds] = fields as [number, number, number, number];
    return { seconds, rssMb: rssKb / 1024, userSeconds, systemSeconds, stdout, stderr, code };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The median of some numbers (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Formats a number with a fixed number of decimals and thousands separators. */
export function formatNumber(value: number, decimals = 0): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}
