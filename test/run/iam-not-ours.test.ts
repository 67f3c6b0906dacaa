import { afterEach, describe, expect, it } from 'vitest';
import { REGION_TAG_KEY, resourceNames } from '../../src/names.ts';
import { runHarness } from './_fakes/run-harness.ts';
import { ACCOUNT } from './_fakes/world.ts';

describe('IAM names are global: only what is tagged as this deployment in this Region is adopted or deleted', () => {
  let h: ReturnType<typeof runHarness> | undefined;
  afterEach(() => h?.cleanup());

  it('IAM names carry the Region, within IAM limits', () => {
    const west = resourceNames('dup', 'us-west-2');
    const east = resourceNames('dup', 'us-east-1');
    expect(west.instanceRole).toBe('resilient-dup-us-west-2-instance');
    expect(east.instanceRole).not.toBe(west.instanceRole);
    expect(resourceNames('abcdefghijkl', 'ap-southeast-2').instanceRole.length).toBeLessThanOrEqual(64);
    // Regional resources keep their names.
    expect(east.loadBalancer).toBe(west.loadBalancer);
  });

  for (const [what, tags] of [
    ['untagged (made by hand)', []],
    [
      'tagged as this deployment in another Region',
      [
        { Key: 'resilient:deployment', Value: 'demo' },
        { Key: REGION_TAG_KEY, Value: 'us-east-1' },
      ],
    ],
  ] as const) {
    it(`a role of our name ${what} fails preflight with "exists and is not ours", creates nothing, and survives`, async () => {
      h = runHarness();
      const role = resourceNames('demo', 'us-west-2').instanceRole;
      h.cloud.world.roles.set(role, {
        name: role,
        arn: `arn:aws:iam::${ACCOUNT}:role/${role}`,
        attached: new Set(),
      });
      h.cloud.world.iamTags.set(`role:${role}`, [...tags]);
      const result = await h.start();
      expect(result.outcome).toBe('failed');
      expect(result.output?.deploy?.failedStep).toBe('preflight');
      expect(result.output?.deploy?.error).toContain(`IAM role ${role} exists and is not ours`);
      // Nothing was created, and the destroy that follows a failed deploy left the stranger's role alone.
      expect([...h.cloud.world.creations.keys()]).toEqual([]);
      expect(result.output?.destroy?.outcome).toBe('succeeded');
      expect(h.cloud.leftovers()).toEqual([`role ${role}`]);
    });
  }
});
