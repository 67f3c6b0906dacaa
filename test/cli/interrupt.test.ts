import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { installInterrupt } from '../../src/cli/interrupt.ts';
import { ResilientError } from '../../src/errors.ts';
import { captureIo } from './_helpers/cli.ts';

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
