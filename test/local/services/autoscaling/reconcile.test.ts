import { describe, expect, it } from 'vitest';
import { describeAutoScalingGroups } from '../../../../src/local/services/autoscaling/describe-groups.ts';
import {
  createAutoScalingGroup,
  deleteAutoScalingGroup,
  terminateInstanceInAutoScalingGroup,
  updateAutoScalingGroup,
} from '../../../../src/local/services/autoscaling/groups.ts';
import { reconcileAutoScaling } from '../../../../src/local/services/autoscaling/reconcile.ts';
import { ec2State, findInstance, instanceState } from '../../../../src/local/services/ec2/model.ts';
import { createLaunchTemplate } from '../../../../src/local/services/ec2/templates.ts';
import { createListener, createLoadBalancer } from '../../../../src/local/services/elbv2/load-balancers.ts';
import { elbv2State } from '../../../../src/local/services/elbv2/model.ts';
import {
  createTargetGroup,
  describeTargetHealth,
} from '../../../../src/local/services/elbv2/target-groups.ts';
import { adminContext, type FakeLocalCloud, fakeLocalCloud } from '../../../_support/fake-local-cloud.ts';

function setup(): { cloud: FakeLocalCloud; ctx: ReturnType<typeof adminContext> } {
  const cloud = fakeLocalCloud();
  const ctx = adminContext(cloud);
  createLaunchTemplate(
    {
      LaunchTemplateName: 'web',
      LaunchTemplateData: { ImageId: 'ami-0a1b2c3d4e5f60718', InstanceType: 't3.micro' },
    },
    ctx,
  );
  return { cloud, ctx };
}

const members = (cloud: FakeLocalCloud, name = 'g') =>
  describeAutoScalingGroups({ AutoScalingGroupNames: [name] }, adminContext(cloud)).AutoScalingGroups?.[0]
    ?.Instances ?? [];

