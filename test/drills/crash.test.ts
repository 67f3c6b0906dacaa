/**
 * Crash drill (docs/testing.md#drills): the real CLI, SIGKILLed at points spread over deploy, demo and
 * destroy — chosen by watching what it prints, which it prints after checkpointing the step — must be
 * recoverable: `resume` finishes the run, or `destroy --from-state` removes everything; either way the
 * cloud, asked with the SDK, holds nothing of the deployment.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseEnv, spawnCli } from '../_support/cli.ts';
import { useE2eCloud } from '../_support/e2e-cloud.ts';
import { leftovers } from '../_support/leftovers.ts';
import { type Crash, runUntilKilled } from './_helpers/kill-at.ts';

const TIME_SCALE = '0.05';
const e2e = useE2eCloud('resilient-drill-crash-', Number(TIME_SCALE));
const { config, state } = e2e;

const cli = (args: string[], deadlineMs = 170_000) =>
  spawnCli([...args, '--state-dir', state.path], { env: baseEnv(config.path), deadlineMs });
const killAt = (args: string[], marker: string): Promise<Crash> =>
  runUntilKilled([...args, '--state-dir', state.path], marker, baseEnv(config.path));
const checkpoint = (name: string): string => path.join(state.path, `${name}.json`);

describe('crash drill', () => {
  it('SIGKILL in deploy, twice in the demo and in destroy: each resume carries on, the last one ends clean', async () => {
    const name = 'crash';
    const start = ['start', '--yes', '--time-scale', TIME_SCALE, '--name', name];
    const resume = ['resume', '--yes', '--name', name];
    const points: [string[], string][] = [
      [start, `+ Created IAM role resilient-${name}-us-west-2-bc`], // deploy: table and IAM half made
      [resume, 'Stage 4:'], // demo: before the instance profile swap
      [resume, 'Waiting for the replacement instance'], // demo: an instance terminated, its replacement booting
      [resume, `- Deleted load balancer resilient-${name}-lb`], // destroy: chains in flight
    ];
    for (const [args, marker] of points) {
      const crash = await killAt(args, marker);
      expect(crash.killed, `never printed '${marker}':\n${crash.stdout}\n${crash.stderr}`).toBe(true);
      expect(crash.signal).toBe('SIGKILL');
      expect(existsSync(checkpoint(name)), `no checkpoint after the kill at '${marker}'`).toBe(true);
    }
    const last = await cli(resume);
    if (last.code !== 0) throw new Error(`resume exit ${last.code}\n${last.stdout}\n${last.stderr}`);
    expect(existsSync(checkpoint(name))).toBe(false);
    expect(await leftovers(e2e.cloud.clients, name)).toEqual([]);
  }, 240_000);

  it('SIGKILL right after the Auto Scaling group is created: destroy --from-state leaves nothing', async () => {
    const name = 'crashd';
    const crash = await killAt(
      ['start', '--yes', '--time-scale', TIME_SCALE, '--name', name],
      `+ Created Auto Scaling group resilient-${name}-group`,
    );
    expect(crash.killed, crash.stdout).toBe(true);
    const destroyed = await cli(['destroy', '--yes', '--from-state', checkpoint(name)]);
    if (destroyed.code !== 0)
      throw new Error(`exit ${destroyed.code}\n${destroyed.stdout}\n${destroyed.stderr}`);
    expect(existsSync(checkpoint(name))).toBe(false);
    expect(await leftovers(e2e.cloud.clients, name)).toEqual([]);
  }, 120_000);

  it('SIGKILL in the middle of the demo: destroy --from-state leaves nothing', async () => {
    const name = 'crashm';
    const crash = await killAt(['start', '--yes', '--time-scale', TIME_SCALE, '--name', name], 'Stage 2:');
    expect(crash.killed, crash.stdout).toBe(true);
    const destroyed = await cli(['destroy', '--yes', '--from-state', checkpoint(name)]);
    if (destroyed.code !== 0)
      throw new Error(`exit ${destroyed.code}\n${destroyed.stdout}\n${destroyed.stderr}`);
    expect(existsSync(checkpoint(name))).toBe(false);
    expect(await leftovers(e2e.cloud.clients, name)).toEqual([]);
  }, 120_000);
});
