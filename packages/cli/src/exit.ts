import { Port25Error } from '@port25-audit/core';

/** Exit codes of DESIGN.md: 0 compliant/completed, 1 a practice failed, 2 bad usage or plan, 3 runtime error, 130 interrupted. */
export const EXIT = { ok: 0, failed: 1, usage: 2, runtime: 3, interrupted: 130 } as const;

/** Where user-facing messages go; injected so tests can capture them. */
export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export const processIo = (): Io => ({ stdout: process.stdout, stderr: process.stderr, env: process.env });

/**
 * Prints an error as a user should see it and returns the exit code.
 * Port25Errors carry their own one-line message and per-problem details; anything
 * else is a runtime error (exit 3), its stack shown only with PORT25_AUDIT_DEBUG=1.
 */
export function reportError(error: unknown, io: Io): number {
  if (error instanceof Port25Error) {
    io.stderr.write(`port25-audit: ${error.message}\n`);
    for (const line of error.details) if (line !== error.message) io.stderr.write(`  ${line}\n`);
    return error.exitCode;
  }
  const err = error instanceof Error ? error : new Error(String(error));
  io.stderr.write(`port25-audit: unexpected error: ${err.message}\n`);
  if (io.env.PORT25_AUDIT_DEBUG) io.stderr.write(`${err.stack ?? ''}\n`);
  else io.stderr.write('  (set PORT25_AUDIT_DEBUG=1 for the stack trace)\n');
  return EXIT.runtime;
}
