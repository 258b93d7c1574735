/**
 * One table of error codes for everything the core throws at a user.
 * The CLI maps `exitCode` straight to the process exit code (DESIGN.md: 2 bad
 * usage or plan, 3 runtime error, 130 interrupted).
 */
export const ERROR_CODES = {
  PLAN_UNREADABLE: { exitCode: 2, what: 'the plan file cannot be read or parsed' },
  PLAN_INVALID: { exitCode: 2, what: 'the plan does not validate' },
  USAGE: { exitCode: 2, what: 'bad command-line usage' },
  NOTHING_TO_PROBE: { exitCode: 2, what: 'the plan names nothing to probe from this vantage' },
  SCAN_FILE_INVALID: { exitCode: 2, what: 'a scan file is not a port25-audit scan' },
  DIGEST_MISMATCH: { exitCode: 2, what: 'scan files or plan belong to different plans' },
  SCOPE: { exitCode: 3, what: 'an address outside the plan was refused' },
  IO: { exitCode: 3, what: 'a local file or resource error' },
  RUNTIME: { exitCode: 3, what: 'an unexpected runtime error' },
  INTERRUPTED: { exitCode: 130, what: 'the scan was interrupted' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * An error meant for a user: `message` is one line; `details` are further
 * lines, one per problem (`plan.yaml: scope.dynamic[2]: ... is not a CIDR range`).
 */
export class Port25Error extends Error {
  readonly code: ErrorCode;
  readonly details: readonly string[];

  constructor(code: ErrorCode, message: string, details: readonly string[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'Port25Error';
    this.code = code;
    this.details = details;
  }

  get exitCode(): number {
    return ERROR_CODES[this.code].exitCode;
  }
}
