import { describe, expect, it } from 'vitest';
import { launchInstance } from '../../../../src/local/services/ec2/instance-lifecycle.ts';
import { ec2State } from '../../../../src/local/services/ec2/model.ts';
import { createLaunchTemplate } from '../../../../src/local/services/ec2/templates.ts';
import { createListener, createLoadBalancer } from '../../../../src/local/services/elbv2/load-balancers.ts';
import {
  createTargetGroup,
  deregisterTargetsOp,
  describeTargetHealth,
  registerTargetsOp,
} from '../../../../src/local/services/elbv2/target-groups.ts';
import { createDataPlaneView } from '../../../../src/local/services/view.ts';
import { adminContext, fakeLocalCloud } from '../../../_support/fake-local-cloud.ts';

async function setup() {
  const cloud = fakeLocalCloud();
  const ctx = adminContext(cloud);
  createLaunchTemplate({ LaunchTemplateName: 'web', LaunchTemplateData: { InstanceType: 't3.micro' } }, ctx);
  const instance = launchInstance(
    cloud,
    { launchTemplate: { name: 'web' }, zone: 'us-west-2a' },
    () => undefined,
  );
  const tg = createTargetGroup(
    {
      Name: 'tg',
      Protocol: 'HTTP',
      Port: 80,
      VpcId: ec2State(cloud).vpc.vpcId,
      HealthCheckIntervalSeconds: 10,
      HealthyThresholdCount: 3,
    },
    ctx,
  ).TargetGroups?.[0];
  const lb = (
    await createLoadBalancer({ Name: 'lb', Subnets: ec2State(cloud).subnets.map((s) => s.subnetId) }, ctx)
  ).LoadBalancers?.[0];
  return { cloud, ctx, instance, tgArn: tg?.TargetGroupArn ?? '', lbArn: lb?.LoadBalancerArn ?? '' };
}

describe('target health without a data-plane observation (model fallback)', () => {
  it('refuses a pending instance, then is unused until a listener forwards, then initial → healthy after interval × threshold', async () => {
    const { cloud, ctx, instance, tgArn, lbArn } = await setup();
    expect(() =>
      registerTargetsOp({ TargetGroupArn: tgArn, Targets: [{ Id: instance.instanceId }] }, ctx),
    ).toThrow(expect.objectContaining({ code: 'InvalidTarget' }));
    cloud.advance(10_000);
    registerTargetsOp({ TargetGroupArn: tgArn, Targets: [{ Id: instance.instanceId }] }, ctx);
    const health = () =>
      describeTargetHealth({ TargetGroupArn: tgArn }, ctx).TargetHealthDescriptions?.[0]?.TargetHealth;
    expect(health()).toMatchObject({ State: 'unused', Reason: 'Target.NotInUse' });
    createListener(
      {
        LoadBalancerArn: lbArn,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }],
      },
      ctx,
    );
    expect(health()).toMatchObject({ State: 'initial', Reason: 'Elb.RegistrationInProgress' });
    cloud.advance(10_000);
    expect(health()).toMatchObject({ State: 'initial', Reason: 'Elb.InitialHealthChecking' });
    cloud.advance(20_000);
    expect(health()).toEqual({ State: 'healthy' });
    // A data-plane observation wins over the model.
    cloud.dataplane.health.set(`${tgArn}|${instance.instanceId}`, {
      state: 'unhealthy',
      reason: 'Target.ResponseCodeMismatch',
      description: 'Health checks failed with these codes: [503]',
    });
    expect(health()).toEqual({
      State: 'unhealthy',
      Reason: 'Target.ResponseCodeMismatch',
      Description: 'Health checks failed with these codes: [503]',
    });
  });

  it('drains a deregistered target for the deregistration delay, visible to the data plane with drainingUntil', async () => {
    const { cloud, ctx, instance, tgArn } = await setup();
    cloud.advance(10_000);
    registerTargetsOp({ TargetGroupArn: tgArn, Targets: [{ Id: instance.instanceId }] }, ctx);
    deregisterTargetsOp({ TargetGroupArn: tgArn, Targets: [{ Id: instance.instanceId }] }, ctx);
    const view = createDataPlaneView(cloud);
    expect(view.targetGroups()[0]?.targets[0]?.drainingUntil).toBe(cloud.clock.now() + 300_000);
    expect(
      describeTargetHealth({ TargetGroupArn: tgArn }, ctx).TargetHealthDescriptions?.[0]?.TargetHealth?.State,
    ).toBe('draining');
    cloud.advance(300_000);
    expect(view.targetGroups()[0]?.targets).toEqual([]);
    expect(describeTargetHealth({ TargetGroupArn: tgArn }, ctx).TargetHealthDescriptions).toEqual([]);
    const explicit = describeTargetHealth(
      { TargetGroupArn: tgArn, Targets: [{ Id: instance.instanceId }] },
      ctx,
    );
    expect(explicit.TargetHealthDescriptions?.[0]?.TargetHealth?.Reason).toBe('Target.NotRegistered');
  });
});
