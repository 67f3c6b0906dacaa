/**
 * `resilient local fault …` against a real local cloud (started with `local start --port 0`): a small
 * stack (target group, load balancer, listener, launch template, Auto Scaling group of one) built with the
 * project's own AWS wrappers, so one instance serves behind the load balancer. Then each command is run as
 * the user would run it, and its effect is observed where AWS would show it: through the load balancer,
 * in DescribeTargetHealth, in Auto Scaling's activities and in an SDK call's error.
 */
import { DescribeScalingActivitiesCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstanceStatusCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAutoScaling } from '../../src/aws/autoscaling.ts';
import { createClients } from '../../src/aws/clients.ts';
import { createEc2 } from '../../src/aws/ec2.ts';
import { createElbv2 } from '../../src/aws/elbv2.ts';
import { readAdminCredentials } from '../../src/local/daemon/credentials.ts';
import { daemonPaths } from '../../src/local/daemon/files.ts';
import { baseEnv, spawnCli } from '../_support/cli.ts';
import { useE2eCloud } from '../_support/e2e-cloud.ts';
import { until } from '../_support/poll.ts';

/** At this scale the seed's health check runs every 0.5 s with a 0.25 s timeout, and ALB's 60 s idle timeout is 3 s. */
const TIME_SCALE = 0.05;
const GROUP = 'fault-group';

const e2e = useE2eCloud('resilient-cli-fault-', TIME_SCALE);
const { config, state } = e2e;
let dnsName: string;
let targetGroupArn: string;
let instanceId: string;

const cli = (...args: string[]) =>
  spawnCli(['local', 'fault', ...args, '--state-dir', state.path], {
    env: baseEnv(config.path),
    deadlineMs: 20_000,
  });

