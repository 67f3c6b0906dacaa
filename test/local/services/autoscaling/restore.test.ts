import { describe, expect, it } from 'vitest';
import { describeAutoScalingGroups } from '../../../../src/local/services/autoscaling/describe-groups.ts';
import {
  createAutoScalingGroup,
  terminateInstanceInAutoScalingGroup,
} from '../../../../src/local/services/autoscaling/groups.ts';
import { reconcileAutoScaling } from '../../../../src/local/services/autoscaling/reconcile.ts';
import { createLaunchTemplate } from '../../../../src/local/services/ec2/templates.ts';
import { adminContext, fakeLocalCloud } from '../../../_support/fake-local-cloud.ts';

describe('a restored snapshot', () => {
  it('carries on mid-termination from plain JSON with no timers re-armed', () => {
    const cloud = fakeLocalCloud();
    const ctx = adminContext(cloud);
    createLaunchTemplate(
      { LaunchTemplateName: 'web', LaunchTemplateData: { InstanceType: 't3.micro' } },
      ctx,
    );
    createAutoScalingGroup(
      {
        AutoScalingGroupName: 'g',
        MinSize: 2,
        MaxSize: 2,
        AvailabilityZones: ['us-west-2a', 'us-west-2b'],
        LaunchTemplate: { LaunchTemplateName: 'web' },
      },
      ctx,
    );
    cloud.advance(10_000);
    reconcileAutoScaling(cloud);
    const victim =
      describeAutoScalingGroups({}, ctx).AutoScalingGroups?.[0]?.Instances?.[0]?.InstanceId ?? '';
    terminateInstanceInAutoScalingGroup({ InstanceId: victim, ShouldDecrementDesiredCapacity: false }, ctx);

    // What the snapshot writer stores, read back into a fresh cloud at the same instant.
    const restored = fakeLocalCloud();
    restored.advance(cloud.clock.now() - restored.clock.now());
    Object.assign(restored.state, JSON.parse(JSON.stringify(cloud.state)));
    const rctx = adminContext(restored);
    restored.advance(10_000);
    reconcileAutoScaling(restored);
    const after = describeAutoScalingGroups({}, rctx).AutoScalingGroups?.[0]?.Instances ?? [];
    expect(after.map((i) => i.InstanceId)).not.toContain(victim);
    expect(after.filter((i) => i.LifecycleState === 'InService')).toHaveLength(2);
  });
});
