/**
 * Runs the real `port25-audit` binary inside the namespace the harness started
 * this script in: it first proves it is inside (assertInsideNamespace throws
 * before any socket otherwise), then runs the CLI with argv[2..], which
 * inherits the namespace, and relays its output and exit code.
 */
import { spawn } from 'node:child_process';
import { BIN } from '../../helpers/cli.js';
import { assertInsideNamespace } from '../../helpers/netns.js';

assertInsideNamespace();
const child = spawn(process.execPath, [BIN, ...process.argv.slice(2)], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, NO_COLOR: '1' } });
child.on('close', (code) => process.exit(code ?? 1));
