/**
 * Ctrl+C, as docs/architecture.md#interrupts describes: the first one asks the run to stop after the call in flight
 * (the run checkpoints, then the command exits 130); the second exits at once — the checkpoint on
 * disk is still valid, because it is written after every transition.
 */
import { ResilientError } from '../errors.ts';
import type { Io } from './io.ts';
import { reportError } from './report-error.ts';

export interface Interrupt {
  /** Aborted on the first Ctrl+C, with an INTERRUPTED ResilientError as its reason. */
  readonly signal: AbortSignal;
  /**
   * A Ctrl+C that arrived as a keypress (at a prompt, where the terminal is raw and no SIGINT is
   * sent): counted exactly like a SIGINT, first or second.
   */
  request(): void;
  dispose(): void;
}

export interface InterruptOptions {
  /** What the first Ctrl+C promises, e.g. "Stopping after the current AWS call". */
  readonly firstMessage: string;
  /** Called on the second Ctrl+C (default: exit 130 now). */
  readonly exitNow?: () => void;
  /** Where signals come from (tests pass an EventEmitter). */
  readonly source?: Pick<NodeJS.Process, 'on' | 'off'>;
}

export function interruptedError(message = 'Interrupted.'): ResilientError {
  return new ResilientError('INTERRUPTED', message, {
    hint: 'resume with `resilient resume`, or tear down with `resilient destroy`',
  });
}

export function installInterrupt(io: Io, options: InterruptOptions): Interrupt {
  const controller = new AbortController();
  const source = options.source ?? process;
  const exitNow =
    options.exitNow ??
    (() => {
      process.exit(130);
    });
  let count = 0;
  const onSignal = (): void => {
    count += 1;
    if (count === 1) {
      io.warn('');
      io.warn(io.style.yellow(`${options.firstMessage} Press Ctrl+C again to quit now.`));
      controller.abort(interruptedError());
      return;
    }
    io.warn(
      io.style.yellow('Quit. The checkpoint is still valid: `resilient resume` or `resilient destroy`.'),
    );
    exitNow();
  };
  source.on('SIGINT', onSignal);
  source.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    request: onSignal,
    dispose: () => {
      source.off('SIGINT', onSignal);
      source.off('SIGTERM', onSignal);
    },
  };
}

/**
 * enquirer 2.4.1 on Node >= 24.2 throws ERR_USE_AFTER_CLOSE from its keypress cleanup when Ctrl+C
 * cancels a prompt (enquirer#483, fix #485 unmerged), and the prompt's promise then never settles
 * (docs/architecture.md#prompts-and-terminals, verified). Nothing is in flight while we wait for an answer and the checkpoint is on
 * disk, so leaving with 130 is safe — except at the demo menu, inside an experiment's method, where
 * `takeOver` hands the cancel to the run's interrupt so the rollbacks run first
 * (docs/architecture.md#interrupts). Any other uncaught error is reported as a bug (exit 1).
 */
export function guardPromptCtrlC(
  io: Io,
  exit: (code: number) => void = (code) => process.exit(code),
  cancelled?: () => ResilientError,
  takeOver?: () => boolean,
): () => void {
  const handler = promptCrashHandler(io, exit, cancelled, takeOver);
  process.on('uncaughtException', handler);
  return () => process.off('uncaughtException', handler);
}

/**
 * The `uncaughtException` listener `guardPromptCtrlC` installs. `cancelled` says what the cancel means
 * (a run's next steps: the same lines as any interrupted run); without it, just "Cancelled.".
 * `takeOver` returning true means the cancel was the run's to handle (Ctrl+C at the demo menu becomes
 * the run's interrupt: it rolls back, checkpoints and stops), so nothing exits here.
 */
export function promptCrashHandler(
  io: Io,
  exit: (code: number) => void,
  cancelled?: () => ResilientError,
  takeOver?: () => boolean,
): (error: unknown) => void {
  return (error) => {
    if (error instanceof Error && (error as NodeJS.ErrnoException).code === 'ERR_USE_AFTER_CLOSE') {
      if (takeOver?.() === true) return;
      io.warn('');
      if (cancelled === undefined) {
        io.warn(io.style.yellow('Cancelled.'));
        exit(130);
      } else {
        exit(reportError(io, cancelled(), undefined));
      }
      return;
    }
    // Installing a handler turns off Node's own crash report: report it ourselves as a bug, exit 1.
    exit(reportError(io, error, undefined));
  };
}

/**
 * Asks (or does anything that may ask) with Ctrl+C at its prompt turned into `cancelled()`: printed
 * like any error (one line, what to do next) and exit 130, on every Node (see `guardPromptCtrlC`).
 */
export async function guardedPrompt<T>(
  io: Io,
  ask: () => Promise<T>,
  cancelled: () => ResilientError,
): Promise<T> {
  const release = guardPromptCtrlC(io, undefined, cancelled);
  try {
    return await ask();
  } catch (error: unknown) {
    if (error instanceof ResilientError && error.code === 'INTERRUPTED') throw cancelled();
    throw error;
  } finally {
    release();
  }
}
