import { DescribeSubnetsCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  AddTagsCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeleteLoadBalancerCommand,
  DeleteTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloud, waitFor } from '../../../_support/fake-local-cloud.ts';
import type { TestLocalCloud } from '../../../_support/local-cloud.ts';
import { localClient } from '../../../_support/local-cloud.ts';

let local: TestLocalCloud;
let elb: ElasticLoadBalancingV2Client;
let vpcId: string;
let subnetIds: string[];

beforeAll(async () => {
  local = await startCloud();
  elb = localClient(ElasticLoadBalancingV2Client, local);
  const ec2 = localClient(EC2Client, local);
  vpcId = (await ec2.send(new DescribeVpcsCommand({}))).Vpcs?.[0]?.VpcId ?? '';
  subnetIds = ((await ec2.send(new DescribeSubnetsCommand({}))).Subnets ?? []).map((s) => s.SubnetId ?? '');
  ec2.destroy();
});
afterAll(async () => {
  elb?.destroy();
  await local?.close();
});

const seedTargetGroup = {
  Name: 'seed-tg',
  Protocol: 'HTTP' as const,
  Port: 80,
  HealthCheckPath: '/healthcheck',
  HealthCheckIntervalSeconds: 10,
  HealthCheckTimeoutSeconds: 5,
  HealthyThresholdCount: 2,
  UnhealthyThresholdCount: 2,
};

describe('ELBv2 over the wire', () => {
  it('creates a target group with ALB defaults, idempotently, and validates health-check settings', async () => {
    const created = await elb.send(new CreateTargetGroupCommand({ ...seedTargetGroup, VpcId: vpcId }));
    const tg = created.TargetGroups?.[0];
    expect(tg).toMatchObject({
      HealthCheckPath: '/healthcheck',
      HealthCheckPort: 'traffic-port',
      Matcher: { HttpCode: '200' },
      TargetType: 'instance',
      HealthCheckIntervalSeconds: 10,
    });
    const again = await elb.send(new CreateTargetGroupCommand({ ...seedTargetGroup, VpcId: vpcId }));
    expect(again.TargetGroups?.[0]?.TargetGroupArn).toBe(tg?.TargetGroupArn);
    await expect(
      elb.send(new CreateTargetGroupCommand({ ...seedTargetGroup, Port: 8080, VpcId: vpcId })),
    ).rejects.toMatchObject({ name: 'DuplicateTargetGroupNameException' });
    await expect(
      elb.send(
        new CreateTargetGroupCommand({
          ...seedTargetGroup,
          Name: 'x',
          HealthCheckIntervalSeconds: 5,
          VpcId: vpcId,
        }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Health check interval must be greater than the timeout.',
    });
    const attrs = await elb.send(
      new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tg?.TargetGroupArn }),
    );
    expect(attrs.Attributes).toContainEqual({ Key: 'deregistration_delay.timeout_seconds', Value: '300' });
    await elb.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: tg?.TargetGroupArn,
        Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }],
      }),
    );
    const modified = await elb.send(
      new ModifyTargetGroupCommand({ TargetGroupArn: tg?.TargetGroupArn, HealthCheckIntervalSeconds: 15 }),
    );
    expect(modified.TargetGroups?.[0]?.HealthCheckIntervalSeconds).toBe(15);
    await expect(elb.send(new DescribeTargetGroupsCommand({ Names: ['no-such-tg'] }))).rejects.toMatchObject({
      name: 'TargetGroupNotFoundException',
    });
  });

  it('provisions a load balancer on a loopback port, then refuses to delete its target group while a listener forwards to it', async () => {
    const tgArn = (await elb.send(new DescribeTargetGroupsCommand({ Names: ['seed-tg'] }))).TargetGroups?.[0]
      ?.TargetGroupArn;
    const created = await elb.send(
      new CreateLoadBalancerCommand({
        Name: 'seed-lb',
        Subnets: subnetIds,
        Tags: [{ Key: 'k', Value: 'v' }],
      }),
    );
    const lb = created.LoadBalancers?.[0];
    expect(lb?.State?.Code).toBe('provisioning');
    expect(lb?.DNSName).toMatch(/^127\.0\.0\.1:\d+$/);
    const same = await elb.send(new CreateLoadBalancerCommand({ Name: 'seed-lb', Subnets: subnetIds }));
    expect(same.LoadBalancers?.[0]?.LoadBalancerArn).toBe(lb?.LoadBalancerArn);
    await expect(
      elb.send(new CreateLoadBalancerCommand({ Name: 'seed-lb', Subnets: subnetIds.slice(0, 2) })),
    ).rejects.toMatchObject({ name: 'DuplicateLoadBalancerNameException' });
    await waitFor('load balancer active', async () => {
      const seen = await elb.send(new DescribeLoadBalancersCommand({ Names: ['seed-lb'] }));
      return seen.LoadBalancers?.[0]?.State?.Code === 'active' ? true : undefined;
    });
    const listener = await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb?.LoadBalancerArn,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }],
      }),
    );
    const listenerArn = listener.Listeners?.[0]?.ListenerArn;
    await expect(
      elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: lb?.LoadBalancerArn,
          Protocol: 'HTTP',
          Port: 80,
          DefaultActions: [
            {
              Type: 'forward',
              TargetGroupArn:
                'arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/other/0123456789abcdef',
            },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: 'TargetGroupNotFoundException' });
    const listed = await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb?.LoadBalancerArn }));
    expect(listed.Listeners?.map((l) => l.ListenerArn)).toEqual([listenerArn]);
    await expect(elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tgArn }))).rejects.toMatchObject({
      name: 'ResourceInUseException',
      message: `Target group '${tgArn}' is currently in use by a listener or a rule`,
    });
    await elb.send(new AddTagsCommand({ ResourceArns: [tgArn ?? ''], Tags: [{ Key: 'team', Value: 'b' }] }));
    const tags = await elb.send(
      new DescribeTagsCommand({ ResourceArns: [lb?.LoadBalancerArn ?? '', tgArn ?? ''] }),
    );
    expect(tags.TagDescriptions?.map((d) => d.Tags)).toEqual([
      [{ Key: 'k', Value: 'v' }],
      [{ Key: 'team', Value: 'b' }],
    ]);
    await expect(
      elb.send(
        new RegisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: 'i-0123456789abcdef0' }] }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidTargetException' });
    expect(
      (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }))).TargetHealthDescriptions,
    ).toEqual([]);
    await elb.send(new DeleteListenerCommand({ ListenerArn: listenerArn }));
    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lb?.LoadBalancerArn }));
    // Deleting twice is fine, as on AWS; the target group is then free to go.
    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lb?.LoadBalancerArn }));
    await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tgArn }));
    await expect(
      elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [lb?.LoadBalancerArn ?? ''] })),
    ).rejects.toMatchObject({ name: 'LoadBalancerNotFoundException' });
  });
});
