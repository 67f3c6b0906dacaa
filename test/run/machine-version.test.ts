/**
 * A checkpoint written by the previous run machine (run-2: the seven stages as the hard-wired demo
 * machine) is refused by resume, whose restore would not fit the drill machine that runs them now,
 * and destroy still removes everything it recorded.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { MACHINE_VERSION } from '../../src/run/index.ts';
import { runHarness } from './_fakes/run-harness.ts';

describe('a checkpoint of the previous run machine', () => {
  let h: ReturnType<typeof runHarness> | undefined;
  afterEach(() => h?.cleanup());

  it('is refused by resume (nothing touched) and destroyed completely by destroy', async () => {
    h = runHarness();
    expect((await h.start({ keep: true })).outcome).toBe('kept');
    const path = h.checkpoint();
    const file = JSON.parse(readFileSync(path, 'utf8'));
    // What run-2 wrote: the demo child in one of its per-stage states, and no experiment in the plan.
    const { experiment: _experiment, ...plan } = file.plan;
    writeFileSync(
      path,
      JSON.stringify({
        ...file,
        machineVersion: 'run-2',
        plan,
        snapshot: {
          ...file.snapshot,
          status: 'active',
          value: 'demo',
          children: { demo: { snapshot: { value: { stage3: 'observing' }, context: { facts: {} } } } },
        },
      }),
    );
    expect(MACHINE_VERSION).not.toBe('run-2');
    await expect(h.resume()).rejects.toMatchObject({
      code: 'CHECKPOINT',
      message: expect.stringMatching(/was written by machine version run-2, this is run-3/),
    });
    expect(h.cloud.leftovers().length).toBeGreaterThan(0);
    const destroyed = await h.destroy();
    expect(destroyed.outcome).toBe('succeeded');
    expect(h.cloud.leftovers()).toEqual([]);
    expect(existsSync(path)).toBe(false);
  });
});
