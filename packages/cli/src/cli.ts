import yargs from 'yargs';
import type { Argv } from 'yargs';
import { TOOL } from '@port25-audit/core';
import { EXIT, processIo, reportError, type Io } from './exit.js';
import { initCommand } from './commands/init.js';
import { scanCommand } from './commands/scan.js';
import { reportCommand } from './commands/report.js';
import { auditCommand } from './commands/audit.js';
import { demoCommand } from './commands/demo.js';
import { probeCommand } from './commands/probe.js';

/** What a command handler leaves behind: the exit code it decided. */
export interface Outcome {
  code: number;
}

/** What every command gets: where to print, where to leave its exit code, and the Ctrl-C signal. */
export interface CommandContext {
  io: Io;
  outcome: Outcome;
  /** Aborted on SIGINT/SIGTERM. */
  interrupt: AbortSignal;
}

/**
 * Runs the CLI on `argv` (without node and script) and resolves to the exit code.
 * Never calls process.exit, so it can be tested in-process.
 */
export async function main(argv: string[], io: Io = processIo(), interrupt: AbortSignal = new AbortController().signal): Promise<number> {
  const outcome: Outcome = { code: EXIT.ok };
  if (interrupt.aborted) return EXIT.interrupted;
  const context: CommandContext = { io, outcome, interrupt };
  argv = joinDashValues(argv);
  if (argv.includes('--')) {
    // Nothing of ours reads arguments after `--`, and strict mode would not check them.
    io.stderr.write("port25-audit: '--' is not used by port25-audit; remove it and what follows, or quote the value\nRun 'port25-audit --help' for usage.\n");
    return EXIT.usage;
  }

  const cli: Argv = yargs(argv)
    .scriptName('port25-audit')
    .usage('$0 <command> [options]\n\nAudit a network against the six MAAWG practices for managing port 25.')
    .env('PORT25_AUDIT')
    // `--plan.x` is no object: every option is one plain value.
    .parserConfiguration({ 'dot-notation': false })
    // getOptions() is public in yargs but missing from @types/yargs 17.
    .middleware((args) => refuseRepeatedOptions(args, new Set((cli as unknown as DeclaredOptions).getOptions().array)), true)
    .command(initCommand(context))
    .command(scanCommand(context))
    .command(reportCommand(context))
    .command(auditCommand(context))
    .command(demoCommand(context))
    .command(probeCommand(context))
    .demandCommand(1, 'Name a command: init, scan, report, audit or demo.')
    .recommendCommands()
    .strict()
    .version(TOOL.version)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(100, (io.stdout as { columns?: number }).columns ?? 100))
    .epilogue(
      'Exit codes: 0 compliant (scan: completed), 1 a practice failed, 2 bad usage or plan, 3 runtime error, 130 interrupted.\n' +
        'Every option can also be set as an environment variable PORT25_AUDIT_<OPTION> (e.g. PORT25_AUDIT_PLAN).',
    )
    .fail((message, error) => {
      // Throwing stops yargs from running the handler after a usage error.
      // yargs reports its own parse errors (YError) here too: those are usage, not runtime errors.
      if (error && error.name !== 'YError') throw error;
      throw new UsageError(message ?? error?.message ?? 'bad usage');
    })
    .exitProcess(false);

  try {
    let helpOrVersion = '';
    await cli.parseAsync(argv, {}, (_err, _argv, output) => {
      helpOrVersion = output;
    });
    if (helpOrVersion) io.stdout.write(`${helpOrVersion}\n`);
    return outcome.code;
  } catch (error) {
    if (error instanceof UsageError) {
      // yargs spreads some messages over lines ("Invalid values:\n  Argument: ..."): one line reads better.
      io.stderr.write(`port25-audit: ${error.message.replace(/:?\s*\n\s*/g, ': ')}\nRun 'port25-audit --help' for usage.\n`);
      return EXIT.usage;
    }
    return reportError(error, io);
  }
}

class UsageError extends Error {}

interface DeclaredOptions {
  getOptions(): { array: string[] };
}

/**
 * `--plan a --plan b` would otherwise become the list "a,b": say which option was repeated instead.
 * Options declared as arrays (`--dns A --dns B`, the scan files of `report`) may repeat.
 */
function refuseRepeatedOptions(argv: Record<string, unknown>, lists: ReadonlySet<string>): void {
  for (const [name, value] of Object.entries(argv)) {
    if (Array.isArray(value) && name !== '_' && !lists.has(name) && name.length > 1 && !name.includes('-')) {
      throw new UsageError(`--${name} is given more than once (${value.map(String).join(', ')}); give it once`);
    }
  }
}

/**
 * yargs-parser reads a lone `-` as a positional, so `--out -` (stdout, by convention)
 * would lose its value; `--out=-` keeps it. Nothing of ours takes `-` as a positional.
 */
function joinDashValues(argv: string[]): string[] {
  const joined: string[] = [];
  for (const arg of argv) {
    const previous = joined.at(-1);
    if (arg === '-' && previous !== undefined && /^--?[a-z][\w-]*$/i.test(previous)) joined[joined.length - 1] = `${previous}=-`;
    else joined.push(arg);
  }
  return joined;
}
