import { writeFile } from 'node:fs/promises';
import type { CommandModule } from 'yargs';
import { examplePlanYaml, Port25Error } from '@port25-audit/core';
import type { CommandContext } from '../cli.js';

interface InitArgs {
  out: string;
  force: boolean;
}

/** `port25-audit init`: writes an annotated example plan that validates. */
export const initCommand = ({ io, outcome, interrupt }: CommandContext): CommandModule<object, InitArgs> => ({
  command: 'init',
  describe: 'Write an annotated example audit plan',
  builder: (y) =>
    y
      .option('out', { type: 'string', requiresArg: true, default: 'plan.yaml', describe: "Where to write the plan ('-' for stdout)" })
      .option('force', { type: 'boolean', default: false, describe: 'Overwrite an existing file' }),
  handler: async (args) => {
    const text = examplePlanYaml();
    if (args.out === '-') {
      io.stdout.write(text);
      return;
    }
    try {
      await writeFile(args.out, text, { flag: args.force ? 'w' : 'wx' });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        throw new Port25Error('USAGE', `${args.out} already exists; use --force to overwrite it or --out to choose another file`);
      }
      throw new Port25Error('IO', `cannot write ${args.out}: ${(error as Error).message}`);
    }
    io.stderr.write(
      `Wrote ${args.out}. Edit it for your network, then run:\n` +
        `  port25-audit scan --plan ${args.out} --vantage outside\n` +
        `The example uses documentation ranges (203.0.113.0/24, 2001:db8::/32): replace them before scanning.\n`,
    );
    outcome.code = 0;
  },
});
