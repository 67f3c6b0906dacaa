/**
 * Every wait shows what is waited for and its deadline. On a terminal: one line redrawn in place
 * with a spinner and the elapsed time; elsewhere (CI logs, pipes): one line when the wait starts and
 * one when it ends, never a stream of carriage returns.
 */
import type { Io } from '../io.ts';
import { formatDuration } from './text.ts';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface Wait {
  /** Replaces the detail shown after the description (e.g. "2 of 3 healthy"). */
  update(detail: string): void;
  /** Ends the wait with a success line. */
  succeed(text?: string): void;
  /** Ends the wait with a failure line. */
  fail(text?: string): void;
  /** Removes the spinner without a line (another renderer takes over). */
  stop(): void;
}

export interface WaitOptions {
  /** What is waited for, e.g. "load balancer to become active". */
  readonly what: string;
  /** Words before `what` (default "Waiting for"); '' for an activity ("creating table"). */
  readonly verb?: string;
  /** Relative deadline in ms, shown as "deadline 10m". */
  readonly deadlineMs?: number;
  readonly now?: () => number;
  readonly intervalMs?: number;
}

export function startWait(io: Io, options: WaitOptions): Wait {
  const now = options.now ?? Date.now;
  const started = now();
  const deadline = options.deadlineMs === undefined ? '' : `, deadline ${formatDuration(options.deadlineMs)}`;
  let detail = '';
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;
  const { style } = io;
  const elapsed = (): string => formatDuration(now() - started);

  const verb = options.verb ?? 'Waiting for';
  const title = verb === '' ? options.what : `${verb} ${options.what}`;

  const draw = (): void => {
    // One terminal row, never more: a wrapped line cannot be redrawn in place with \r.
    const timing = ` (${elapsed()}${deadline})`;
    const room = Math.max(20, (io.columns ?? 80) - 3 - timing.length);
    let text = detail === '' ? title : `${title} — ${detail}`;
    if (text.length > room) text = `${text.slice(0, room - 1)}…`;
    io.out.write(`\r\x1b[K${style.cyan(FRAMES[frame % FRAMES.length] ?? '')} ${text}${style.dim(timing)}`);
    frame += 1;
  };

  if (io.isTTY) {
    draw();
    timer = setInterval(draw, options.intervalMs ?? 100);
    // A spinner must never keep the process alive on its own.
    timer.unref();
  } else {
    io.line(`${title}${style.dim(` (${deadline.slice(2) || 'no deadline'})`)}...`);
  }

  const end = (line: string | undefined): void => {
    if (timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
      io.out.write('\r\x1b[K');
    }
    if (line !== undefined) io.line(line);
  };

  let ended = false;
  const once =
    (fn: (text?: string) => void) =>
    (text?: string): void => {
      if (ended) return;
      ended = true;
      fn(text);
    };

  return {
    update: (d) => {
      detail = d;
    },
    succeed: once((text) =>
      end(`${style.green('✓')} ${text ?? `Done waiting for ${options.what}`} ${style.dim(`(${elapsed()})`)}`),
    ),
    fail: once((text) =>
      end(
        `${style.red('✗')} ${text ?? `Gave up waiting for ${options.what}`} ${style.dim(`(${elapsed()})`)}`,
      ),
    ),
    stop: once(() => end(undefined)),
  };
}
