import type { Argv, CommandModule } from 'yargs';
import { stat } from 'node:fs/promises';
import { Port25Error, reportFromScanFiles } from '@port25-audit/core';
import type { CommandContext } from '../cli.js';
import { FAIL_ON, FORMATS, LANGS, renderStep, type RenderOptions } from '../render-step.js';

interface ReportArgs extends RenderOptions {
  scans: string[];
}

/** The rendering options `report`, `audit` and `demo` share. */
export function renderOptions<T>(y: Argv<T>, defaultFormat: RenderOptions['format']) {
  return y
    .option('format', { alias: 'f', choices: FORMATS, default: defaultFormat, describe: 'Output format' })
    .option('out', { alias: 'o', type: 'string', requiresArg: true, describe: 'Write the report to FILE instead of stdout' })
    .option('lang', { choices: LANGS, default: 'en' as const, describe: 'Language of the HTML report and the table' })
    .option('fail-on', { choices: FAIL_ON, default: 'fail' as const, describe: 'Exit 1 when a practice is at least this bad' })
    .option('require-tested', { type: 'boolean', default: false, describe: 'Count a practice that was not tested (skip) as a failure' })
    .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'Table: one row per check' });
}

/** `port25-audit report`: merges scan files (vantages, shards) and renders the checklist. */
export const reportCommand = ({ io, outcome, interrupt }: CommandContext): CommandModule<object, ReportArgs> => ({
  command: 'report <scans..>',
  describe: 'Merge scan files and render the checklist (table, json, junit, html)',
  builder: (y) =>
    renderOptions(y, 'table')
      .positional('scans', { type: 'string', array: true, describe: 'Scan files (NDJSON), from any vantages and shards of one plan' })
      .example('$0 report scan-outside.ndjson scan-inside.ndjson --format html --out report.html', '') as unknown as Argv<ReportArgs>,
  handler: async (args) => {
    await assertScanFilesExist(args.scans);
    const report = await reportFromScanFiles(args.scans, new Date());
    outcome.code = await renderStep(report, args, io);
  },
});

/** A scan file named on the command line that does not exist is a usage error (exit 2), not a runtime one. */
export async function assertScanFilesExist(files: readonly string[]): Promise<void> {
  const problems: string[] = [];
  for (const file of files) {
    const info = await stat(file).catch((error: NodeJS.ErrnoException) => error);
    if (info instanceof Error) {
      problems.push(`${file}: ${info.code === 'ENOENT' ? 'no such file' : `cannot be read (${info.code ?? info.message})`}`);
    } else if (!info.isFile()) {
      problems.push(`${file}: is not a file`);
    }
  }
  if (problems.length > 0) {
    throw new Port25Error('USAGE', problems.length === 1 ? problems[0]! : `${problems.length} scan files cannot be read`, problems);
  }
}
