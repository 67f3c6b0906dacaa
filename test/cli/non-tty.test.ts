import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { baseEnv, killLeftovers, spawnCli, tempDir } from '../_support/cli.ts';

const config = tempDir();
const state = tempDir('resilient-state-');
afterEach(killLeftovers);
afterAll(() => {
  config.remove();
  state.remove();
});

// enquirer would hang on /dev/null and on a silent pipe (docs/architecture.md#prompts-and-terminals): these must fail at once.
describe.each(['devnull', 'silent-pipe', 'closed-pipe'] as const)(
  'without a terminal (stdin: %s)',
  (stdin) => {
    it('a command that needs an answer exits 2 at once and names --yes', async () => {
      const result = await spawnCli(['prompt-demo'], {
        stdin,
        env: baseEnv(config.path),
        deadlineMs: 15_000,
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/needs an answer, and there is no terminal to ask on: pass --yes/);
    });

    it('resilient start without --yes exits 2 before creating anything, and names --yes', async () => {
      const result = await spawnCli(['start', '--state-dir', state.path], {
        stdin,
        env: baseEnv(config.path),
        deadlineMs: 15_000,
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('there is no terminal to ask on: pass --yes');
      expect(result.stdout).toBe('');
    });
  },
);

describe('CI without a terminal', () => {
  it('CI=1 with --yes answers with the defaults and completes', async () => {
    const result = await spawnCli(['prompt-demo', '--yes'], { env: { ...baseEnv(config.path), CI: '1' } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('chose: next');
    expect(result.stdout).toContain('destroy: yes');
  });
});
