/** `--help` texts, built from the command catalogue so help and parsing never disagree. */
import { COMMANDS, type CommandSpec, GROUPS, groupChildren } from './commands.ts';
import { OPTIONS, type OptionName } from './options.ts';
import type { Style } from './render/style.ts';

const pad = (text: string, width: number): string => text + ' '.repeat(Math.max(1, width - text.length));

function optionLabel(name: OptionName): string {
  const spec = OPTIONS[name];
  const short = 'short' in spec ? `-${spec.short}, ` : '    ';
  const value = 'value' in spec ? ` ${spec.value}` : '';
  return `${short}--${name}${value}`;
}

export function usageLine(spec: CommandSpec): string {
  const args = spec.args === undefined ? '' : ` ${spec.args}`;
  return `resilient ${spec.name}${args} [options]`;
}

export function commandHelp(spec: CommandSpec, style: Style): string {
  const options: OptionName[] = [...spec.options.filter((o) => o !== 'help'), 'help'];
  const width = Math.max(...options.map((o) => optionLabel(o).length)) + 3;
  return [
    `${style.bold('Usage:')} ${usageLine(spec)}`,
    '',
    `${spec.summary[0]?.toUpperCase() ?? ''}${spec.summary.slice(1)}.`,
    '',
    ...spec.description.map((l) => (l === '' ? '' : `  ${l}`)),
    '',
    style.bold('Options:'),
    ...options.map((o) => `  ${pad(optionLabel(o), width)}${OPTIONS[o].description}`),
    '',
    style.bold('Examples:'),
    ...spec.examples.map((e) => `  ${e}`),
    '',
    ...environmentLines(spec, style),
  ].join('\n');
}

function environmentLines(spec: CommandSpec, style: Style): string[] {
  const vars = spec.environment ?? [];
  if (vars.length === 0) return [];
  const width = Math.max(...vars.map(([name]) => name.length)) + 3;
  return [style.bold('Environment:'), ...vars.map(([name, what]) => `  ${pad(name, width)}${what}`), ''];
}

export function groupHelp(group: string, style: Style): string {
  const subs = COMMANDS.filter((c) => c.name.startsWith(`${group} `) && c.hidden !== true);
  const width = Math.max(...subs.map((c) => c.name.length + (c.args?.length ?? 0) + 1)) + 3;
  return [
    `${style.bold('Usage:')} resilient ${group} <${groupChildren(group).join('|')}> [options]`,
    '',
    `${GROUPS[group] ?? ''}`,
    '',
    style.bold('Commands:'),
    ...subs.map((c) => `  ${pad(`${c.name}${c.args === undefined ? '' : ` ${c.args}`}`, width)}${c.summary}`),
    '',
    `Run ${style.cyan(`resilient ${group} <command> --help`)} for the options of each.`,
    '',
  ].join('\n');
}

export function mainHelp(version: string, style: Style): string {
  const visible = COMMANDS.filter((c) => c.hidden !== true);
  const label = (c: CommandSpec) => `${c.name}${c.args === undefined ? '' : ` ${c.args}`}`;
  const width = Math.max(...visible.map((c) => label(c).length)) + 3;
  return [
    `${style.bold('resilient')} ${version} — build, break and heal a load-balanced web service`,
    '',
    `${style.bold('Usage:')} resilient <command> [options]`,
    '',
    style.bold('Commands:'),
    ...visible.map((c) => `  ${pad(label(c), width)}${c.summary}`),
    '',
    style.bold('Options for every command:'),
    `  ${pad('-h, --help', 16)}help for the command`,
    `  ${pad('    --no-color', 16)}no colours (NO_COLOR=1 works too)`,
    `  ${pad('    --version', 16)}print the version`,
    '',
    style.bold('Environment:'),
    `  ${pad('NO_COLOR=1', 25)}no colours (FORCE_COLOR=1 forces them on a pipe)`,
    `  ${pad('CI=1', 25)}never prompt (commands that would ask need --yes)`,
    `  ${pad('RESILIENT_CONFIG_DIR', 25)}where settings are stored (default: the platform's config dir)`,
    `  ${pad('RESILIENT_DEBUG=1', 25)}show stack traces of internal errors`,
    `  ${pad('AWS_PROFILE, AWS_REGION', 25)}--target aws uses the AWS SDK's default chains`,
    '',
    style.bold('Exit codes:'),
    '  0 success · 1 failure (a stage failed, the cloud refused, a bug) · 2 usage error · 130 interrupted',
    '',
    style.bold('Examples:'),
    '  resilient start                          # on the local cloud, interactive',
    '  resilient start --yes --time-scale 0.05  # unattended, every stage verified (CI)',
    '  resilient start --target aws             # on your AWS account (costs money; asks first)',
    '  resilient status --json',
    '',
    `Run ${style.cyan('resilient <command> --help')} for the options of a command.`,
    '',
  ].join('\n');
}
