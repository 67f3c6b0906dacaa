/**
 * The CLI's only door to the terminal. Commands and renderers write through an `Io`, never through
 * `process.stdout` directly, so tests can capture output and decide what a terminal is.
 */
import { colorEnabled, createStyle, type Style } from './render/style.ts';

export interface Sink {
  write(text: string): unknown;
}

export interface Io {
  readonly out: Sink;
  readonly err: Sink;
  /** stdout is a terminal: spinners and in-place updates are allowed. */
  readonly isTTY: boolean;
  /** The terminal's width, when it is one. */
  readonly columns?: number | undefined;
  /** Prompts may be shown: stdin and stdout are terminals and `CI` is unset. */
  readonly interactive: boolean;
  readonly style: Style;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Writes one line (or several) to stdout. */
  line(text?: string): void;
  /** Writes one line to stderr. */
  warn(text: string): void;
}

export interface IoOptions {
  readonly out: Sink;
  readonly err: Sink;
  readonly isTTY: boolean;
  readonly columns?: number | undefined;
  readonly interactive: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly noColorFlag: boolean;
}

export function createIo(options: IoOptions): Io {
  const style = createStyle(
    colorEnabled({ isTTY: options.isTTY, env: options.env, noColorFlag: options.noColorFlag }),
  );
  return {
    out: options.out,
    err: options.err,
    isTTY: options.isTTY,
    columns: options.columns,
    interactive: options.interactive,
    style,
    env: options.env,
    line: (text = '') => {
      options.out.write(`${text}\n`);
    },
    warn: (text) => {
      options.err.write(`${text}\n`);
    },
  };
}

/** enquirer never detects a missing terminal (docs/architecture.md#prompts-and-terminals): we decide, and only a real terminal outside CI qualifies. */
export function isInteractiveProcess(
  env: Readonly<Record<string, string | undefined>> = process.env,
): boolean {
  return Boolean(
    process.stdin.isTTY && process.stdout.isTTY && (env['CI'] === undefined || env['CI'] === ''),
  );
}

export function processIo(noColorFlag: boolean): Io {
  return createIo({
    out: process.stdout,
    err: process.stderr,
    isTTY: Boolean(process.stdout.isTTY),
    columns: process.stdout.columns,
    interactive: isInteractiveProcess(),
    env: process.env,
    noColorFlag,
  });
}
