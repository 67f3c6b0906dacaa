/**
 * How a failure reads: one line saying what went wrong, one line saying what to do. The user's fault
 * gets a hint; ours gets a "please report" line (aesthetics.md habit 3).
 */
import { ERROR_CODES, exitCodeOf, ResilientError, toResilientError } from '../errors.ts';
import type { Io } from './io.ts';

const ISSUES = 'https://github.com/resilient/resilient/issues';

/** Adds the command's help as the hint of a usage error that has none (value checks do not know the command). */
export function withUsageHint(error: unknown, command: string | undefined): ResilientError {
  const e = toResilientError(error);
  if (e.code !== 'USAGE' || e.hint !== undefined) return e;
  const hint = command === undefined ? 'run resilient --help' : `run resilient ${command} --help`;
  return new ResilientError('USAGE', e.message, { hint, cause: e.cause });
}

/** Prints the error to stderr and returns the exit code (mapped in `exitCodeOf`, nowhere else). */
export function reportError(io: Io, error: unknown, command: string | undefined): number {
  const e = withUsageHint(error, command);
  const { style } = io;
  if (e.code === 'INTERRUPTED') {
    io.warn(style.yellow(e.message));
    if (e.hint !== undefined) io.warn(e.hint);
    return exitCodeOf(e);
  }
  io.warn(`${style.red('error:')} ${e.message}`);
  if (e.hint !== undefined) io.warn(style.dim(e.hint));
  if (ERROR_CODES[e.code].source === 'bug') {
    const stack = e.cause instanceof Error && e.cause.stack !== undefined ? e.cause.stack : e.stack;
    if (io.env['RESILIENT_DEBUG'] !== undefined && stack !== undefined) io.warn(style.dim(stack));
    io.warn(
      style.dim(
        `This is a bug in resilient. Please report it at ${ISSUES} (RESILIENT_DEBUG=1 shows the stack).`,
      ),
    );
  }
  return exitCodeOf(e);
}