async function ok(...args: string[]): Promise<string> {
  const result = await cli(...args);
  if (result.code !== 0)
    throw new Error(`local fault ${args.join(' ')} exited ${result.code}: ${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** One GET through the load balancer: its status, or 0 when the connection failed. Bounded by `deadlineMs`. */
async function get(path: string, deadlineMs = 10_000): Promise<number> {
  try {
    const res = await fetch(`http://${dnsName}${path}`, { signal: AbortSignal.timeout(deadlineMs) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

async function healthOf(id: string): Promise<string | undefined> {
  const elbv2 = createElbv2(e2e.cloud.clients.elbv2);
  const targets = await elbv2.targetHealth(targetGroupArn);
  return targets?.find((t) => t.Target?.Id === id)?.TargetHealth?.State;
}

beforeAll(async () => {
  const { clients } = e2e.cloud;
  const ec2 = createEc2(clients.ec2);
  const elbv2 = createElbv2(clients.elbv2);
  const autoscaling = createAutoScaling(clients.autoscaling);
  const vpcId =
    (await ec2.defaultVpcId()) ??
    (await clients.ec2.send(new DescribeVpcsCommand({}))).Vpcs?.[0]?.VpcId ??
    'no-vpc';
  const zones = (await ec2.availabilityZones()).slice(0, 2);
  const subnets = await ec2.defaultSubnets(vpcId, zones);
  const tg = await elbv2.createTargetGroup({ name: 'fault-tg', vpcId, tags: [] });
  targetGroupArn = tg.value.TargetGroupArn ?? '';
  const lb = await elbv2.createLoadBalancer({
    name: 'fault-lb',
    subnetIds: subnets.map((s) => s.id),
    tags: [],
  });
  dnsName = lb.value.DNSName ?? '';
  await elbv2.createListener({ loadBalancerArn: lb.value.LoadBalancerArn ?? '', targetGroupArn, port: 80 });
  const template = await ec2.createLaunchTemplate({
    name: 'fault-template',
    clientToken: 'fault-template-token',
    data: { InstanceType: 't3.micro' },
    tags: [],
  });
  if (template === 'profile-not-ready') throw new Error('a template without a profile cannot wait for one');
  await autoscaling.createGroup({
    name: GROUP,
    launchTemplateName: 'fault-template',
    zones,
    subnetIds: subnets.map((s) => s.id),
    size: 1,
    tags: [],
  });
  await autoscaling.attachTargetGroups(GROUP, [targetGroupArn]);
  instanceId = await until(
    'the instance to be InService and healthy behind the load balancer',
    async () => {
      const group = await autoscaling.describeGroup(GROUP);
      const id = group?.Instances?.find((i) => i.LifecycleState === 'InService')?.InstanceId;
      return id !== undefined && (await healthOf(id)) === 'healthy' ? id : undefined;
    },
    20_000,
  );
}, 60_000);

describe('local fault against a running local cloud', () => {
  it('hang makes requests to the instance end in 504 and its target unhealthy; heal restores both', async () => {
    expect(await get('/healthcheck')).toBe(200);
    expect(await ok('hang', instanceId)).toContain(`${instanceId} now hangs`);

    // ALB's idle timeout (3 s here) passes with no byte from the target: 504.
    expect(await get('/healthcheck')).toBe(504);
    await until(
      'the hung target to turn unhealthy',
      async () => ((await healthOf(instanceId)) === 'unhealthy' ? true : undefined),
      10_000,
    );
    const status = await ok('status');
    expect(status).toMatch(new RegExp(`${instanceId}\\s+running\\s+\\S+\\s+hang`));

    expect(await ok('heal', instanceId)).toContain(`${instanceId} answers normally again`);
    await until(
      'the healed target to turn healthy',
      async () => ((await healthOf(instanceId)) === 'healthy' ? true : undefined),
      10_000,
    );
    expect(await get('/healthcheck')).toBe(200);
    const json = JSON.parse(await ok('status', '--json')) as {
      instances: { instanceId: string; fault: string }[];
    };
    expect(json.instances.find((i) => i.instanceId === instanceId)?.fault).toBe('none');
  });

  it('slow delays the responses past the health-check timeout, so the target turns unhealthy; heal restores it', async () => {
    // 400 ms is past the 0.25 s health-check timeout but well inside the load balancer's idle timeout.
    expect(await ok('slow', instanceId, '--delay-ms', '400')).toContain('now answers 400 ms late');
    const json = JSON.parse(await ok('status', '--json')) as {
      instances: { instanceId: string; fault: string; delayMs?: number }[];
    };
    expect(json.instances.find((i) => i.instanceId === instanceId)).toMatchObject({
      fault: 'slow',
      delayMs: 400,
    });
    await until(
      'the slow target to turn unhealthy',
      async () => ((await healthOf(instanceId)) === 'unhealthy' ? true : undefined),
      10_000,
    );
    // Failing open (its only target is unhealthy), the load balancer still sends the request, late but whole.
    expect(await get('/healthcheck')).toBe(200);
    await ok('heal', instanceId);
    await until(
      'the target to turn healthy again',
      async () => ((await healthOf(instanceId)) === 'healthy' ? true : undefined),
      10_000,
    );
  });

  it('an instance id the cloud does not have is a clear error (exit 1) naming the command that lists them', async () => {
    const result = await cli('hang', 'i-0123456789abcdef0');
    expect(result.code).toBe(1);
    const [reason, hint] = result.stderr.trimEnd().split('\n');
    expect(reason).toBe('error: The local cloud has no instance i-0123456789abcdef0.');
    expect(hint).toBe(`list its instances with: resilient local fault status --state-dir ${state.path}`);
  });

  it('api --throttle 1 makes an SDK call fail with a throttling error; --throttle 0 serves it again', async () => {
    const admin = readAdminCredentials(daemonPaths(state.path));
    if (admin === undefined) throw new Error('the local cloud wrote no admin credentials');
    const oneShot = createClients({
      region: e2e.cloud.region,
      endpoint: e2e.cloud.endpoint,
      credentials: admin,
      maxAttempts: 1,
    });
    try {
      expect(await ok('api', '--throttle', '1')).toContain('100 % of calls throttled');
      const error = await createAutoScaling(oneShot.autoscaling)
        .describeGroup(GROUP)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      // Auto Scaling speaks awsQuery: its throttling code is `Throttling` (HTTP 400).
      expect(error).toMatchObject({ name: 'Throttling', $metadata: { httpStatusCode: 400 } });
      expect((await ok('status')).split('\n')[0]).toBe('API faults: 100 % throttled, 0 % failed with a 5xx');

      expect(await ok('api', '--throttle', '0', '--errors', '0')).toContain('API faults cleared');
      expect((await createAutoScaling(oneShot.autoscaling).describeGroup(GROUP))?.AutoScalingGroupName).toBe(
        GROUP,
      );
    } finally {
      oneShot.destroy();
      await cli('api', '--throttle', '0', '--errors', '0');
    }
  });

  it('crash makes the instance impaired: it fails its EC2 status check and Auto Scaling replaces it', async () => {
    expect(await ok('crash', instanceId)).toContain(`Crashed ${instanceId}`);
    // It stays running while its target drains (300 s × 0.05), with the status check failed.
    const impaired = await until(
      'DescribeInstanceStatus to report the crashed instance impaired',
      async () => {
        const out = await e2e.cloud.clients.ec2.send(
          new DescribeInstanceStatusCommand({ InstanceIds: [instanceId], IncludeAllInstances: true }),
        );
        const status = out.InstanceStatuses?.[0];
        return status?.InstanceStatus?.Status === 'impaired' ? status : undefined;
      },
      10_000,
    );
    expect(impaired.InstanceStatus?.Details).toEqual([{ Name: 'reachability', Status: 'failed' }]);
    const activity = await until(
      'Auto Scaling to take the crashed instance out of service',
      async () => {
        const out = await e2e.cloud.clients.autoscaling.send(
          new DescribeScalingActivitiesCommand({ AutoScalingGroupName: GROUP }),
        );
        return out.Activities?.find((a) => a.Description === `Terminating EC2 instance: ${instanceId}`);
      },
      10_000,
    );
    expect(activity.Cause).toContain('EC2 instance status check failure');
    await until(
      'a replacement to serve behind the load balancer',
      async () => {
        const group = await createAutoScaling(e2e.cloud.clients.autoscaling).describeGroup(GROUP);
        const id = group?.Instances?.find(
          (i) => i.LifecycleState === 'InService' && i.InstanceId !== instanceId,
        )?.InstanceId;
        return id !== undefined && (await healthOf(id)) === 'healthy' ? id : undefined;
      },
      20_000,
    );
    expect(await get('/healthcheck')).toBe(200);
  });
});
