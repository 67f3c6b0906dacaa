/**
 * The seed's whole stack built with the SDK against a local cloud, as the workflow does it (spec
 * "Deploy", the bad-credentials steps of "Demo", and "Destroy"), then torn down in the seed's order
 * with a check that nothing remains.
 */
import {
  AttachLoadBalancerTargetGroupsCommand,
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DeleteAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  ListTablesCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateLaunchTemplateCommand,
  DeleteLaunchTemplateCommand,
  DescribeAvailabilityZonesCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
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
  DeleteLoadBalancerCommand,
  DeleteTargetGroupCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  CreateInstanceProfileCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  DeleteInstanceProfileCommand,
  DeletePolicyCommand,
  DeleteRoleCommand,
  DetachRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListInstanceProfilesCommand,
  ListRolesCommand,
  RemoveRoleFromInstanceProfileCommand,
} from '@aws-sdk/client-iam';
import {
  DeleteParametersCommand,
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  GetParameterCommand,
  GetParametersCommand,
  PutParameterCommand,
  SendCommandCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataPlaneView } from '../../../src/local/services/view.ts';
import { startCloud, waitFor } from '../../_support/fake-local-cloud.ts';
import type { TestLocalCloud } from '../../_support/local-cloud.ts';
import { localClient } from '../../_support/local-cloud.ts';

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const policy = (actions: string[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });
const PARAMS = ['/resilient/s/table', '/resilient/s/failure-response', '/resilient/s/health-check'];

let local: TestLocalCloud;
let ec2: EC2Client;
let asg: AutoScalingClient;
let elb: ElasticLoadBalancingV2Client;
let iam: IAMClient;
let ssm: SSMClient;
let ddb: DynamoDBClient;

beforeAll(async () => {
  local = await startCloud(0.01);
  ec2 = localClient(EC2Client, local);
  asg = localClient(AutoScalingClient, local);
  elb = localClient(ElasticLoadBalancingV2Client, local);
  iam = localClient(IAMClient, local);
  ssm = localClient(SSMClient, local);
  ddb = localClient(DynamoDBClient, local);
});
afterAll(async () => {
  for (const c of [ec2, asg, elb, iam, ssm, ddb]) c?.destroy();
  await local?.close();
});

async function role(name: string, policyArns: string[]): Promise<void> {
  await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: TRUST }));
  for (const arn of policyArns)
    await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: arn }));
  await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: name }));
  await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: name, RoleName: name }));
}

async function dropRole(name: string): Promise<void> {
  await iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: name, RoleName: name }));
  await iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: name }));
  const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name }));
  for (const p of attached.AttachedPolicies ?? []) {
    await iam.send(new DetachRolePolicyCommand({ RoleName: name, PolicyArn: p.PolicyArn }));
    if (!p.PolicyArn?.startsWith('arn:aws:iam::aws:'))
      await iam.send(new DeletePolicyCommand({ PolicyArn: p.PolicyArn }));
  }
  await iam.send(new DeleteRoleCommand({ RoleName: name }));
}

