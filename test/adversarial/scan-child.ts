/**
 * Runs the real `port25-audit` binary in a child process, as a user would, and
 * measures what only the child knows: its peak resident set size. A preloaded
 * module (`--import`, through NODE_OPTIONS) writes `process.resourceUsage().maxRSS`
 * to a file when the child exits.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, type CliRun } from '../helpers/cli.js';

const RSS_REPORTER =
  'import { writeFileSync } from "node:fs";' +
  'process.on("exit", () => writeFileSync(process.env.P25X_RSS_FILE, String(process.resourceUsage().maxRSS)));';

export interface MeasuredRun extends CliRun {
  /** Peak resident set size of the child, in MiB. */
  peakRssMiB: number;
  /** Wall-clock time from spawn to exit. */
  wallMs: number;
}

/** Runs the CLI with `args` in `cwd`; `tag` names the RSS file (one per concurrent run). */
export async function runMeasured(args: string[], options: { cwd: string; tag: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<MeasuredRun> {
  const rssFile = join(options.cwd, `${options.tag}.maxrss`);
  const started = performance.now();
  const run = await runCli(args, {
    cwd: options.cwd,
    timeoutMs: options.timeoutMs ?? 60_000,
    env: { ...options.env, NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(RSS_REPORTER)}`, P25X_RSS_FILE: rssFile },
  });
  const wallMs = performance.now() - started;
  const kib = Number(await readFile(rssFile, 'utf8').catch(() => 'NaN'));
  return { ...run, peakRssMiB: Math.round((kib / 1024) * 10) / 10, wallMs: Math.round(wallMs) };
}
