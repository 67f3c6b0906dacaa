/**
 * `resilient local fault …` without a cloud: what is typed is checked first (exit 2, a reason and the
 * command's help as hint), help exists for every subcommand, and a stopped local cloud is a PRECONDITION
 * (exit 1) that says how to start it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { requestOf } from '../../src/cli/commands/local-fault.ts';
import { COMMANDS } from '../../src/cli/commands.ts';
import { runCli } from '../../src/cli/run-cli.ts';
import { captureIo, tempDir } from '../_support/cli.ts';

const empty = tempDir('resilient-fault-none-');
afterAll(() => empty.remove());

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const cap = captureIo();
  const code = await runCli(argv, () => cap.io);
  return { code, stdout: cap.stdout(), stderr: cap.stderr() };
}

const ID = 'i-0abc12345def67890';

// [argv, the reason on the first stderr line, the hint on the second]
const USAGE: [string[], RegExp, string][] = [
  [
    ['local', 'fault', 'explode', ID],
    /^error: unknown command 'resilient local fault explode' \(try: crash, hang, slow, heal, api, status\)$/,
    'run resilient local fault --help',
  ],
  [
    ['local', 'fault', 'crash'],
    /^error: missing argument: resilient local fault crash <instance-id>$/,
    'run resilient local fault crash --help',
  ],
  [
    ['local', 'fault', 'hang', ID, 'i-0abc12345def67891'],
    /^error: too many arguments: resilient local fault hang <instance-id>$/,
    'run resilient local fault hang --help',
  ],
  [
    ['local', 'fault', 'heal', 'web-1'],
    /^error: 'web-1' is not an instance id/,
    'run resilient local fault heal --help',
  ],
  [
    ['local', 'fault', 'slow', ID],
    /^error: local fault slow needs --delay-ms N/,
    'run resilient local fault slow --help',
  ],
  [
    ['local', 'fault', 'slow', ID, '--delay-ms', '1.5'],
    /^error: --delay-ms must be a whole number of milliseconds from 0 to 600000, not '1.5'$/,
    'run resilient local fault slow --help',
  ],
  [
    ['local', 'fault', 'slow', ID, '--delay-ms', '600001'],
    /^error: --delay-ms must be a whole number/,
    'run resilient local fault slow --help',
  ],
  [
    ['local', 'fault', 'crash', ID, '--delay-ms', '5'],
    /^error: Unknown option '--delay-ms' \(resilient local fault crash\)$/,
    'run resilient local fault crash --help',
  ],
  [
    ['local', 'fault', 'api', '--throttle', '10%'],
    /^error: --throttle must be a rate from 0 to 1 \(e\.g\. 0\.1 for 10 %\), not '10%'$/,
    'run resilient local fault api --help',
  ],
  [
    ['local', 'fault', 'api', '--errors=-0.1'],
    /^error: --errors must be a rate from 0 to 1/,
    'run resilient local fault api --help',
  ],
  [
    ['local', 'fault', 'api', '--errors', '-0.1'],
    /^error: Option '--errors' argument is ambiguous: write --errors=-VALUE for a value starting with '-' \(resilient local fault api\)$/,
    'run resilient local fault api --help',
  ],
  [
    ['local', 'fault', 'api', '--throttle', '0.7', '--errors', '0.4'],
    /^error: --throttle 0\.7 and --errors 0\.4 add up to more than 1$/,
    'run resilient local fault api --help',
  ],
  [
    ['local', 'fault', 'api'],
    /^error: local fault api needs --throttle RATE, --errors RATE or both/,
    'run resilient local fault api --help',
  ],
  [
    ['local', 'fault', 'status', ID],
    /^error: Unexpected argument 'i-0abc12345def67890'/,
    'run resilient local fault status --help',
  ],
];

describe('local fault: usage', () => {
  it.each(USAGE)('resilient %j: a one-line reason, the help as hint, exit 2', async (argv, reason, hint) => {
    const result = await cli(...argv, '--state-dir', empty.path);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(reason);
    expect(lines[1]).toBe(hint);
  });

  it('turns each subcommand into the control-route request it stands for', () => {
    expect(requestOf('local fault crash', {}, [ID])).toEqual({
      kind: 'instance',
      instanceId: ID,
      fault: { kind: 'crash' },
    });
    expect(requestOf('local fault slow', { 'delay-ms': '250' }, [ID])).toEqual({
      kind: 'instance',
      instanceId: ID,
      fault: { kind: 'slow', delayMs: 250 },
    });
    expect(requestOf('local fault api', { throttle: '.25' }, [])).toEqual({
      kind: 'api',
      throttleRate: 0.25,
      errorRate: 0,
    });
    expect(requestOf('local fault api', { throttle: '0', errors: '0' }, [])).toEqual({
      kind: 'api',
      throttleRate: 0,
      errorRate: 0,
    });
    expect(requestOf('local fault api', { throttle: '1', errors: '0' }, [])).toEqual({
      kind: 'api',
      throttleRate: 1,
      errorRate: 0,
    });
    expect(requestOf('local fault status', {}, [])).toEqual({ kind: 'status' });
  });

  it('has help with examples for every fault subcommand, and a group help listing them', async () => {
    const faults = COMMANDS.filter((c) => c.name.startsWith('local fault '));
    expect(faults.map((c) => c.name.slice('local fault '.length)).sort()).toEqual(
      ['api', 'crash', 'heal', 'hang', 'slow', 'status'].sort(),
    );
    for (const spec of faults) {
      const help = await cli(...spec.name.split(' '), '--help');
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: resilient ${spec.name}`);
      expect(help.stdout).toContain('--state-dir D');
      expect(spec.examples.length).toBeGreaterThan(0);
      for (const example of spec.examples) {
        expect(help.stdout).toContain(example);
        // Every example parses: it is a command the user can paste.
        const argv = example.split(' ').slice(1);
        const parsed = await import('../../src/cli/parse.ts').then((m) => m.parseInvocation(argv));
        expect(parsed.kind).toBe('run');
      }
    }
    const group = await cli('local', 'fault', '--help');
    expect(group.code).toBe(0);
    expect(group.stdout).toContain('Usage: resilient local fault <crash|hang|slow|heal|api|status>');
    const local = await cli('local', '--help');
    expect(local.stdout).toContain('Usage: resilient local <start|stop|status|fault>');
    expect(local.stdout).toContain('local fault hang <instance-id>');
  });

  it.each([['crash', ID], ['slow', ID, '--delay-ms', '100'], ['api', '--throttle', '0'], ['status']])(
    'local fault %s on a stopped local cloud: PRECONDITION, exit 1, with how to start it',
    async (...args) => {
      const result = await cli('local', 'fault', ...args, '--state-dir', empty.path);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      const [reason, hint] = result.stderr.trimEnd().split('\n');
      expect(reason).toBe(`error: The local cloud is not running (state dir ${empty.path}).`);
      expect(hint).toBe(`start it with: resilient local start --state-dir ${empty.path}`);
    },
  );
});