describe('Auto Scaling reconcile loop (manual clock)', () => {
  it('spreads a group of 3 over 4 zones one instance per zone, Pending until boot then InService', () => {
    const { cloud, ctx } = setup();
    createAutoScalingGroup(
      {
        AutoScalingGroupName: 'g',
        MinSize: 3,
        MaxSize: 3,
        AvailabilityZones: cloud.config.zones.slice(),
        LaunchTemplate: { LaunchTemplateName: 'web', Version: '$Default' },
      },
      ctx,
    );
    const pending = members(cloud);
    expect(pending).toHaveLength(3);
    expect(new Set(pending.map((m) => m.AvailabilityZone)).size).toBe(3);
    expect(pending.every((m) => m.LifecycleState === 'Pending')).toBe(true);
    cloud.advance(10_000);
    expect(
      members(cloud).every((m) => m.LifecycleState === 'InService' && m.HealthStatus === 'Healthy'),
    ).toBe(true);
  });

  it('replaces an instance terminated without decrement after it drains, keeping capacity', async () => {
    const { cloud, ctx } = setup();
    const vpcId = ec2State(cloud).vpc.vpcId;
    const tg = createTargetGroup({ Name: 'tg', Protocol: 'HTTP', Port: 80, VpcId: vpcId }, ctx)
      .TargetGroups?.[0];
    const lb = (
      await createLoadBalancer({ Name: 'lb', Subnets: ec2State(cloud).subnets.map((s) => s.subnetId) }, ctx)
    ).LoadBalancers?.[0];
    createListener(
      {
        LoadBalancerArn: lb?.LoadBalancerArn,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: tg?.TargetGroupArn }],
      },
      ctx,
    );
    createAutoScalingGroup(
      {
        AutoScalingGroupName: 'g',
        MinSize: 3,
        MaxSize: 3,
        AvailabilityZones: cloud.config.zones.slice(),
        LaunchTemplate: { LaunchTemplateName: 'web' },
        TargetGroupARNs: [tg?.TargetGroupArn ?? ''],
      },
      ctx,
    );
    cloud.advance(10_000);
    reconcileAutoScaling(cloud);
    const victim = members(cloud)[0]?.InstanceId ?? '';
    const activity = terminateInstanceInAutoScalingGroup(
      { InstanceId: victim, ShouldDecrementDesiredCapacity: false },
      ctx,
    ).Activity;
    expect(activity?.Description).toBe(`Terminating EC2 instance: ${victim}`);
    expect(activity?.Cause).toMatch(/taken out of service in response to a user request\.$/);
    // The replacement is Pending while the old instance is Terminating (draining).
    const during = members(cloud);
    expect(during.find((m) => m.InstanceId === victim)?.LifecycleState).toBe('Terminating');
    expect(during.filter((m) => m.LifecycleState === 'Pending')).toHaveLength(1);
    const health =
      describeTargetHealth({ TargetGroupArn: tg?.TargetGroupArn }, ctx).TargetHealthDescriptions ?? [];
    expect(health.find((h) => h.Target?.Id === victim)?.TargetHealth).toEqual({
      State: 'draining',
      Reason: 'Target.DeregistrationInProgress',
      Description: 'Target deregistration is in progress',
    });
    // After the 300 s deregistration delay the instance shuts down, then it is gone from the group.
    cloud.advance(300_000);
    reconcileAutoScaling(cloud);
    const leaving = findInstance(cloud, victim);
    expect(leaving && instanceState(leaving, cloud.clock.now())).toBe('shutting-down');
    cloud.advance(5_000);
    reconcileAutoScaling(cloud);
    const after = members(cloud);
    expect(after.map((m) => m.InstanceId)).not.toContain(victim);
    expect(after.filter((m) => m.LifecycleState === 'InService')).toHaveLength(3);
    expect(
      elbv2State(cloud)
        .targetGroups[0]?.targets.map((t) => t.id)
        .sort(),
    ).toEqual(after.map((m) => m.InstanceId).sort());
  });

  it('replaces an instance the data plane reported impaired', () => {
    const { cloud, ctx } = setup();
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
    const sick = members(cloud)[1]?.InstanceId ?? '';
    cloud.dataplane.status.set(sick, 'impaired');
    reconcileAutoScaling(cloud);
    const now = members(cloud);
    expect(now.find((m) => m.InstanceId === sick)).toMatchObject({
      LifecycleState: 'Terminating',
      HealthStatus: 'Unhealthy',
    });
    expect(now.filter((m) => m.LifecycleState === 'Pending')).toHaveLength(1);
  });

  it('refuses to delete a group with instances, then deletes it once scaled to zero', () => {
    const { cloud, ctx } = setup();
    createAutoScalingGroup(
      {
        AutoScalingGroupName: 'g',
        MinSize: 1,
        MaxSize: 1,
        AvailabilityZones: ['us-west-2a'],
        LaunchTemplate: { LaunchTemplateName: 'web' },
      },
      ctx,
    );
    cloud.advance(10_000);
    reconcileAutoScaling(cloud);
    expect(() => deleteAutoScalingGroup({ AutoScalingGroupName: 'g' }, ctx)).toThrow(
      expect.objectContaining({ code: 'ResourceInUse' }),
    );
    updateAutoScalingGroup({ AutoScalingGroupName: 'g', MinSize: 0, DesiredCapacity: 0 }, ctx);
    expect(() => deleteAutoScalingGroup({ AutoScalingGroupName: 'g' }, ctx)).toThrow(
      expect.objectContaining({ code: 'ScalingActivityInProgress' }),
    );
    cloud.advance(5_000);
    deleteAutoScalingGroup({ AutoScalingGroupName: 'g' }, ctx);
    expect(describeAutoScalingGroups({}, ctx).AutoScalingGroups).toEqual([]);
  });

  it('with HealthCheckType ELB replaces an instance its target group reports unhealthy, only after the grace period', async () => {
    const { cloud, ctx } = setup();
    const vpcId = ec2State(cloud).vpc.vpcId;
    const tgArn =
      createTargetGroup({ Name: 'tg', Protocol: 'HTTP', Port: 80, VpcId: vpcId }, ctx).TargetGroups?.[0]
        ?.TargetGroupArn ?? '';
    const lb = (
      await createLoadBalancer({ Name: 'lb', Subnets: ec2State(cloud).subnets.map((s) => s.subnetId) }, ctx)
    ).LoadBalancers?.[0];
    createListener(
      {
        LoadBalancerArn: lb?.LoadBalancerArn,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }],
      },
      ctx,
    );
    createAutoScalingGroup(
      {
        AutoScalingGroupName: 'g',
        MinSize: 1,
        MaxSize: 1,
        AvailabilityZones: ['us-west-2a'],
        LaunchTemplate: { LaunchTemplateName: 'web' },
        TargetGroupARNs: [tgArn],
        HealthCheckType: 'ELB',
        HealthCheckGracePeriod: 60,
      },
      ctx,
    );
    cloud.advance(10_000);
    reconcileAutoScaling(cloud);
    const id = members(cloud)[0]?.InstanceId ?? '';
    cloud.dataplane.health.set(`${tgArn}|${id}`, {
      state: 'unhealthy',
      reason: 'Target.ResponseCodeMismatch',
    });
    reconcileAutoScaling(cloud);
    expect(members(cloud)[0]).toMatchObject({
      InstanceId: id,
      LifecycleState: 'InService',
      HealthStatus: 'Healthy',
    });
    cloud.advance(60_000);
    reconcileAutoScaling(cloud);
    expect(members(cloud).find((m) => m.InstanceId === id)).toMatchObject({
      LifecycleState: 'Terminating',
      HealthStatus: 'Unhealthy',
    });
  });
});
