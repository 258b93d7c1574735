import type { Argv, CommandModule } from 'yargs';
import { reportFromScanFiles, type VantageKind } from '@port25-audit/core';
import { EXIT } from '../exit.js';
import type { CommandContext } from '../cli.js';
import { renderStep, type RenderOptions } from '../render-step.js';
import { scanStep } from '../scan-step.js';
import { renderOptions } from './report.js';

interface AuditArgs extends RenderOptions {
  plan: string;
  vantage: VantageKind;
  scanOut?: string;
  shard?: string;
  label?: string;
  force: boolean;
  quiet: boolean;
}

/** `port25-audit audit`: scan from one vantage, then report on that scan. */
export const auditCommand = ({ io, outcome, interrupt }: CommandContext): CommandModule<object, AuditArgs> => ({
  command: 'audit',
  describe: 'Scan from one vantage and render the report in one step',
  builder: (y) =>
    renderOptions(y, 'table')
      .option('plan', { type: 'string', requiresArg: true, demandOption: true, describe: 'Audit plan (YAML or JSON)' })
      .option('vantage', { choices: ['inside', 'outside'] as const, demandOption: true, describe: 'Where this machine stands' })
      .option('scan-out', { type: 'string', requiresArg: true, describe: 'Where to keep the scan file (default scan-<vantage>.ndjson)' })
      .option('shard', { type: 'string', requiresArg: true, describe: 'K/N: scan part K (0-based) of N' })
      .option('label', { type: 'string', requiresArg: true, describe: 'Name of this vantage in the report' })
      .option('force', { type: 'boolean', default: false, describe: 'Overwrite an existing scan file' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No progress on stderr' })
      .example('$0 audit --plan plan.yaml --vantage outside --format junit --out report.xml', 'gate a CI job') as unknown as Argv<AuditArgs>,
  handler: async (args) => {
    const scan = await scanStep({ ...args, out: args.scanOut }, io, interrupt);
    if (scan.interrupted) {
      outcome.code = EXIT.interrupted;
      return;
    }
    const report = await reportFromScanFiles([scan.file], new Date());
    outcome.code = await renderStep(report, args, io);
  },
});
