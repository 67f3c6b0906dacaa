import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { baseEnv, killLeftovers, spawnCli, tempDir } from '../_support/cli.ts';

const config = tempDir();
afterEach(killLeftovers);
afterAll(() => config.remove());

// [argv, the reason on the first stderr line, the hint on the second]
const CASES: [string[], RegExp, string][] = [
  [
    ['start', '--bogus'],
    /^error: Unknown option '--bogus' \(resilient start\)$/,
    'run resilient start --help',
  ],
  [
    ['start', '--target', 'gcp'],
    /^error: --target must be 'local' or 'aws', not 'gcp'$/,
    'run resilient start --help',
  ],
  [
    ['start', '--name', 'Bad_Name'],
    /^error: --name 'Bad_Name' is not a valid deployment name/,
    'run resilient start --help',
  ],
  [
    ['start', '--name', 'much-too-long-name'],
    /^error: --name 'much-too-long-name' is not a valid/,
    'run resilient start --help',
  ],
  [
    ['start', '--time-scale', '0'],
    /^error: --time-scale must be a number greater than 0/,
    'run resilient start --help',
  ],
  [['start', '--time-scale', 'fast'], /^error: --time-scale must be a number/, 'run resilient start --help'],
  [
    ['start', '--region', 'mars'],
    /^error: --region 'mars' does not look like an AWS Region/,
    'run resilient start --help',
  ],
  [
    ['start', '--yes=1'],
    /^error: Option '-y, --yes' does not take an argument/,
    'run resilient start --help',
  ],
  [
    ['resume', '--json'],
    /^error: Unknown option '--json' \(resilient resume\)$/,
    'run resilient resume --help',
  ],
  [['status', '--name'], /^error: Option '--name <value>' argument missing/, 'run resilient status --help'],
  [['destroy', 'now'], /^error: Unexpected argument 'now'/, 'run resilient destroy --help'],
  [
    ['server', '--port', '70000'],
    /^error: --port must be a whole number from 0 to 65535/,
    'run resilient server --help',
  ],
  [['hello', '--target', 'azure'], /^error: --target must be 'local' or 'aws'/, 'run resilient hello --help'],
  [['frobnicate'], /^error: unknown command 'frobnicate'$/, 'run resilient --help for the list of commands'],
  [
    ['local', 'restart'],
    /^error: unknown command 'resilient local restart' \(try: start, stop, status, fault\)$/,
    'run resilient local --help',
  ],
  [
    ['config', 'get'],
    /^error: missing argument: resilient config get <key>$/,
    'run resilient config get --help',
  ],
  [
    ['config', 'set', 'target'],
    /^error: missing argument: resilient config set <key> <value>$/,
    'run resilient config set --help',
  ],
  [['config', 'set', 'colour', 'red'], /^error: unknown setting 'colour'/, 'run resilient config set --help'],
  [
    ['config', 'set', 'timeScale', '0'],
    /^error: timeScale must be a number greater than 0/,
    'run resilient config set --help',
  ],
  [['--target', 'aws'], /^error: options go after the command/, 'run resilient --help'],
];

describe('usage errors', () => {
  it.each(CASES)('resilient %j: a one-line reason, a hint, exit 2', async (argv, reason, hint) => {
    const result = await spawnCli(argv, { env: baseEnv(config.path) });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(reason);
    expect(lines[1]).toBe(hint);
  });
});
