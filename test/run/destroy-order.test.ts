import { afterEach, describe, expect, it } from 'vitest';
import { runHarness } from './_fakes/run-harness.ts';

describe('destroy order', () => {
  let h: ReturnType<typeof runHarness>;
  afterEach(() => h.cleanup());

  it('detaches the target group from the Auto Scaling group before deleting it, even while instances still terminate', async () => {
    // Instances take a while to terminate: the group outlives the load balancer chain.
    h = runHarness({ terminateMs: 300 });
    const result = await h.start();
    expect(result.outcome).toBe('succeeded');
    expect(h.cloud.world.deletedWhileAttached).toEqual([]);
    const detach = h.cloud.calls.indexOf('autoscaling.detachTargetGroups');
    const remove = h.cloud.calls.indexOf('elbv2.deleteTargetGroup');
    expect(detach).toBeGreaterThanOrEqual(0);
    expect(detach).toBeLessThan(remove);
    expect(h.cloud.leftovers()).toEqual([]);
  });
});
