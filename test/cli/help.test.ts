import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.ts';
import { OPTIONS } from '../../src/cli/options.ts';
import { runCli, version } from '../../src/cli/run-cli.ts';
import { baseEnv, captureIo, killLeftovers, spawnCli, tempDir } from '../_support/cli.ts';

const config = tempDir();
afterEach(killLeftovers);
afterAll(() => config.remove());

describe('help', () => {
  it.each(COMMANDS.map((c) => [c.name, c] as const))(
    'resilient %s --help shows usage, every option and examples',
    async (name, spec) => {
      const cap = captureIo();
      const code = await runCli([...name.split(' '), '--help'], () => cap.io);
      expect(code).toBe(0);
      const text = cap.stdout();
      expect(text).toContain(`Usage: resilient ${name}`);
      for (const option of spec.options) {
        expect(text).toContain(`--${option}`);
        expect(text).toContain(OPTIONS[option].description);
      }
      expect(text).toContain('--help');
      expect(text).toContain('Examples:');
      for (const example of spec.examples) expect(text).toContain(example);
      for (const [name] of spec.environment ?? []) expect(text).toContain(name);
      expect(cap.stderr()).toBe('');
    },
  );

  it('-h is the same as --help', async () => {
    const a = captureIo();
    const b = captureIo();
    await runCli(['destroy', '-h'], () => a.io);
    await runCli(['destroy', '--help'], () => b.io);
    expect(a.stdout()).toBe(b.stdout());
  });

  it('the main help lists every visible command and the exit codes, and hides development helpers', async () => {
    const cap = captureIo();
    expect(await runCli([], () => cap.io)).toBe(0);
    for (const c of COMMANDS) {
      if (c.hidden === true) expect(cap.stdout()).not.toContain(c.name);
      else expect(cap.stdout()).toContain(c.name);
    }
    expect(cap.stdout()).toContain('130 interrupted');
  });

  it('group help lists the subcommands of local and config', async () => {
    for (const group of ['local', 'config']) {
      const cap = captureIo();
      expect(await runCli([group], () => cap.io)).toBe(0);
      for (const c of COMMANDS.filter((x) => x.name.startsWith(`${group} `)))
        expect(cap.stdout()).toContain(c.name);
    }
  });

  it('help text has no colour escapes when stdout is not a terminal', async () => {
    const cap = captureIo({ isTTY: false });
    await runCli(['start', '--help'], () => cap.io);
    expect(cap.stdout()).not.toContain('\x1b[');
  });

  it('the real binary prints help and its version, exit 0, without a terminal', async () => {
    const env = baseEnv(config.path);
    const help = await spawnCli(['--help'], { env });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: resilient <command> [options]');
    const v = await spawnCli(['--version'], { env });
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(version());
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
