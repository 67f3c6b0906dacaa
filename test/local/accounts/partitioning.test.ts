/**
 * Two accounts and several Regions on one local cloud, driven with the real SDK v3 clients: every service
 * keeps each (account, Region)'s resources apart, ARNs carry the account and Region, IAM and STS are global
 * per account, an unknown Region gets a regional endpoint's signature error, role sessions belong to the
 * role's account, and a restart keeps the partitioning.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateLaunchTemplateCommand,
  DeleteLaunchTemplateCommand,
  DescribeAvailabilityZonesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  CreateLoadBalancerCommand,
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateRoleCommand, GetRoleCommand, IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import {
  DeleteParameterCommand,
  GetParameterCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynalite } from '../../../src/local/services/dynamodb/dynalite.ts';
import { createDataPlaneView } from '../../../src/local/services/view.ts';
import {
  type LocalTarget,
  localClient,
  startTestLocalCloud,
  type TestLocalCloud,
} from '../../_support/local-cloud.ts';
import { until } from '../../_support/poll.ts';

let local: TestLocalCloud;
/** A target for one account (`a` or `b`) in one Region. */
let at: (account: 'a' | 'b', region: string) => LocalTarget;

beforeAll(async () => {
  local = await startTestLocalCloud({ inMemoryDynamoDb: true });
  at = (account, region) => ({
    endpoint: local.endpoint,
    region,
    credentials: account === 'a' ? local.credentials : local.second.credentials,
  });
});
afterAll(async () => {
  await local?.close();
});

const trustAccount = (accountId: string): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: 'sts:AssumeRole' },
    ],
  });

