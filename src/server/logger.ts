import type { LogLevel } from './config.ts';

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  /** Start/stop lines: always written, at once (the local cloud waits for `listening`). */
  lifecycle(msg: string, fields?: LogFields): void;
  /** Request lines (off with RESILIENT_LOG=off), buffered. */
  info(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** Writes whatever is buffered now (called on exit). */
  flush(): void;
}

/**
 * One-line JSON logs (`{"time","level","msg",...}`). Lines are buffered and written once per event-loop
 * turn: under load that is one write syscall for many requests instead of one per request (stdout to a
 * pipe or file is synchronous in Node on Linux).
 */
export function createLogger(level: LogLevel, write: (chunk: string) => void): Logger {
  const line = (levelName: string, msg: string, fields: LogFields | undefined): string =>
    `${JSON.stringify({ time: new Date().toISOString(), level: levelName, msg, ...fields })}\n`;
  if (level === 'off') {
    return {
      lifecycle: (msg, fields) => write(line('info', msg, fields)),
      info() {},
      error() {},
      flush() {},
    };
  }
  let buffer = '';
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (buffer === '') return;
    const chunk = buffer;
    buffer = '';
    write(chunk);
  };
  const emit = (levelName: string, msg: string, fields: LogFields | undefined): void => {
    buffer += line(levelName, msg, fields);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  return {
    lifecycle: (msg, fields) => {
      buffer += line('info', msg, fields);
      flush();
    },
    info: (msg, fields) => emit('info', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    flush,
  };
}

/** A short description of any thrown value, for a log line. */
export function describeError(error: unknown): string {
  if (error instanceof Error)
    return error.name === 'Error' ? error.message : `${error.name}: ${error.message}`;
  return String(error);
}
