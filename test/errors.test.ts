import { describe, expect, it } from 'vitest';
import { exitCodeOf, ResilientError, toResilientError, usageError } from '../src/errors.ts';

describe('exit codes', () => {
  it('maps usage errors to 2, interruptions to 130 and everything else to 1', () => {
    expect(exitCodeOf(usageError('bad flag'))).toBe(2);
    expect(exitCodeOf(new ResilientError('INTERRUPTED', 'stopped'))).toBe(130);
    expect(exitCodeOf(new ResilientError('TIMEOUT', 'late'))).toBe(1);
    expect(exitCodeOf(new Error('bug'))).toBe(1);
  });

  it('wraps unknown throwables as INTERNAL and keeps the cause', () => {
    const cause = new TypeError('x is undefined');
    const wrapped = toResilientError(cause);
    expect(wrapped.code).toBe('INTERNAL');
    expect(wrapped.cause).toBe(cause);
    expect(toResilientError(wrapped)).toBe(wrapped);
  });
});
