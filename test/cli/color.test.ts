import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { colorEnabled } from '../../src/cli/render/style.ts';
import { baseEnv, killLeftovers, spawnCli, tempDir } from '../_support/cli.ts';

const config = tempDir();
afterEach(killLeftovers);
afterAll(() => config.remove());

const ESC = '\x1b[';

describe('colour', () => {
  it('is on for a terminal, off for a pipe', () => {
    expect(colorEnabled({ isTTY: true, env: {}, noColorFlag: false })).toBe(true);
    expect(colorEnabled({ isTTY: false, env: {}, noColorFlag: false })).toBe(false);
  });

  it('NO_COLOR (any non-empty value) and --no-color turn it off even on a terminal', () => {
    expect(colorEnabled({ isTTY: true, env: { NO_COLOR: '1' }, noColorFlag: false })).toBe(false);
    expect(colorEnabled({ isTTY: true, env: { NO_COLOR: '' }, noColorFlag: false })).toBe(true);
    expect(colorEnabled({ isTTY: true, env: {}, noColorFlag: true })).toBe(false);
    expect(colorEnabled({ isTTY: true, env: { TERM: 'dumb' }, noColorFlag: false })).toBe(false);
  });

  it('FORCE_COLOR turns it on for a pipe, but NO_COLOR and --no-color still win', () => {
    expect(colorEnabled({ isTTY: false, env: { FORCE_COLOR: '1' }, noColorFlag: false })).toBe(true);
    expect(colorEnabled({ isTTY: false, env: { FORCE_COLOR: '0' }, noColorFlag: false })).toBe(false);
    expect(colorEnabled({ isTTY: false, env: { FORCE_COLOR: '1', NO_COLOR: '1' }, noColorFlag: false })).toBe(
      false,
    );
    expect(colorEnabled({ isTTY: false, env: { FORCE_COLOR: '1' }, noColorFlag: true })).toBe(false);
  });

  it('the real binary prints escapes only when forced, and never under NO_COLOR or --no-color', async () => {
    const env = baseEnv(config.path);
    const forced = await spawnCli(['start', '--help'], { env: { ...env, FORCE_COLOR: '1' } });
    expect(forced.stdout).toContain(ESC);
    const noColor = await spawnCli(['start', '--help'], { env: { ...env, FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(noColor.stdout).not.toContain(ESC);
    const flag = await spawnCli(['start', '--help', '--no-color'], { env: { ...env, FORCE_COLOR: '1' } });
    expect(flag.stdout).not.toContain(ESC);
    const error = await spawnCli(['start', '--bogus'], { env: { ...env, FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(error.stderr).not.toContain(ESC);
    expect(error.code).toBe(2);
  });
});
