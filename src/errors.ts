/**
 * The closed set of errors `resilient` reports to people. Everything the CLI shows as a failure is one
 * of these codes; exit codes are derived from the code in exactly one place (`exitCodeOf`).
 *
 * `source` splits the user's fault (bad flag, missing credential, corrupt checkpoint) from ours (a bug):
 * the CLI prints a hint for the first and a "please report" line for the second.
 */
export const ERROR_CODES = {
  /** A wrong flag, a bad value, a command that needs an answer without a TTY. Exit 2. */
  USAGE: { exit: 2, source: 'user' },
  /** Missing, expired or rejected credentials; preflight (no default VPC, instance type not offered). */
  PRECONDITION: { exit: 1, source: 'user' },
  /** A checkpoint that cannot be read, is corrupt, or was written by an incompatible version. */
  CHECKPOINT: { exit: 1, source: 'user' },
  /** Another process holds the lock on this deployment name. */
  LOCKED: { exit: 1, source: 'user' },
  /** An AWS (or local cloud) call failed in a way the workflow cannot absorb. */
  CLOUD: { exit: 1, source: 'cloud' },
  /** A wait passed its deadline. */
  TIMEOUT: { exit: 1, source: 'cloud' },
  /** A demo stage did not behave as expected (`--yes` verification). */
  VERIFICATION: { exit: 1, source: 'cloud' },
  /** The user interrupted (Ctrl+C, or a cancelled prompt). Exit 130. */
  INTERRUPTED: { exit: 130, source: 'user' },
  /** A bug in resilient. */
  INTERNAL: { exit: 1, source: 'bug' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class ResilientError extends Error {
  readonly code: ErrorCode;
  /** One line telling the user what to do next, shown under the message. */
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ResilientError';
    this.code = code;
    this.hint = options.hint;
  }
}

export const usageError = (message: string, hint?: string): ResilientError =>
  new ResilientError('USAGE', message, hint === undefined ? {} : { hint });

/** The single mapping from any thrown value to a process exit code. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof ResilientError) return ERROR_CODES[error.code].exit;
  return ERROR_CODES.INTERNAL.exit;
}

/** Wraps anything thrown into a ResilientError, keeping known ones as they are. */
export function toResilientError(error: unknown): ResilientError {
  if (error instanceof ResilientError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ResilientError('INTERNAL', message, { cause: error });
}
