/**
 * Turns argv into a command and its values with `node:util` parseArgs in strict mode. Every failure
 * is a USAGE error with a one-line reason and a hint naming the command's help.
 */
import { parseArgs } from 'node:util';
import { ResilientError, usageError } from '../errors.ts';
import { type CommandSpec, findCommand, GROUPS, groupChildren } from './commands.ts';
import {
  OPTIONS,
  type OptionName,
  parseDelayMs,
  parseHost,
  parseName,
  parsePort,
  parseRate,
  parseRegion,
  parseTarget,
  parseTimeScale,
  type RawValues,
} from './options.ts';

/** Value checks run before a command module is even loaded, so a bad value costs nothing. */
const VALIDATORS: Partial<Record<OptionName, (value: string) => unknown>> = {
  target: parseTarget,
  name: parseName,
  region: parseRegion,
  'time-scale': parseTimeScale,
  port: parsePort,
  host: parseHost,
  'delay-ms': parseDelayMs,
  throttle: (v) => parseRate(v, '--throttle'),
  errors: (v) => parseRate(v, '--errors'),
};

export type Invocation =
  | { readonly kind: 'main-help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'group-help'; readonly group: string }
  | { readonly kind: 'help'; readonly spec: CommandSpec }
  | {
      readonly kind: 'run';
      readonly spec: CommandSpec;
      readonly values: RawValues;
      readonly positionals: readonly string[];
    };

const hintFor = (command: string): string => `run resilient ${command} --help`;

/**
 * Node's messages carry a second sentence about `--`, or further lines (an ambiguous `--x -1`); the first
 * sentence is the reason. A value that starts with a dash is the one case whose advice is kept.
 */
function firstSentence(message: string): string {
  const line = message.split('\n')[0] ?? message;
  const cut = line.indexOf('. ');
  const reason = (cut === -1 ? line : line.slice(0, cut)).replace(/\.$/, '');
  const dash = /use '(--[\w-]+)=-XYZ'/.exec(message);
  return dash === null ? reason : `${reason}: write ${dash[1]}=-VALUE for a value starting with '-'`;
}

function parseFor(spec: CommandSpec, args: readonly string[]): Invocation {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const name of [...spec.options, 'help'] as OptionName[]) {
    const o = OPTIONS[name];
    options[name] = 'short' in o ? { type: o.type, short: o.short } : { type: o.type };
  }
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...args],
      options,
      strict: true,
      allowPositionals: spec.positionals !== undefined,
    });
  } catch (error: unknown) {
    const message = error instanceof Error ? firstSentence(error.message) : String(error);
    throw new ResilientError('USAGE', `${message} (resilient ${spec.name})`, { hint: hintFor(spec.name) });
  }
  if (parsed.values['help'] === true) return { kind: 'help', spec };
  const range = spec.positionals;
  if (
    range !== undefined &&
    (parsed.positionals.length < range.min || parsed.positionals.length > range.max)
  ) {
    throw new ResilientError(
      'USAGE',
      parsed.positionals.length < range.min
        ? `missing argument: resilient ${spec.name} ${spec.args ?? ''}`.trimEnd()
        : `too many arguments: resilient ${spec.name} ${spec.args ?? ''}`.trimEnd(),
      { hint: hintFor(spec.name) },
    );
  }
  const values: RawValues = {};
  for (const [key, value] of Object.entries(parsed.values)) {
    if (typeof value !== 'string' && typeof value !== 'boolean') continue;
    const name = key as OptionName;
    if (typeof value === 'string') {
      try {
        VALIDATORS[name]?.(value);
      } catch (error: unknown) {
        throw new ResilientError('USAGE', error instanceof Error ? error.message : String(error), {
          hint: hintFor(spec.name),
        });
      }
    }
    values[name] = value;
  }
  return { kind: 'run', spec, values, positionals: parsed.positionals };
}

export function parseInvocation(argv: readonly string[]): Invocation {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    if (first === 'help' && rest[0] !== undefined) return parseInvocation([...rest, '--help']);
    return { kind: 'main-help' };
  }
  if (first === '--version' || first === '-v') return { kind: 'version' };
  if (first.startsWith('-')) {
    throw new ResilientError('USAGE', `options go after the command: resilient <command> ${first}`, {
      hint: 'run resilient --help',
    });
  }
  if (first in GROUPS) {
    // Groups nest (`local fault crash`): take the longest group the words name.
    let group = first;
    let args = rest;
    while (args[0] !== undefined && `${group} ${args[0]}` in GROUPS) {
      group = `${group} ${args[0]}`;
      args = args.slice(1);
    }
    const [sub, ...subArgs] = args;
    // A group that is also a command (`drill FILE`, `drill validate FILE`): anything but a subcommand is its.
    const own = findCommand(group);
    if (own !== undefined && (sub === undefined || findCommand(`${group} ${sub}`) === undefined))
      return parseFor(own, args);
    if (sub === undefined || sub === '--help' || sub === '-h') return { kind: 'group-help', group };
    const spec = findCommand(`${group} ${sub}`);
    if (spec === undefined) {
      throw new ResilientError(
        'USAGE',
        `unknown command 'resilient ${group} ${sub}' (try: ${groupChildren(group).join(', ')})`,
        { hint: hintFor(group) },
      );
    }
    return parseFor(spec, subArgs);
  }
  const spec = findCommand(first);
  if (spec === undefined) {
    throw usageError(`unknown command '${first}'`, 'run resilient --help for the list of commands');
  }
  return parseFor(spec, rest);
}
