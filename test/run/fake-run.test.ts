import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runHarness } from './_fakes/run-harness.ts';
import { SLOW } from './_fakes/world.ts';

describe('a whole run against the fake cloud', () => {
  let h: ReturnType<typeof runHarness>;
  afterEach(() => h.cleanup());

  it('deploys, passes all seven stages with --yes, destroys everything and removes the checkpoint', async () => {
    h = runHarness();
    const run = h.start();
    const result = await run;
    const observations = run.host.events.flatMap((e) =>
      e.type === 'observation' ? [[e.stage, e.pass]] : [],
    );
    expect(result.outcome, JSON.stringify(run.host.events.filter((e) => e.type === 'observation'))).toBe(
      'succeeded',
    );
    expect(observations).toEqual([1, 2, 3, 4, 5, 6, 7].map((s) => [s, true]));
    expect(h.cloud.leftovers()).toEqual([]);
    expect(h.cloud.duplicates()).toEqual([]);
    expect(existsSync(h.checkpoint())).toBe(false);
  });

  it('completes and leaves nothing when every cloud transition takes real time (waits met on real timers)', async () => {
    h = runHarness(SLOW);
    const run = h.start();
    const result = await run;
    expect(result.outcome).toBe('succeeded');
    expect(run.host.events.filter((e) => e.type === 'observation' && e.pass)).toHaveLength(7);
    expect(h.cloud.leftovers()).toEqual([]);
    expect(h.cloud.duplicates()).toEqual([]);
  });
});
