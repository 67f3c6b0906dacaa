/**
 * The seven demo stages (docs/architecture.md#the-seven-stages), driven with the SDK clients against a local cloud whose data plane
 * runs the real recommendation server as instance processes behind the real local load balancer.
 * Each stage polls (bounded) until its expected row holds.
 */
import { readFileSync } from 'node:fs';
import {
  AttachLoadBalancerTargetGroupsCommand,
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  TerminateInstanceInAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { BatchWriteItemCommand, CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateLaunchTemplateCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
  RebootInstancesCommand,
  ReplaceIamInstanceProfileAssociationCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  CreateInstanceProfileCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ec2TrustPolicy,
  instancePolicy,
  ssmManagedInstanceCoreArn,
  ssmOnlyPolicy,
} from '../../../resources/policies.ts';
import {
  RECOMMENDATIONS,
  RECOMMENDATIONS_ATTRIBUTE_DEFINITIONS,
  RECOMMENDATIONS_KEY_SCHEMA,
} from '../../../resources/recommendations.ts';
import { renderUserData } from '../../../src/userdata/index.ts';
import { localClient, startTestLocalCloud, type TestLocalCloud } from '../../_support/local-cloud.ts';
import { request, waitFor } from '../dataplane/_helpers/harness.ts';

const NAME = 'stg';
const TABLE = `resilient-${NAME}-recommendations`;
const PARAMS = {
  table: `/resilient/${NAME}/table`,
  failureResponse: `/resilient/${NAME}/failure-response`,
  healthCheck: `/resilient/${NAME}/health-check`,
};
const BOGUS_TABLE = 'this-is-not-a-table';
const STATIC_TITLE = '404 Not Found: A Coloring Book';
const STAGE_DEADLINE_MS = 45_000;

interface Seen {
  readonly status: number;
  readonly instanceId: string | undefined;
  readonly kind: 'real' | 'static' | 'error';
}

describe('the seven demo stages on the local cloud', () => {
  let local: TestLocalCloud;
  let lbPort = 0;
  let tgArn = '';
  let elb: ElasticLoadBalancingV2Client;
  let ssm: SSMClient;
  let asg: AutoScalingClient;
  let ec2: EC2Client;
  let badInstance = '';

  const get = async (): Promise<Seen> => {
    const res = await request(lbPort, '/');
    if (res.status !== 200) return { status: res.status, instanceId: undefined, kind: 'error' };
    const body = JSON.parse(res.body) as { Title?: { S?: string }; Metadata?: { InstanceId?: string } };
    return {
      status: 200,
      instanceId: body.Metadata?.InstanceId,
      kind: body.Title?.S === STATIC_TITLE ? 'static' : 'real',
    };
  };
  const sample = async (n: number): Promise<Seen[]> => {
    const out: Seen[] = [];
    for (let i = 0; i < n; i++) out.push(await get());
    return out;
  };
  const health = async (): Promise<TargetHealthDescription[]> =>
    (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }))).TargetHealthDescriptions ??
    [];
  const put = (name: string, value: string) =>
    ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true }));
  const until = <T>(what: string, check: () => Promise<T | undefined>) =>
    waitFor(what, check, STAGE_DEADLINE_MS);

  beforeAll(async () => {
    local = await startTestLocalCloud({
      timeScale: 0.05,
      inMemoryDynamoDb: true,
    });
    const iam = localClient(IAMClient, local);
    const ddb = localClient(DynamoDBClient, local);
    ssm = localClient(SSMClient, local);
    ec2 = localClient(EC2Client, local);
    elb = localClient(ElasticLoadBalancingV2Client, local);
    asg = localClient(AutoScalingClient, local);
    const scope = {
      partition: 'aws',
      region: local.region,
      accountId: local.cloud.config.accountId,
      parameterNames: PARAMS,
    };

    await ddb.send(
      new CreateTableCommand({
        TableName: TABLE,
        KeySchema: [...RECOMMENDATIONS_KEY_SCHEMA],
        AttributeDefinitions: [...RECOMMENDATIONS_ATTRIBUTE_DEFINITIONS],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await waitFor('table', async () => {
      try {
        await ddb.send(
          new BatchWriteItemCommand({
            RequestItems: { [TABLE]: RECOMMENDATIONS.map((Item) => ({ PutRequest: { Item: { ...Item } } })) },
          }),
        );
        return true;
      } catch {
        return undefined;
      }
    });
    await put(PARAMS.table, TABLE);
    await put(PARAMS.failureResponse, 'none');
    await put(PARAMS.healthCheck, 'shallow');

    const profiles: Record<string, string> = {};
    for (const [kind, policy] of [
      ['instance', instancePolicy({ ...scope, tableName: TABLE })],
      ['bc', ssmOnlyPolicy(scope)],
    ] as const) {
      const name = `resilient-${NAME}-${kind}`;
      const created = await iam.send(
        new CreatePolicyCommand({ PolicyName: name, PolicyDocument: JSON.stringify(policy) }),
      );
      await iam.send(
        new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(ec2TrustPolicy()) }),
      );
      await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: created.Policy?.Arn }));
      await iam.send(
        new AttachRolePolicyCommand({ RoleName: name, PolicyArn: ssmManagedInstanceCoreArn('aws') }),
      );
      const profile = await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: name }));
      await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: name, RoleName: name }));
      profiles[kind] = profile.InstanceProfile?.Arn ?? '';
    }
    const userData = renderUserData({
      region: local.region,
      parameterNames: PARAMS,
      parameterTtlMs: 200,
      dependencyTimeoutMs: 200,
    });
    await ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: `resilient-${NAME}-template`,
        LaunchTemplateData: {
          ImageId: 'ami-0123456789abcdef0',
          InstanceType: 't3.micro',
          UserData: Buffer.from(userData).toString('base64'),
          IamInstanceProfile: { Name: `resilient-${NAME}-instance` },
          MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' },
        },
      }),
    );
    const zones = local.cloud.config.zones;
    const vpc = await ec2.send(
      new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }),
    );
    const vpcId = vpc.Vpcs?.[0]?.VpcId;
    const subnets = await ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId ?? ''] }] }),
    );
    const tg = await elb.send(
      new CreateTargetGroupCommand({
        Name: `resilient-${NAME}-tg`,
        Protocol: 'HTTP',
        Port: 80,
        VpcId: vpcId,
        HealthCheckPath: '/healthcheck',
        HealthCheckIntervalSeconds: 10,
        HealthCheckTimeoutSeconds: 5,
        HealthyThresholdCount: 2,
        UnhealthyThresholdCount: 2,
      }),
    );
    tgArn = tg.TargetGroups?.[0]?.TargetGroupArn ?? '';
    // Keep stage 6 short: 60 s of draining is 3 s at this time scale.
    await elb.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: tgArn,
        Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '60' }],
      }),
    );
    const lb = await elb.send(
      new CreateLoadBalancerCommand({
        Name: `resilient-${NAME}-lb`,
        Subnets: subnets.Subnets?.map((n) => n.SubnetId ?? ''),
      }),
    );
    const lbInfo = lb.LoadBalancers?.[0];
    lbPort = Number((lbInfo?.DNSName ?? '').split(':')[1]);
    await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lbInfo?.LoadBalancerArn,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }],
      }),
    );
    await asg.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: `resilient-${NAME}-group`,
        MinSize: 3,
        MaxSize: 3,
        AvailabilityZones: [...zones],
        LaunchTemplate: { LaunchTemplateName: `resilient-${NAME}-template`, Version: '$Default' },
      }),
    );
    await asg.send(
      new AttachLoadBalancerTargetGroupsCommand({
        AutoScalingGroupName: `resilient-${NAME}-group`,
        TargetGroupARNs: [tgArn],
      }),
    );
    await until('three healthy targets', async () => {
      const all = await health();
      return all.length === 3 && all.every((t) => t.TargetHealth?.State === 'healthy') ? true : undefined;
    });
  }, 120_000);

  afterAll(async () => {
    await local?.close();
  });

  it('1 initial: real items from several instances, all healthy', async () => {
    // Instances run with a 200 ms dependency timeout (the time-scaled health-check budget): on a loaded
    // machine one read can time out into the static item, so the row must hold for one whole fresh batch.
    const seen = await until('a batch of only real items', async () => {
      const batch = await sample(9);
      return batch.every((s) => s.kind === 'real') ? batch : undefined;
    });
    expect(seen.every((s) => s.kind === 'real')).toBe(true);
    expect(new Set(seen.map((s) => s.instanceId)).size).toBeGreaterThan(1);
    const plane = local.cloud.dataplane as unknown as {
      instance(id: string): { pid: number | undefined } | undefined;
    };
    const rss = (await health()).map((t) => {
      const status = readFileSync(`/proc/${plane.instance(t.Target?.Id ?? '')?.pid}/status`, 'utf8');
      return (Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024).toFixed(1);
    });
    process.stdout.write(`[measure] recommendation server RSS per instance (MiB): ${rss.join(', ')}\n`);
  });

  it('2 broken dependency: 502 while targets stay healthy', async () => {
    await put(PARAMS.table, BOGUS_TABLE);
    // Each instance caches parameters for a short TTL: wait until every instance has seen the change.
    const seen = await until('502 from every instance', async () => {
      const batch = await sample(6);
      return batch.every((s) => s.status === 502) ? batch : undefined;
    });
    expect(seen).toHaveLength(6);
    expect((await health()).every((t) => t.TargetHealth?.State === 'healthy')).toBe(true);
  });

  it('3 static response: 200 static item', async () => {
    await put(PARAMS.failureResponse, 'static');
    const seen = await until('static from every instance', async () => {
      const batch = await sample(6);
      return batch.every((s) => s.kind === 'static') ? batch : undefined;
    });
    expect(new Set(seen.map((s) => s.instanceId)).size).toBe(3);
  });

  it('4 bad credentials: one instance on the SSM-only profile after a reboot → mix of real and static', async () => {
    await put(PARAMS.table, TABLE);
    await until('real again', async () => ((await get()).kind === 'real' ? true : undefined));
    badInstance = (await health())[0]?.Target?.Id ?? '';
    const assoc = await ec2.send(
      new DescribeIamInstanceProfileAssociationsCommand({
        Filters: [{ Name: 'instance-id', Values: [badInstance] }],
      }),
    );
    await ec2.send(
      new ReplaceIamInstanceProfileAssociationCommand({
        AssociationId: assoc.IamInstanceProfileAssociations?.[0]?.AssociationId,
        IamInstanceProfile: { Name: `resilient-${NAME}-bc` },
      }),
    );
    await ec2.send(new RebootInstancesCommand({ InstanceIds: [badInstance] }));
    const mix = await until('static from the bad instance, real from others', async () => {
      const seen = await sample(9);
      // The whole batch must show the row (a 502 from the reboot window, or a read timed out under
      // load on a healthy instance, makes another batch necessary, not a pass).
      const fromBad = seen.filter((s) => s.instanceId === badInstance);
      const others = seen.filter((s) => s.instanceId !== badInstance);
      return fromBad.length > 0 &&
        others.length > 0 &&
        fromBad.every((s) => s.kind === 'static') &&
        others.every((s) => s.kind === 'real')
        ? seen
        : undefined;
    });
    expect(mix.filter((s) => s.instanceId !== badInstance).every((s) => s.kind === 'real')).toBe(true);
  });

  it('5 deep health checks: exactly the bad instance unhealthy with [503], only real items served', async () => {
    const started = Date.now();
    await put(PARAMS.healthCheck, 'deep');
    const all = await until('bad instance unhealthy', async () => {
      const h = await health();
      return h.find((t) => t.Target?.Id === badInstance)?.TargetHealth?.State === 'unhealthy' ? h : undefined;
    });
    process.stdout.write(
      `[measure] deep check → bad instance unhealthy: ${Date.now() - started} ms (time scale 0.05)\n`,
    );
    for (const t of all) {
      if (t.Target?.Id === badInstance) {
        expect(t.TargetHealth).toMatchObject({
          State: 'unhealthy',
          Reason: 'Target.ResponseCodeMismatch',
          Description: 'Health checks failed with these codes: [503]',
        });
      } else expect(t.TargetHealth?.State).toBe('healthy');
    }
    expect((await sample(9)).every((s) => s.kind === 'real')).toBe(true);
  });

  it('6 replace the failing instance: a client polling throughout sees no 5xx; the new instance turns healthy', async () => {
    const failures: number[] = [];
    let polling = true;
    let requests = 0;
    const started = Date.now();
    const poller = (async () => {
      while (polling) {
        const s = await get();
        requests += 1;
        if (s.status >= 500) failures.push(s.status);
      }
    })();
    try {
      await asg.send(
        new TerminateInstanceInAutoScalingGroupCommand({
          InstanceId: badInstance,
          ShouldDecrementDesiredCapacity: false,
        }),
      );
      await until('three healthy targets without the old one', async () => {
        const h = await health();
        const live = h.filter((t) => t.TargetHealth?.State === 'healthy' && t.Target?.Id !== badInstance);
        return live.length === 3 && !h.some((t) => t.Target?.Id === badInstance) ? true : undefined;
      });
    } finally {
      polling = false;
      await poller;
    }
    process.stdout.write(
      `[measure] replacement until 3 healthy: ${Date.now() - started} ms, ${requests} client requests, ${failures.length} 5xx\n`,
    );
    expect(failures).toEqual([]);
    const group = await asg.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [`resilient-${NAME}-group`] }),
    );
    const inService = group.AutoScalingGroups?.[0]?.Instances?.filter(
      (i) => i.LifecycleState === 'InService',
    );
    expect(inService?.map((i) => i.InstanceId)).not.toContain(badInstance);
    expect(inService).toHaveLength(3);
    expect((await sample(6)).every((s) => s.kind === 'real')).toBe(true);
  });

  it('7 fail open: bogus table with deep checks → all unhealthy, static served from every instance', async () => {
    await put(PARAMS.table, BOGUS_TABLE);
    await until('all unhealthy', async () => {
      const h = await health();
      return h.length === 3 && h.every((t) => t.TargetHealth?.State === 'unhealthy') ? true : undefined;
    });
    const seen = await sample(9);
    expect(seen.every((s) => s.status === 200 && s.kind === 'static')).toBe(true);
    expect(new Set(seen.map((s) => s.instanceId)).size).toBe(3);
  });

  it('reset: table restored → real items and all healthy again', async () => {
    await put(PARAMS.table, TABLE);
    await until('all healthy', async () => {
      const h = await health();
      return h.length === 3 && h.every((t) => t.TargetHealth?.State === 'healthy') ? true : undefined;
    });
    expect((await sample(6)).every((s) => s.kind === 'real')).toBe(true);
  });
});
