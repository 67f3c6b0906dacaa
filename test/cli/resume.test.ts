import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MACHINE_VERSION } from '../../machines/run.ts';
import { openCheckpoint } from '../../src/checkpoint/store.ts';
import { baseEnv, killLeftovers, spawnCli, tempDir } from '../_support/cli.ts';

const config = tempDir();
const state = tempDir('resilient-resume-');
afterEach(killLeftovers);
afterAll(() => {
  config.remove();
  state.remove();
});

/** A checkpoint as `start` writes it before its first step, for a run that was or was not --yes. */
function writeCheckpoint(name: string, yes: boolean): void {
  const store = openCheckpoint({
    stateDir: state.path,
    name,
    machineVersion: MACHINE_VERSION,
    create: {
      target: { kind: 'local', region: 'us-west-2' },
      plan: { yes, keep: false, timeScale: 0.05 },
    },
  });
  store.release();
}

describe('resume without a terminal', () => {
  it('an interactive run cannot be resumed without --yes: exit 2 at once, naming --yes', async () => {
    writeCheckpoint('asked', false);
    const result = await spawnCli(['resume', '--name', 'asked', '--state-dir', state.path], {
      env: baseEnv(config.path),
      stdin: 'silent-pipe',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "the run 'asked' was interactive and there is no terminal to ask on: pass --yes",
    );
  });

  it('start refuses a name that already has a run, before doing anything, and says how to go on', async () => {
    writeCheckpoint('taken', true);
    const result = await spawnCli(['start', '--yes', '--name', 'taken', '--state-dir', state.path], {
      env: baseEnv(config.path),
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("A run named 'taken' already exists");
    expect(result.stderr).toContain('resilient resume --name taken');
  });

  it('a run that does not exist is a usage error that says how to start one', async () => {
    const result = await spawnCli(['resume', '--name', 'ghost', '--state-dir', state.path], {
      env: baseEnv(config.path),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("There is no run named 'ghost' to resume");
  });
});