describe('the seed stack on the local cloud', () => {
  it('deploys, swaps one instance to bad credentials, and tears down leaving nothing', async () => {
    // Deploy: table, parameters, roles and profiles.
    await ddb.send(
      new CreateTableCommand({
        TableName: 'resilient-s-recommendations',
        AttributeDefinitions: [
          { AttributeName: 'MediaType', AttributeType: 'S' },
          { AttributeName: 'ItemId', AttributeType: 'N' },
        ],
        KeySchema: [
          { AttributeName: 'MediaType', KeyType: 'HASH' },
          { AttributeName: 'ItemId', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    for (const [name, value] of [
      [PARAMS[0], 'resilient-s-recommendations'],
      [PARAMS[1], 'none'],
      [PARAMS[2], 'shallow'],
    ] as const) {
      await ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true }));
    }
    const instancePolicy = await iam.send(
      new CreatePolicyCommand({
        PolicyName: 'resilient-s-instance',
        PolicyDocument: policy(['dynamodb:GetItem', 'ssm:GetParameters']),
      }),
    );
    const bcPolicy = await iam.send(
      new CreatePolicyCommand({
        PolicyName: 'resilient-s-bc',
        PolicyDocument: policy(['ssm:GetParameters']),
      }),
    );
    await role('resilient-s-instance', [instancePolicy.Policy?.Arn ?? '']);
    await role('resilient-s-bc', [
      bcPolicy.Policy?.Arn ?? '',
      'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
    ]);

    // Launch template from the public AMI parameter, IMDSv2 required.
    const ami = await ssm.send(
      new GetParameterCommand({
        Name: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
      }),
    );
    await ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: 'resilient-s-template',
        LaunchTemplateData: {
          ImageId: ami.Parameter?.Value,
          InstanceType: 't3.micro',
          IamInstanceProfile: { Name: 'resilient-s-instance' },
          UserData: Buffer.from('#!/bin/bash\n# server.env\nRESILIENT_PORT=80\n').toString('base64'),
          MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' },
        },
      }),
    );

    // Group of 3 across every zone, then target group, load balancer, listener, attach.
    const zones = ((await ec2.send(new DescribeAvailabilityZonesCommand({}))).AvailabilityZones ?? []).map(
      (z) => z.ZoneName ?? '',
    );
    await asg.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'resilient-s-group',
        AvailabilityZones: zones,
        LaunchTemplate: { LaunchTemplateName: 'resilient-s-template', Version: '$Default' },
        MinSize: 3,
        MaxSize: 3,
        Tags: [{ Key: 'resilient:deployment', Value: 's', PropagateAtLaunch: true }],
      }),
    );
    const vpcId = (
      await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }))
    ).Vpcs?.[0]?.VpcId;
    const subnets = await ec2.send(
      new DescribeSubnetsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [vpcId ?? ''] },
          { Name: 'availability-zone', Values: zones },
          { Name: 'default-for-az', Values: ['true'] },
        ],
      }),
    );
    expect(subnets.Subnets).toHaveLength(zones.length);
    const tg = (
      await elb.send(
        new CreateTargetGroupCommand({
          Name: 'resilient-s-tg',
          Protocol: 'HTTP',
          Port: 80,
          HealthCheckPath: '/healthcheck',
          HealthCheckIntervalSeconds: 10,
          HealthCheckTimeoutSeconds: 5,
          HealthyThresholdCount: 2,
          UnhealthyThresholdCount: 2,
          VpcId: vpcId,
        }),
      )
    ).TargetGroups?.[0];
    const lb = (
      await elb.send(
        new CreateLoadBalancerCommand({
          Name: 'resilient-s-lb',
          Subnets: (subnets.Subnets ?? []).map((s) => s.SubnetId ?? ''),
        }),
      )
    ).LoadBalancers?.[0];
    await waitFor('load balancer active', async () => {
      const seen = await elb.send(new DescribeLoadBalancersCommand({ Names: ['resilient-s-lb'] }));
      return seen.LoadBalancers?.[0]?.State?.Code === 'active' ? true : undefined;
    });
    await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb?.LoadBalancerArn,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: tg?.TargetGroupArn }],
      }),
    );
    await asg.send(
      new AttachLoadBalancerTargetGroupsCommand({
        AutoScalingGroupName: 'resilient-s-group',
        TargetGroupARNs: [tg?.TargetGroupArn ?? ''],
      }),
    );
    const group = await waitFor('3 InService', async () => {
      const g = (
        await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['resilient-s-group'] }))
      ).AutoScalingGroups?.[0];
      return g?.Instances?.filter((i) => i.LifecycleState === 'InService').length === 3 ? g : undefined;
    });
    expect(new Set(group.Instances?.map((i) => i.AvailabilityZone)).size).toBe(3);
    const health = await waitFor('all targets healthy', async () => {
      const h = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg?.TargetGroupArn }));
      const all = h.TargetHealthDescriptions ?? [];
      return all.length === 3 && all.every((d) => d.TargetHealth?.State === 'healthy') ? all : undefined;
    });
    expect(health.map((d) => d.HealthCheckPort)).toEqual(['80', '80', '80']);
    const view = createDataPlaneView(local.cloud);
    expect(view.instances().map((i) => i.userData)).toContain(
      '#!/bin/bash\n# server.env\nRESILIENT_PORT=80\n',
    );

    // Bad credentials for one instance: replace the association, reboot, wait for SSM, restart the server.
    const victim = group.Instances?.[0]?.InstanceId ?? '';
    const before = view.instances().find((i) => i.instanceId === victim);
    expect(before?.roleName).toBe('resilient-s-instance');
    const association = (
      await ec2.send(
        new DescribeIamInstanceProfileAssociationsCommand({
          Filters: [{ Name: 'instance-id', Values: [victim] }],
        }),
      )
    ).IamInstanceProfileAssociations?.[0];
    const replaced = await ec2.send(
      new ReplaceIamInstanceProfileAssociationCommand({
        AssociationId: association?.AssociationId,
        IamInstanceProfile: { Name: 'resilient-s-bc' },
      }),
    );
    expect(replaced.IamInstanceProfileAssociation?.AssociationId).not.toBe(association?.AssociationId);
    expect(view.instances().find((i) => i.instanceId === victim)?.roleName).toBe('resilient-s-bc');
    // IMDS serves credentials of the role now associated (a session of that role, via STS).
    const credentials = view.issueRoleCredentials('resilient-s-bc', victim);
    expect(credentials.accessKeyId).toMatch(/^ASIA/);
    expect(credentials.expiration).toBeGreaterThan(Date.now());
    await ec2.send(new RebootInstancesCommand({ InstanceIds: [victim] }));
    expect(view.instances().find((i) => i.instanceId === victim)?.bootId).toBe((before?.bootId ?? 0) + 1);
    await waitFor('instance managed by SSM', async () => {
      const info = await ssm.send(
        new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [victim] }] }),
      );
      return info.InstanceInformationList?.[0]?.PingStatus === 'Online' ? true : undefined;
    });
    const sent = await ssm.send(
      new SendCommandCommand({
        InstanceIds: [victim],
        DocumentName: 'AWS-RunShellScript',
        Parameters: { commands: ['sudo systemctl restart resilient'] },
      }),
    );
    const statuses = new Set<string>();
    await waitFor('command succeeded', async () => {
      const inv = await ssm.send(
        new GetCommandInvocationCommand({ CommandId: sent.Command?.CommandId, InstanceId: victim }),
      );
      statuses.add(inv.Status ?? '');
      return inv.Status === 'Success' ? true : undefined;
    });
    expect(statuses.has('Success')).toBe(true);
    expect(view.instances().find((i) => i.instanceId === victim)?.workloadGeneration).toBe(
      (before?.workloadGeneration ?? 0) + 1,
    );

    // Destroy in the seed's order: load balancer, target group (retry while in use), group, template, IAM, table.
    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lb?.LoadBalancerArn }));
    await waitFor('target group deleted', async () => {
      await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tg?.TargetGroupArn }));
      return true;
    });
    await asg.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'resilient-s-group', MinSize: 0 }),
    );
    for (const i of group.Instances ?? []) {
      await asg.send(
        new TerminateInstanceInAutoScalingGroupCommand({
          InstanceId: i.InstanceId,
          ShouldDecrementDesiredCapacity: true,
        }),
      );
    }
    await waitFor('group deleted', async () => {
      await asg.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'resilient-s-group' }));
      return true;
    });
    await ec2.send(new DeleteLaunchTemplateCommand({ LaunchTemplateName: 'resilient-s-template' }));
    await dropRole('resilient-s-instance');
    await dropRole('resilient-s-bc');
    await ssm.send(new DeleteParametersCommand({ Names: PARAMS }));
    await ddb.send(new DeleteTableCommand({ TableName: 'resilient-s-recommendations' }));

    // Nothing remains.
    expect((await asg.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups).toEqual([]);
    expect((await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers).toEqual([]);
    expect((await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups).toEqual([]);
    expect((await ec2.send(new DescribeLaunchTemplatesCommand({}))).LaunchTemplates).toEqual([]);
    const left =
      (await ec2.send(new DescribeInstancesCommand({}))).Reservations?.flatMap((r) => r.Instances ?? []) ??
      [];
    expect(left.every((i) => i.State?.Name === 'terminated' || i.State?.Name === 'shutting-down')).toBe(true);
    expect(
      (await iam.send(new ListRolesCommand({}))).Roles?.filter((r) => r.RoleName?.startsWith('resilient-s')),
    ).toEqual([]);
    expect((await iam.send(new ListInstanceProfilesCommand({}))).InstanceProfiles).toEqual([]);
    expect((await ssm.send(new GetParametersCommand({ Names: PARAMS }))).InvalidParameters).toEqual(PARAMS);
    await waitFor('table gone', async () => {
      const tables = await ddb.send(new ListTablesCommand({}));
      return tables.TableNames?.includes('resilient-s-recommendations') ? undefined : true;
    });
  });
});
