import type { CommandModule } from 'yargs';
import type { VantageKind } from '@port25-audit/core';
import { EXIT } from '../exit.js';
import type { CommandContext } from '../cli.js';
import { scanStep } from '../scan-step.js';

interface ScanArgs {
  plan: string;
  vantage: VantageKind;
  out?: string;
  shard?: string;
  resume?: string;
  label?: string;
  force: boolean;
  quiet: boolean;
}

/** `port25-audit scan`: probes from one vantage and streams observations into an NDJSON scan file. */
export const scanCommand = ({ io, outcome, interrupt }: CommandContext): CommandModule<object, ScanArgs> => ({
  command: 'scan',
  describe: 'Probe the network from one vantage and write a scan file (NDJSON)',
  builder: (y) =>
    y
      .option('plan', { type: 'string', requiresArg: true, demandOption: true, describe: 'Audit plan (YAML or JSON)' })
      .option('vantage', { choices: ['inside', 'outside'] as const, demandOption: true, describe: 'Where this machine stands: inside the dynamic range, or outside the network' })
      .option('out', { type: 'string', requiresArg: true, describe: 'Scan file to write (default scan-<vantage>.ndjson)' })
      .option('shard', { type: 'string', requiresArg: true, describe: 'K/N: scan part K (0-based) of N disjoint parts of the sample' })
      .option('resume', { type: 'string', requiresArg: true, describe: 'Continue the interrupted scan in FILE, in place' })
      .option('label', { type: 'string', requiresArg: true, describe: 'Name of this vantage in the report (default <vantage>@<hostname>)' })
      .option('force', { type: 'boolean', default: false, describe: 'Overwrite an existing scan file' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No progress or summary on stderr' })
      .example('$0 scan --plan plan.yaml --vantage outside', 'scan the dynamic ranges from outside')
      .example('$0 scan --plan plan.yaml --vantage outside --shard 0/4', 'scan the first of four shards'),
  handler: async (args) => {
    const result = await scanStep(args, io, interrupt);
    // DESIGN: scan exits 0 when it completed, whatever it found; 130 when interrupted.
    outcome.code = result.interrupted ? EXIT.interrupted : EXIT.ok;
  },
});
