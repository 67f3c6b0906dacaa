import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { baseEnv, spawnCli, tempDir } from '../_support/cli.ts';

const config = tempDir();
const state = tempDir('resilient-watch-cli-');
afterAll(() => {
  config.remove();
  state.remove();
});

describe('resilient watch: bad input', () => {
  it('a deployment that does not exist is a clear error, exit 1, and nothing is served', async () => {
    const result = await spawnCli(['watch', '--name', 'nope', '--state-dir', state.path], {
      env: baseEnv(config.path),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`There is no deployment named 'nope' in ${state.path}`);
    expect(result.stdout).not.toContain('http://');
  });

  it('a run that finished and was destroyed is said to be so', async () => {
    writeFileSync(path.join(state.path, 'old.journal.jsonl'), '');
    const result = await spawnCli(['watch', '--name', 'old', '--state-dir', state.path], {
      env: baseEnv(config.path),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Its last run is over and destroyed');
  });

  it('bad flags are usage errors (exit 2) before anything is looked at', async () => {
    for (const args of [
      ['--probe-rate', '0'],
      ['--probe-rate', 'fast'],
      ['--port', '70000'],
      ['--name', 'Bad_Name'],
    ]) {
      const result = await spawnCli(['watch', ...args, '--state-dir', state.path], {
        env: baseEnv(config.path),
      });
      expect(result.code, args.join(' ')).toBe(2);
    }
  });
});
