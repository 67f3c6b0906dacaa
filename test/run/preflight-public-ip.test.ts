import { afterEach, describe, expect, it } from 'vitest';
import { runHarness } from './_fakes/run-harness.ts';

describe('preflight: instances must reach the package repositories', () => {
  let h: ReturnType<typeof runHarness> | undefined;
  afterEach(() => h?.cleanup());

  it('a default subnet without MapPublicIpOnLaunch fails preflight with a clear message, before anything is created', async () => {
    h = runHarness();
    h.cloud.world.privateSubnets.add('us-west-2b');
    const result = await h.start();
    expect(result.outcome).toBe('failed');
    expect(result.output?.deploy?.failedStep).toBe('preflight');
    expect(result.output?.deploy?.error).toContain(
      'subnet-us-west-2b (us-west-2b) do not give instances a public IP address (MapPublicIpOnLaunch is false)',
    );
    expect([...h.cloud.world.creations.keys()]).toEqual([]);
    expect(h.cloud.leftovers()).toEqual([]);
  });
});
