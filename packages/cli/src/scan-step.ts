import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { loadPlan, parseShard, Port25Error, runScan, type VantageKind } from '@port25-audit/core';
import type { Io } from './exit.js';
import { createProgress } from './progress.js';

/** The options `scan` and `audit` share. */
export interface ScanStepOptions {
  plan: string;
  vantage: VantageKind;
  out?: string | undefined;
  shard?: string | undefined;
  resume?: string | undefined;
  label?: string | undefined;
  /** Overwrite an existing scan file instead of refusing. */
  force?: boolean | undefined;
  /** Whether an interrupted scan can be resumed by the user (not so for the demo, whose lab is gone). */
  resumable?: boolean | undefined;
  quiet: boolean;
}

export interface ScanStepResult {
  /** The scan file, as the user named it. */
  file: string;
  interrupted: boolean;
  alreadyEnded: boolean;
}

/** Default scan file name: one per vantage (and shard), so two vantages never overwrite each other. */
export function defaultScanFile(vantage: VantageKind, shard: { index: number; count: number }): string {
  return shard.count > 1 ? `scan-${vantage}-${shard.index}of${shard.count}.ndjson` : `scan-${vantage}.ndjson`;
}

/**
 * Loads the plan and runs one scan from one vantage, with progress on stderr and
 * the interrupt signal (SIGINT/SIGTERM) stopping it cleanly: the file keeps what was seen.
 */
export async function scanStep(options: ScanStepOptions, io: Io, interrupt: AbortSignal): Promise<ScanStepResult> {
  // Usage first, so a bad flag is named even when the plan is bad too.
  const shard = options.shard !== undefined ? parseShard(options.shard) : { index: 0, count: 1 };
  if (options.resume !== undefined && options.out !== undefined) {
    throw new Port25Error('USAGE', '--resume FILE continues FILE in place; do not give --out with it');
  }
  const { plan, digest } = await loadPlan(options.plan);
  const file = options.resume ?? options.out ?? defaultScanFile(options.vantage, shard);
  if (!options.resume && !options.force && existsSync(file)) {
    // A scan file is evidence: never overwrite one by accident.
    throw new Port25Error('USAGE', `${file} already exists; continue it with --resume ${file}, choose another --out, or give --force to overwrite it`);
  }
  const host = hostname();
  const vantage = { kind: options.vantage, label: options.label ?? `${options.vantage}@${host}`, host };

  const progress = createProgress(io, { quiet: options.quiet, label: `${options.vantage} scan` });
  try {
    const summary = await runScan({
      plan,
      digest,
      vantage,
      shard,
      out: file,
      resume: Boolean(options.resume),
      signal: interrupt,
      onProgress: (p) => progress.update(p),
    });
    progress.stop();
    if (summary.alreadyEnded) {
      if (!options.quiet) io.stderr.write(`${file} already holds a complete scan; nothing to resume.\n`);
    } else if (summary.interrupted && options.resumable === false) {
      io.stderr.write(`Scan interrupted; ${file} keeps every finished probe.\n`);
    } else if (summary.interrupted) {
      io.stderr.write(
        `Scan interrupted; ${file} keeps every finished probe. Continue with:\n` +
          `  port25-audit scan --plan ${options.plan} --vantage ${options.vantage}` +
          `${options.shard ? ` --shard ${options.shard}` : ''} --resume ${file}\n`,
      );
    } else if (!options.quiet) {
      const counts = Object.entries(summary.counts)
        .map(([outcome, n]) => `${n} ${outcome}`)
        .join(', ');
      io.stderr.write(`Scan from the ${options.vantage} vantage written to ${file}${counts ? ` (${counts})` : ''}.\n`);
    }
    return { file, interrupted: summary.interrupted, alreadyEnded: Boolean(summary.alreadyEnded) };
  } finally {
    progress.stop();
  }
}
