/**
 * An instance launched from a launch template whose user data is not resilient's (here the seed's own,
 * as the reference clients and the AWS CLI write it) runs the server with the seed's semantics: parameters
 * and the item are read on every request, so the very next GET after PutParameter returns shows the change.
 * resilient's own user data keeps the caches it asks for.
 */
import {
  AttachLoadBalancerTargetGroupsCommand,
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateLaunchTemplateCommand, DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
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
import { ec2TrustPolicy, instancePolicy } from '../../../resources/policies.ts';
import { workloadServerEnv } from '../../../src/local/dataplane/workload-env.ts';
import { DEFAULT_PARAMETER_NAMES, SERVER_ENV } from '../../../src/server/env.ts';
import { renderUserData } from '../../../src/userdata/index.ts';
import { request, waitFor } from '../../_support/dataplane-harness.ts';
import { localClient, startTestLocalCloud, type TestLocalCloud } from '../../_support/local-cloud.ts';
import { createRecommendationsTable, writeRecommendations } from '../../_support/recommendations-table.ts';

/** The seed's launch template user data: it installs and starts its own Python server. */
const SEED_USER_DATA = [
  '#!/bin/bash',
  'yum update -y',
  'yum install -y python3-pip',
  'python3 -m pip install boto3 ec2-metadata',
  'python3 server.py 80',
  '',
].join('\n');
const TABLE = 'doc-example-resilient-architecture-table';
const BOGUS = 'this-is-not-a-table';
const STATIC_TITLE = '404 Not Found: A Coloring Book';

describe('the workload environment', () => {
  it('turns both caches off for user data that is not resilient’s', () => {
    expect(workloadServerEnv(SEED_USER_DATA)).toEqual({
      [SERVER_ENV.parameterTtlMs]: '0',
      [SERVER_ENV.itemTtlMs]: '0',
    });
    expect(workloadServerEnv('')).toMatchObject({ [SERVER_ENV.parameterTtlMs]: '0' });
  });

  it('keeps resilient’s own user data as written, caches included', () => {
    const ours = renderUserData({
      region: 'us-west-2',
      parameterNames: DEFAULT_PARAMETER_NAMES,
      parameterTtlMs: 1500,
    });
    const env = workloadServerEnv(ours);
    expect(env[SERVER_ENV.parameterTtlMs]).toBe('1500');
    expect(env[SERVER_ENV.itemTtlMs]).toBeUndefined();
  });
});

describe('an instance with foreign user data', { timeout: 120_000 }, () => {
  let local: TestLocalCloud;
  let ssm: SSMClient;
  let lbPort = 0;
  const put = (name: string, value: string) =>
    ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true }));
  const get = async (): Promise<'real' | 'static' | number> => {
    const res = await request(lbPort, '/');
    if (res.status !== 200) return res.status;
    const body = JSON.parse(res.body) as { Title?: { S?: string } };
    return body.Title?.S === STATIC_TITLE ? 'static' : 'real';
  };

  beforeAll(async () => {
    local = await startTestLocalCloud({ timeScale: 0.05, inMemoryDynamoDb: true });
    ssm = localClient(SSMClient, local);
    const ddb = localClient(DynamoDBClient, local);
    const iam = localClient(IAMClient, local);
    const ec2 = localClient(EC2Client, local);
    const elb = localClient(ElasticLoadBalancingV2Client, local);
    const asg = localClient(AutoScalingClient, local);

    await createRecommendationsTable(ddb, TABLE);
    await waitFor(
      'the table',
      () =>
        writeRecommendations(ddb, TABLE).then(
          () => true,
          () => undefined,
        ),
      20_000,
    );
    await put(DEFAULT_PARAMETER_NAMES.table, TABLE);
    await put(DEFAULT_PARAMETER_NAMES.failureResponse, 'none');
    await put(DEFAULT_PARAMETER_NAMES.healthCheck, 'shallow');

    const policy = instancePolicy({
      partition: 'aws',
      region: local.region,
      accountId: local.accountId,
      parameterNames: DEFAULT_PARAMETER_NAMES,
      tableName: TABLE,
    });
    const created = await iam.send(
      new CreatePolicyCommand({ PolicyName: 'seed-policy', PolicyDocument: JSON.stringify(policy) }),
    );
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'seed-role',
        AssumeRolePolicyDocument: JSON.stringify(ec2TrustPolicy()),
      }),
    );
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'seed-role', PolicyArn: created.Policy?.Arn }));
    await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'seed-profile' }));
    await iam.send(
      new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'seed-profile', RoleName: 'seed-role' }),
    );

    await ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: 'seed-template',
        LaunchTemplateData: {
          ImageId: 'ami-0123456789abcdef0',
          InstanceType: 't3.micro',
          UserData: Buffer.from(SEED_USER_DATA).toString('base64'),
          IamInstanceProfile: { Name: 'seed-profile' },
        },
      }),
    );
    const subnets = await ec2.send(new DescribeSubnetsCommand({}));
    const tg = await elb.send(
      new CreateTargetGroupCommand({
        Name: 'seed-tg',
        Protocol: 'HTTP',
        Port: 80,
        VpcId: subnets.Subnets?.[0]?.VpcId,
        HealthCheckPath: '/healthcheck',
        HealthCheckIntervalSeconds: 10,
        HealthyThresholdCount: 2,
      }),
    );
    const tgArn = tg.TargetGroups?.[0]?.TargetGroupArn ?? '';
    const lb = await elb.send(
      new CreateLoadBalancerCommand({
        Name: 'seed-lb',
        Subnets: subnets.Subnets?.map((s) => s.SubnetId ?? ''),
      }),
    );
    lbPort = Number((lb.LoadBalancers?.[0]?.DNSName ?? '').split(':')[1]);
    await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancers?.[0]?.LoadBalancerArn,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }],
      }),
    );
    await asg.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'seed-group',
        MinSize: 1,
        MaxSize: 1,
        AvailabilityZones: [`${local.region}a`],
        LaunchTemplate: { LaunchTemplateName: 'seed-template' },
      }),
    );
    await asg.send(
      new AttachLoadBalancerTargetGroupsCommand({
        AutoScalingGroupName: 'seed-group',
        TargetGroupARNs: [tgArn],
      }),
    );
    await waitFor(
      'a healthy target serving real items',
      async () => {
        const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
        if (health.TargetHealthDescriptions?.[0]?.TargetHealth?.State !== 'healthy') return undefined;
        return (await get()) === 'real' ? true : undefined;
      },
      60_000,
    );
  }, 120_000);

  afterAll(async () => {
    await local?.close();
  });

  it('shows each PutParameter on the very next GET', async () => {
    // Several rounds, each GET right after its PutParameter returned: a cache of any TTL would serve at
    // least the first GET of a round from before the change.
    for (let round = 0; round < 3; round++) {
      await put(DEFAULT_PARAMETER_NAMES.table, BOGUS);
      expect(await get()).toBe(502);
      await put(DEFAULT_PARAMETER_NAMES.failureResponse, 'static');
      expect(await get()).toBe('static');
      await put(DEFAULT_PARAMETER_NAMES.table, TABLE);
      expect(await get()).toBe('real');
      await put(DEFAULT_PARAMETER_NAMES.failureResponse, 'none');
      expect(await get()).toBe('real');
    }
  });
});
