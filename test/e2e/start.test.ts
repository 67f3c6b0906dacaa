import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseEnv, spawnCli } from '../_support/cli.ts';
import { useE2eCloud } from '../_support/e2e-cloud.ts';
import { leftovers } from '../_support/leftovers.ts';

const e2e = useE2eCloud('resilient-e2e-start-', 0.05);
const { config, state } = e2e;

describe('resilient start on the local cloud', () => {
  it('without --yes and without a terminal it fails at once with a clear message, and creates nothing', async () => {
    const result = await spawnCli(
      ['start', '--target', 'local', '--name', 'e2e', '--state-dir', state.path],
      {
        env: baseEnv(config.path),
        stdin: 'silent-pipe',
      },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('there is no terminal to ask on: pass --yes');
    expect(existsSync(path.join(state.path, 'e2e.json'))).toBe(false);
    expect(await leftovers(e2e.cloud.clients, 'e2e')).toEqual([]);
  });

  it('refuses to run against a local cloud started with another time scale (when its record says so)', async () => {
    // Today's daemon.json does not record its time scale; this is the field the CLI reads when it does.
    const { readFileSync, writeFileSync } = await import('node:fs');
    const file = path.join(state.path, 'local', 'daemon.json');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(original), timeScale: 0.05 }));
    try {
      const result = await spawnCli(
        ['start', '--yes', '--time-scale', '1', '--name', 'scale', '--state-dir', state.path],
        { env: baseEnv(config.path) },
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('runs at time scale 0.05, not 1');
      expect(result.stderr).toContain('pass --time-scale 0.05');
      expect(existsSync(path.join(state.path, 'scale.json'))).toBe(false);
    } finally {
      writeFileSync(file, original);
    }
  });

  it('--yes deploys, verifies all seven stages, destroys, exits 0 and leaves nothing behind', async () => {
    // No --time-scale: the running cloud's 0.05 is adopted (the run's deadlines are built from it), in one line.
    const result = await spawnCli(
      ['start', '--target', 'local', '--yes', '--name', 'e2e', '--state-dir', state.path],
      { env: baseEnv(config.path), deadlineMs: 170_000 },
    );
    if (result.code !== 0) throw new Error(`exit ${result.code}\n${result.stdout}\n${result.stderr}`);
    expect(result.stdout).toContain(
      `Using the local cloud already running at ${e2e.cloud.endpoint}, at its time scale 0.05 (not 1).`,
    );
    for (let stage = 1; stage <= 7; stage++)
      expect(result.stdout).toContain(`Stage ${stage} verification: PASS`);
    expect(result.stdout).not.toContain('verification: FAIL');
    expect(result.stdout).toContain('Your load balancer is ready.');
    expect(result.stdout).toContain('Swept by tag and name: nothing of this deployment is left.');
    expect(result.stdout).toContain('Thanks for watching!');
    // Not a terminal: no spinner frames, no colour.
    expect(result.stdout).not.toContain('\r');
    expect(result.stdout).not.toContain('\x1b[');
    expect(existsSync(path.join(state.path, 'e2e.json'))).toBe(false);
    expect(await leftovers(e2e.cloud.clients, 'e2e')).toEqual([]);
  }, 180_000);
});
