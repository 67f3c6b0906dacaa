import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { installInterrupt, promptCrashHandler } from '../../src/cli/interrupt.ts';
import { ResilientError } from '../../src/errors.ts';
import { captureIo } from '../_support/cli.ts';

describe('Ctrl+C', () => {
  it('the first asks the run to stop (abort with INTERRUPTED); the second exits at once', () => {
    const source = new EventEmitter();
    const cap = captureIo();
    let exits = 0;
    const interrupt = installInterrupt(cap.io, {
      firstMessage: 'Stopping after the call in flight.',
      exitNow: () => {
        exits += 1;
      },
      source: source as unknown as NodeJS.Process,
    });
    source.emit('SIGINT');
    expect(interrupt.signal.aborted).toBe(true);
    expect(interrupt.signal.reason).toBeInstanceOf(ResilientError);
    expect((interrupt.signal.reason as ResilientError).code).toBe('INTERRUPTED');
    expect(cap.stderr()).toContain('Stopping after the call in flight. Press Ctrl+C again to quit now.');
    expect(exits).toBe(0);
    source.emit('SIGINT');
    expect(exits).toBe(1);
    expect(cap.stderr()).toContain('The checkpoint is still valid');
    interrupt.dispose();
    expect(source.listenerCount('SIGINT')).toBe(0);
    expect(source.listenerCount('SIGTERM')).toBe(0);
  });
});

describe('uncaught errors while a prompt is shown', () => {
  it("enquirer's ERR_USE_AFTER_CLOSE on Ctrl+C (Node >= 24.2) exits 130 with 'Cancelled.'", () => {
    const cap = captureIo();
    const codes: number[] = [];
    const error = Object.assign(new Error('readline was closed'), { code: 'ERR_USE_AFTER_CLOSE' });
    promptCrashHandler(cap.io, (c) => codes.push(c))(error);
    expect(codes).toEqual([130]);
    expect(cap.stderr()).toContain('Cancelled.');
  });

  it('any other uncaught error is reported as a bug and exits 1', () => {
    const cap = captureIo();
    const codes: number[] = [];
    promptCrashHandler(cap.io, (c) => codes.push(c))(new TypeError('x is undefined'));
    expect(codes).toEqual([1]);
    expect(cap.stderr()).toContain('error: x is undefined');
    expect(cap.stderr()).toContain('This is a bug in resilient');
  });
});
