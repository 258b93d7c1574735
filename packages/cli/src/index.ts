/** port25-audit CLI: `main(argv)` resolves to the exit code. */
export { main, type Outcome, type CommandContext } from './cli.js';
export { EXIT, processIo, type Io } from './exit.js';
