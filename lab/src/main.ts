/**
 * `npm run lab -- <command>`: the namespace lab for people (see USAGE in commands.ts and docs/lab.md).
 */
import { parseArgs } from 'node:util';
import { auditCommand, downCommand, LAB_EXIT, listScenarios, showScenario, statusCommand, upCommand, USAGE, type CommandIo } from './commands.js';
import { labUnavailable } from './requirements.js';

const io: CommandIo = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) };

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { out: { type: 'string' }, instance: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}\n`);
    return LAB_EXIT.usage;
  }
  const [command, argument, extra] = parsed.positionals;
  const id = parsed.values.instance ?? 'default';
  if (parsed.values.help || command === undefined || command === 'help') {
    io.out(`${USAGE}\n`);
    return command === undefined && !parsed.values.help ? LAB_EXIT.usage : LAB_EXIT.ok;
  }
  if (extra !== undefined) {
    io.err(`unexpected argument "${extra}"\n\n${USAGE}\n`);
    return LAB_EXIT.usage;
  }
  switch (command) {
    case 'list':
      return listScenarios(io);
    case 'show':
      if (argument === undefined) {
        io.err('show needs a scenario name (npm run lab -- list)\n');
        return LAB_EXIT.usage;
      }
      return showScenario(io, argument);
    case 'up':
    case 'down':
    case 'status':
    case 'audit': {
      const unavailable = labUnavailable();
      if (unavailable !== null) {
        io.err(`${unavailable.reason}\n`);
        return LAB_EXIT.runtime;
      }
      if (command === 'up') return upCommand(io, id, argument);
      if (command === 'down') return downCommand(io, id);
      if (command === 'status') return statusCommand(io, id);
      return auditCommand(io, id, argument, parsed.values.out ?? 'p25lab-audit');
    }
    default:
      io.err(`unknown command "${command}"\n\n${USAGE}\n`);
      return LAB_EXIT.usage;
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`lab: ${(error as Error).message}\n`);
  process.exitCode = LAB_EXIT.runtime;
}
