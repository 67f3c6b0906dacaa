/** What a command is to the CLI: its help, its arguments, and a lazy loader of its module. */
import type { Io } from './io.ts';
import type { OptionName, RawValues } from './options.ts';

export interface CommandContext {
  readonly io: Io;
  readonly values: RawValues;
  readonly positionals: readonly string[];
  /** The full command name, e.g. `local start`, for hints. */
  readonly command: string;
}

export interface CommandModule {
  run(ctx: CommandContext): Promise<void>;
}

export interface CommandSpec {
  /** `start`, or `local start` for a subcommand. */
  readonly name: string;
  readonly summary: string;
  /** Words after `resilient <name>` in the usage line, e.g. `<key> <value>`. */
  readonly args?: string;
  /** How many positionals the command takes. */
  readonly positionals?: { readonly min: number; readonly max: number };
  readonly description: readonly string[];
  readonly options: readonly OptionName[];
  readonly examples: readonly string[];
  /** Environment variables the command reads: [name, what it does]. */
  readonly environment?: readonly (readonly [string, string])[];
  /** Hidden from the command list (development helpers). */
  readonly hidden?: boolean;
  load(): Promise<CommandModule>;
}