describe('two accounts', () => {
  it('answer GetCallerIdentity with their own 12-digit account ids', async () => {
    const [a, b] = await Promise.all([
      localClient(STSClient, at('a', 'us-west-2')).send(new GetCallerIdentityCommand({})),
      localClient(STSClient, at('b', 'eu-west-1')).send(new GetCallerIdentityCommand({})),
    ]);
    expect(a.Account).toBe(local.accountId);
    expect(b.Account).toBe(local.second.accountId);
    expect(b.Account).toMatch(/^\d{12}$/);
    expect(a.Account).not.toBe(b.Account);
    expect(b.Arn).toBe(`arn:aws:iam::${local.second.accountId}:user/resilient-local-admin`);
  });

  it('keep IAM apart: the same role name in each, with its own ARN, global across Regions', async () => {
    const create = (account: 'a' | 'b') =>
      localClient(IAMClient, at(account, 'us-west-2')).send(
        new CreateRoleCommand({
          RoleName: 'same-name',
          AssumeRolePolicyDocument: trustAccount(local.accountId),
        }),
      );
    const [a, b] = await Promise.all([create('a'), create('b')]);
    expect(a.Role?.Arn).toBe(`arn:aws:iam::${local.accountId}:role/same-name`);
    expect(b.Role?.Arn).toBe(`arn:aws:iam::${local.second.accountId}:role/same-name`);
    // IAM is global: a client of another Region sees the same role.
    const fromEu = await localClient(IAMClient, at('b', 'eu-west-1')).send(
      new GetRoleCommand({ RoleName: 'same-name' }),
    );
    expect(fromEu.Role?.Arn).toBe(b.Role?.Arn);
    const rolesOfA = await localClient(IAMClient, at('a', 'us-east-1')).send(new ListRolesCommand({}));
    expect(rolesOfA.Roles?.map((r) => r.Arn)).toEqual([a.Role?.Arn]);
  });

  it('issue role sessions that belong to the role’s account, across accounts when its trust says so', async () => {
    const roleArn = `arn:aws:iam::${local.second.accountId}:role/same-name`;
    // B's role trusts account A: A's admin assumes it and acts as account B.
    const assumed = await localClient(STSClient, at('a', 'us-west-2')).send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'cross' }),
    );
    expect(assumed.AssumedRoleUser?.Arn).toBe(
      `arn:aws:sts::${local.second.accountId}:assumed-role/same-name/cross`,
    );
    const c = assumed.Credentials;
    const session = {
      accessKeyId: c?.AccessKeyId ?? '',
      secretAccessKey: c?.SecretAccessKey ?? '',
      sessionToken: c?.SessionToken ?? '',
    };
    const who = await localClient(STSClient, at('a', 'us-west-2'), { credentials: session }).send(
      new GetCallerIdentityCommand({}),
    );
    expect(who.Account).toBe(local.second.accountId);
    // A role of A does not trust B: B's admin is refused.
    await expect(
      localClient(STSClient, at('b', 'us-west-2')).send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${local.accountId}:role/nope`,
          RoleSessionName: 'refused',
        }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});

describe('several Regions', () => {
  it('each have their own zones and default VPC', async () => {
    const zones = async (region: string) =>
      (
        await localClient(EC2Client, at('a', region)).send(new DescribeAvailabilityZonesCommand({}))
      ).AvailabilityZones?.map((z) => `${z.ZoneName} ${z.RegionName}`);
    expect(await zones('us-east-1')).toEqual(
      ['a', 'b', 'c', 'd', 'e', 'f'].map((z) => `us-east-1${z} us-east-1`),
    );
    expect(await zones('eu-west-1')).toEqual(['a', 'b', 'c'].map((z) => `eu-west-1${z} eu-west-1`));
    const vpc = async (account: 'a' | 'b', region: string) =>
      (await localClient(EC2Client, at(account, region)).send(new DescribeVpcsCommand({}))).Vpcs?.map(
        (v) => v.VpcId,
      );
    const vpcs = await Promise.all([vpc('a', 'us-west-2'), vpc('a', 'eu-west-1'), vpc('b', 'us-west-2')]);
    expect(vpcs.every((v) => v?.length === 1)).toBe(true);
    expect(new Set(vpcs.map((v) => v?.[0])).size).toBe(3);
  });

  it('keep parameters apart per account and Region; deleting one leaves the others', async () => {
    const scopes = [
      ['a', 'us-west-2'],
      ['a', 'us-east-1'],
      ['b', 'us-west-2'],
    ] as const;
    for (const [account, region] of scopes) {
      await localClient(SSMClient, at(account, region)).send(
        new PutParameterCommand({ Name: '/shared/name', Value: `${account}@${region}`, Type: 'String' }),
      );
    }
    const read = async (account: 'a' | 'b', region: string) =>
      (
        await localClient(SSMClient, at(account, region)).send(
          new GetParameterCommand({ Name: '/shared/name' }),
        )
      ).Parameter;
    for (const [account, region] of scopes) {
      const p = await read(account, region);
      expect(p?.Value).toBe(`${account}@${region}`);
      expect(p?.ARN).toBe(
        `arn:aws:ssm:${region}:${account === 'a' ? local.accountId : local.second.accountId}:parameter/shared/name`,
      );
    }
    await expect(read('b', 'eu-west-1')).rejects.toMatchObject({ name: 'ParameterNotFound' });
    await localClient(SSMClient, at('a', 'us-east-1')).send(
      new DeleteParameterCommand({ Name: '/shared/name' }),
    );
    await expect(read('a', 'us-east-1')).rejects.toMatchObject({ name: 'ParameterNotFound' });
    expect((await read('a', 'us-west-2'))?.Value).toBe('a@us-west-2');
    expect((await read('b', 'us-west-2'))?.Value).toBe('b@us-west-2');
  });

  it('keep launch templates, groups and load balancers apart; one account never deletes the other’s', async () => {
    const targets = [at('a', 'us-west-2'), at('a', 'eu-west-1'), at('b', 'us-west-2')];
    for (const t of targets) {
      await localClient(EC2Client, t).send(
        new CreateLaunchTemplateCommand({
          LaunchTemplateName: 'dup',
          LaunchTemplateData: { InstanceType: 't3.micro' },
        }),
      );
      await localClient(AutoScalingClient, t).send(
        new CreateAutoScalingGroupCommand({
          AutoScalingGroupName: 'dup',
          MinSize: 0,
          MaxSize: 0,
          AvailabilityZones: [`${t.region}a`],
          LaunchTemplate: { LaunchTemplateName: 'dup' },
        }),
      );
    }
    const lbArns = [];
    for (const t of targets) {
      const subnets = await localClient(EC2Client, t).send(new DescribeSubnetsCommand({}));
      const out = await localClient(ElasticLoadBalancingV2Client, t).send(
        new CreateLoadBalancerCommand({
          Name: 'dup',
          Type: 'application',
          Subnets: (subnets.Subnets ?? []).map((s) => s.SubnetId ?? ''),
        }),
      );
      lbArns.push(out.LoadBalancers?.[0]?.LoadBalancerArn);
    }
    expect(lbArns).toEqual([
      expect.stringMatching(
        new RegExp(`^arn:aws:elasticloadbalancing:us-west-2:${local.accountId}:loadbalancer/app/dup/`),
      ),
      expect.stringMatching(
        new RegExp(`^arn:aws:elasticloadbalancing:eu-west-1:${local.accountId}:loadbalancer/app/dup/`),
      ),
      expect.stringMatching(
        new RegExp(`^arn:aws:elasticloadbalancing:us-west-2:${local.second.accountId}:loadbalancer/app/dup/`),
      ),
    ]);
    for (const [i, t] of targets.entries()) {
      const seen = await localClient(ElasticLoadBalancingV2Client, t).send(
        new DescribeLoadBalancersCommand({}),
      );
      expect(seen.LoadBalancers?.map((l) => l.LoadBalancerArn)).toEqual([lbArns[i]]);
      const groups = await localClient(AutoScalingClient, t).send(new DescribeAutoScalingGroupsCommand({}));
      expect(groups.AutoScalingGroups?.map((g) => g.AutoScalingGroupARN)).toEqual([
        expect.stringContaining(
          `:autoscaling:${t.region}:${i === 2 ? local.second.accountId : local.accountId}:`,
        ),
      ]);
    }
    // B deletes its template by name; A's two stay.
    await localClient(EC2Client, at('b', 'us-west-2')).send(
      new DeleteLaunchTemplateCommand({ LaunchTemplateName: 'dup' }),
    );
    const names = async (t: LocalTarget) =>
      (await localClient(EC2Client, t).send(new DescribeLaunchTemplatesCommand({}))).LaunchTemplates?.map(
        (l) => l.LaunchTemplateName,
      );
    expect(await names(at('b', 'us-west-2'))).toEqual([]);
    expect(await names(at('a', 'us-west-2'))).toEqual(['dup']);
    expect(await names(at('a', 'eu-west-1'))).toEqual(['dup']);
  });

  it('keep DynamoDB tables apart: one store per account and Region, ARNs naming both', async () => {
    const ddb = (account: 'a' | 'b', region: string) => localClient(DynamoDBClient, at(account, region));
    const scopes = [
      ['a', 'us-west-2'],
      ['a', 'eu-west-1'],
      ['b', 'us-west-2'],
    ] as const;
    for (const [account, region] of scopes) {
      await ddb(account, region).send(
        new CreateTableCommand({
          TableName: 'dup',
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        }),
      );
    }
    const described = await ddb('b', 'us-west-2').send(new DescribeTableCommand({ TableName: 'dup' }));
    expect(described.Table?.TableArn).toBe(`arn:aws:dynamodb:us-west-2:${local.second.accountId}:table/dup`);
    const eu = await ddb('a', 'eu-west-1').send(new DescribeTableCommand({ TableName: 'dup' }));
    expect(eu.Table?.TableArn).toBe(`arn:aws:dynamodb:eu-west-1:${local.accountId}:table/dup`);
    await waitActive(() => ddb('a', 'us-west-2'));
    await ddb('a', 'us-west-2').send(new PutItemCommand({ TableName: 'dup', Item: { id: { S: 'only-a' } } }));
    const inB = await waitActive(() => ddb('b', 'us-west-2')).then(() =>
      ddb('b', 'us-west-2').send(new GetItemCommand({ TableName: 'dup', Key: { id: { S: 'only-a' } } })),
    );
    expect(inB.Item).toBeUndefined();
    expect((await ddb('b', 'us-east-1').send(new ListTablesCommand({}))).TableNames).toEqual([]);
  });

  it('refuse a Region the cloud does not serve with each protocol’s signature error', async () => {
    const unknown = at('a', 'ap-south-1');
    const errors = await Promise.all([
      localClient(EC2Client, unknown)
        .send(new DescribeVpcsCommand({}))
        .catch((e: unknown) => e),
      localClient(SSMClient, unknown)
        .send(new GetParameterCommand({ Name: 'x' }))
        .catch((e: unknown) => e),
      localClient(ElasticLoadBalancingV2Client, unknown)
        .send(new DescribeLoadBalancersCommand({}))
        .catch((e: unknown) => e),
      localClient(DynamoDBClient, unknown)
        .send(new ListTablesCommand({}))
        .catch((e: unknown) => e),
    ]);
    expect(
      errors.map((e) => [
        (e as Error).name,
        (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode,
      ]),
    ).toEqual([
      ['AuthFailure', 401],
      ['InvalidSignatureException', 400],
      ['SignatureDoesNotMatch', 403],
      ['InvalidSignatureException', 400],
    ]);
    expect((errors[0] as Error).message).toContain(
      "Credential should be scoped to a valid region, not 'ap-south-1'.",
    );
    // IAM and STS are global: any Region reaches them.
    const who = await localClient(STSClient, unknown).send(new GetCallerIdentityCommand({}));
    expect(who.Account).toBe(local.accountId);
  });

  it('run each instance in its own Region: the data plane sees every account and Region', async () => {
    const t = at('b', 'eu-west-1');
    await localClient(EC2Client, t).send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: 'eu-template',
        LaunchTemplateData: { InstanceType: 't3.micro' },
      }),
    );
    await localClient(AutoScalingClient, t).send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'eu',
        MinSize: 1,
        MaxSize: 1,
        AvailabilityZones: ['eu-west-1b'],
        LaunchTemplate: { LaunchTemplateName: 'eu-template' },
      }),
    );
    const view = createDataPlaneView(local.cloud);
    const deadline = Date.now() + 10_000;
    while (!view.instances().some((i) => i.region === 'eu-west-1') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 25));
    const eu = view.instances().filter((i) => i.region === 'eu-west-1');
    expect(eu.map((i) => [i.accountId, i.availabilityZone])).toEqual([
      [local.second.accountId, 'eu-west-1b'],
    ]);
  });
});

async function waitActive(client: () => DynamoDBClient): Promise<void> {
  await until(
    'table dup to be ACTIVE',
    async () => {
      const t = await client().send(new DescribeTableCommand({ TableName: 'dup' }));
      return t.Table?.TableStatus === 'ACTIVE' ? true : undefined;
    },
    { deadlineMs: 10_000, intervalMs: 25 },
  );
}

describe('a restart', () => {
  it('keeps the partitioning: each account and Region finds its own resources again', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'resilient-partition-'));
    try {
      const first = await startTestLocalCloud({ dataDir, keepDataDir: true });
      const target = (c: TestLocalCloud, account: 'a' | 'b', region: string): LocalTarget => ({
        endpoint: c.endpoint,
        region,
        credentials: account === 'a' ? c.credentials : c.second.credentials,
      });
      for (const [account, region] of [
        ['a', 'us-west-2'],
        ['b', 'eu-west-1'],
      ] as const) {
        await localClient(SSMClient, target(first, account, region)).send(
          new PutParameterCommand({ Name: 'kept', Value: `${account}@${region}`, Type: 'String' }),
        );
      }
      await first.close();
      const again = await startTestLocalCloud({
        dataDir,
        admin: first.credentials,
        secondAccount: { admin: first.second.credentials },
      });
      try {
        const value = async (account: 'a' | 'b', region: string) =>
          (
            await localClient(SSMClient, target(again, account, region)).send(
              new GetParameterCommand({ Name: 'kept' }),
            )
          ).Parameter?.Value;
        expect(await value('a', 'us-west-2')).toBe('a@us-west-2');
        expect(await value('b', 'eu-west-1')).toBe('b@eu-west-1');
        await expect(value('a', 'eu-west-1')).rejects.toMatchObject({ name: 'ParameterNotFound' });
        await expect(value('b', 'us-west-2')).rejects.toMatchObject({ name: 'ParameterNotFound' });
      } finally {
        await again.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('adopts the single DynamoDB store of a one-Region daemon as the first account’s default Region', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'resilient-partition-ddb-'));
    try {
      // The old layout: one LevelDB store right at <dataDir>/dynamodb.
      const old = createDynalite(
        { path: join(dataDir, 'dynamodb'), createTableMs: 0 },
        '123456789012',
        'us-west-2',
      );
      await new Promise<void>((resolve) => old.listen(0, '127.0.0.1', () => resolve()));
      const address = old.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      const direct = new DynamoDBClient({
        endpoint: `http://127.0.0.1:${port}`,
        region: 'us-west-2',
        credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      });
      await direct.send(
        new CreateTableCommand({
          TableName: 'kept-table',
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        }),
      );
      direct.destroy();
      await new Promise<void>((resolve) => old.close(() => resolve()));

      const restored = await startTestLocalCloud({ dataDir });
      try {
        const tables = (t: LocalTarget) =>
          localClient(DynamoDBClient, t)
            .send(new ListTablesCommand({}))
            .then((o) => o.TableNames);
        const home = { endpoint: restored.endpoint, region: 'us-west-2', credentials: restored.credentials };
        expect(await tables(home)).toEqual(['kept-table']);
        expect(await tables({ ...home, region: 'eu-west-1' })).toEqual([]);
        expect(await tables({ ...home, credentials: restored.second.credentials })).toEqual([]);
      } finally {
        await restored.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('reads a one-Region snapshot of an older version into the first account’s default Region', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'resilient-partition-v1-'));
    try {
      // A version 1 state: slices at top level, one account and Region (the shape `ssm/model.ts` keeps).
      const ssm = {
        settings: { invocationVisibleMs: 500, startMs: 1_000, completeMs: 3_000 },
        commands: [],
        parameters: {
          '/old': {
            name: '/old',
            type: 'String',
            value: 'from-v1',
            version: 1,
            lastModified: Date.UTC(2026, 0, 1),
            dataType: 'text',
            tier: 'Standard',
            lastModifiedUser: `arn:aws:iam::${'123456789012'}:user/resilient-local-admin`,
            tags: [],
          },
        },
      };
      await writeFile(
        join(dataDir, 'state.json'),
        JSON.stringify({ version: 1, savedAt: '', state: { ssm } }),
      );
      const restored = await startTestLocalCloud({ dataDir });
      try {
        const read = (t: LocalTarget) =>
          localClient(SSMClient, t)
            .send(new GetParameterCommand({ Name: '/old' }))
            .then((o) => o.Parameter?.Value);
        const home = { endpoint: restored.endpoint, region: 'us-west-2', credentials: restored.credentials };
        expect(await read(home)).toBe('from-v1');
        await expect(read({ ...home, credentials: restored.second.credentials })).rejects.toMatchObject({
          name: 'ParameterNotFound',
        });
      } finally {
        await restored.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
