/**
 * Issue 3, "Done when": the AWS CLI v2 alone (botocore, an implementation independent of the SDK the local
 * cloud's codec is built from) runs every API call of the workflow against the real daemon process (seed
 * spec "Deploy", "Demo" and "Destroy", with its default names), and gets AWS's error codes on the wrong
 * paths, as the CLI prints them: `An error occurred (Code) when calling the Operation operation: …`.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_ENV } from '../../../src/server/env.ts';
import { parseServerEnv } from '../../../src/userdata/index.ts';
import { type Aws, awsCli, failure, keyEnv, ok } from '../../_support/aws-cli.ts';
import { type DaemonProcess, startDaemon } from '../../_support/local-cloud.ts';
import { until } from '../../_support/poll.ts';
import {
  deployWithCli,
  GROUP_SIZE,
  PARAMETER_NAMES,
  remainingWithCli,
  SEED,
  type Stack,
  type StackFiles,
  targetHealth,
  teardownWithCli,
  writeStackFiles,
} from '../../_support/seed-stack.ts';
import { fetchItem } from './_helpers/lb-client.ts';

const TIME_SCALE = 0.05;
const HEALTHY_DEADLINE_MS = 30_000;

// Timeouts are hang detectors: every CLI call is a Python process, and two cores are shared with other suites.
describe('the workflow API through the AWS CLI v2, against the daemon process', { timeout: 180_000 }, () => {
  let daemon: DaemonProcess;
  let aws: Aws;
  let dir: string;
  let files: StackFiles;
  let stack: Stack;

  beforeAll(async () => {
    daemon = await startDaemon(TIME_SCALE);
    aws = awsCli(daemon);
    dir = await mkdtemp(join(tmpdir(), 'resilient-cli-inputs-'));
    files = await writeStackFiles(dir, { accountId: daemon.record.accountId, region: daemon.record.region });
  }, 60_000);
  afterAll(async () => {
    await daemon?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('deploys the seed stack: table, parameters, profiles, AMI, launch template, group, target group, load balancer', async () => {
    stack = await deployWithCli(aws, files);
    expect(stack.accountId).toBe(daemon.record.accountId);
    expect(stack.imageId).toMatch(/^ami-[0-9a-f]{8,17}$/);
    expect(stack.zones.length).toBeGreaterThanOrEqual(GROUP_SIZE);
    // One default subnet per zone, found by the seed's three filters.
    expect(stack.subnetIds).toHaveLength(stack.zones.length);
    expect(stack.policyArn).toBe(`arn:aws:iam::${stack.accountId}:policy/${SEED.policy}`);
    expect(stack.targetGroupArn).toMatch(
      new RegExp(
        `^arn:aws:elasticloadbalancing:us-west-2:${stack.accountId}:targetgroup/${SEED.targetGroup}/`,
      ),
    );
    expect(stack.dnsName).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('describes what it built as AWS does', async () => {
    const [table, scan, params, profile, group, lbs, policy] = await Promise.all([
      ok<{ Table: { TableStatus: string; KeySchema: unknown[] } }>(
        aws,
        'dynamodb',
        'describe-table',
        '--table-name',
        SEED.table,
      ),
      ok<{ Count: number }>(aws, 'dynamodb', 'scan', '--table-name', SEED.table, '--select', 'COUNT'),
      ok<{ Parameters: { Name: string; Value: string }[]; InvalidParameters: string[] }>(
        aws,
        'ssm',
        'get-parameters',
        '--names',
        ...PARAMETER_NAMES,
      ),
      ok<{ InstanceProfile: { Roles: { RoleName: string }[] } }>(
        aws,
        'iam',
        'get-instance-profile',
        '--instance-profile-name',
        SEED.profile,
      ),
      ok<{
        AutoScalingGroups: {
          Instances: { InstanceId: string; AvailabilityZone: string; LifecycleState: string }[];
          TargetGroupARNs: string[];
        }[];
      }>(aws, 'autoscaling', 'describe-auto-scaling-groups', '--auto-scaling-group-names', SEED.group),
      ok<{ LoadBalancers: { State: { Code: string } }[] }>(
        aws,
        'elbv2',
        'describe-load-balancers',
        '--names',
        SEED.loadBalancer,
      ),
      ok<{ PolicyVersion: { Document: unknown } }>(
        aws,
        'iam',
        'get-policy-version',
        '--policy-arn',
        stack.policyArn,
        '--version-id',
        'v1',
      ),
    ]);
    expect(table.Table).toMatchObject({
      TableStatus: 'ACTIVE',
      KeySchema: [
        { AttributeName: 'MediaType', KeyType: 'HASH' },
        { AttributeName: 'ItemId', KeyType: 'RANGE' },
      ],
    });
    expect(scan.Count).toBe(9);
    expect(Object.fromEntries(params.Parameters.map((p) => [p.Name, p.Value]))).toEqual({
      [SEED.parameters.table]: SEED.table,
      [SEED.parameters.failureResponse]: 'none',
      [SEED.parameters.healthCheck]: 'shallow',
    });
    expect(params.InvalidParameters).toEqual([]);
    expect(profile.InstanceProfile.Roles.map((r) => r.RoleName)).toEqual([SEED.role]);
    // Least privilege as written: this table's reads and the three parameters, nothing else.
    expect(policy.PolicyVersion.Document).toEqual(
      JSON.parse(await readFile(new URL(files.instancePolicy), 'utf8')),
    );
    const instances = group.AutoScalingGroups[0]?.Instances ?? [];
    expect(instances).toHaveLength(GROUP_SIZE);
    expect(new Set(instances.map((i) => i.AvailabilityZone)).size).toBe(GROUP_SIZE);
    expect(group.AutoScalingGroups[0]?.TargetGroupARNs).toEqual([stack.targetGroupArn]);
    expect(lbs.LoadBalancers[0]?.State.Code).toBe('active');

    const health = await until(
      'every instance registered and healthy',
      async () => {
        const all = await targetHealth(aws, stack.targetGroupArn);
        return all.length === GROUP_SIZE && all.every((t) => t.TargetHealth.State === 'healthy')
          ? all
          : undefined;
      },
      HEALTHY_DEADLINE_MS,
    );
    expect(health.map((t) => t.Target.Id).sort()).toEqual(instances.map((i) => i.InstanceId).sort());
  });

  it('keeps the launch template data byte for byte: IMDSv2 required, the profile, the server.env heredoc', async () => {
    const versions = await ok<{
      LaunchTemplateVersions: {
        VersionNumber: number;
        DefaultVersion: boolean;
        LaunchTemplateData: {
          ImageId: string;
          IamInstanceProfile: { Name: string };
          MetadataOptions: { HttpTokens: string };
          UserData: string;
        };
      }[];
    }>(
      aws,
      'ec2',
      'describe-launch-template-versions',
      '--launch-template-name',
      SEED.template,
      '--versions',
      '$Default',
    );
    const data = versions.LaunchTemplateVersions[0]?.LaunchTemplateData;
    expect(versions.LaunchTemplateVersions[0]).toMatchObject({ VersionNumber: 1, DefaultVersion: true });
    expect(data?.ImageId).toBe(stack.imageId);
    expect(data?.IamInstanceProfile).toEqual({ Name: SEED.profile });
    expect(data?.MetadataOptions.HttpTokens).toBe('required');
    const env = parseServerEnv(Buffer.from(data?.UserData ?? '', 'base64').toString('utf8'));
    expect(env).toMatchObject({
      [SERVER_ENV.tableParameter]: SEED.parameters.table,
      [SERVER_ENV.failureResponseParameter]: SEED.parameters.failureResponse,
      [SERVER_ENV.healthCheckParameter]: SEED.parameters.healthCheck,
    });
  });

  it('serves real items at http://<DNSName>/ from the instances the CLI launched', async () => {
    const item = await until(
      'a real item',
      async () => {
        const seen = await fetchItem(stack.dnsName);
        return seen.kind === 'real' ? seen : undefined;
      },
      HEALTHY_DEADLINE_MS,
    );
    expect(item.status).toBe(200);
    expect(item.instanceId).toMatch(/^i-[0-9a-f]+$/);
  });

  it('answers the wrong paths with AWS error codes', async () => {
    const unknownKey = awsCli(
      daemon,
      keyEnv(daemon, 'AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'),
    );
    const wrongSecret = awsCli(daemon, keyEnv(daemon, daemon.admin.accessKeyId, 'not-the-secret'));
    const cases = await Promise.all([
      failure(
        aws,
        'iam',
        'create-role',
        '--role-name',
        SEED.role,
        '--assume-role-policy-document',
        files.trust,
      ),
      failure(aws, 'iam', 'get-role', '--role-name', 'doc-example-no-such-role'),
      failure(aws, 'iam', 'delete-role', '--role-name', SEED.role),
      failure(aws, 'ssm', 'get-parameter', '--name', 'doc-example-no-such-parameter'),
      failure(
        aws,
        'ec2',
        'describe-launch-templates',
        '--launch-template-names',
        'doc-example-no-such-template',
      ),
      failure(aws, 'elbv2', 'describe-load-balancers', '--names', 'doc-example-no-such-lb'),
      failure(aws, 'elbv2', 'delete-target-group', '--target-group-arn', stack.targetGroupArn),
    ]);
    expect(cases).toEqual([
      { code: 'EntityAlreadyExists', operation: 'CreateRole' },
      { code: 'NoSuchEntity', operation: 'GetRole' },
      { code: 'DeleteConflict', operation: 'DeleteRole' },
      { code: 'ParameterNotFound', operation: 'GetParameter' },
      { code: 'InvalidLaunchTemplateName.NotFoundException', operation: 'DescribeLaunchTemplates' },
      { code: 'LoadBalancerNotFound', operation: 'DescribeLoadBalancers' },
      { code: 'ResourceInUse', operation: 'DeleteTargetGroup' },
    ]);

    // Each protocol family names a bad key and a bad signature its own way (awsQuery, awsJson, ec2Query).
    const auth = await Promise.all([
      failure(unknownKey, 'sts', 'get-caller-identity'),
      failure(unknownKey, 'ssm', 'get-parameter', '--name', SEED.parameters.table),
      failure(unknownKey, 'ec2', 'describe-vpcs'),
      failure(wrongSecret, 'iam', 'get-role', '--role-name', SEED.role),
      failure(wrongSecret, 'dynamodb', 'describe-table', '--table-name', SEED.table),
      failure(wrongSecret, 'ec2', 'describe-vpcs'),
    ]);
    expect(auth.map((a) => a.code)).toEqual([
      'InvalidClientTokenId',
      'UnrecognizedClientException',
      'AuthFailure',
      'SignatureDoesNotMatch',
      'InvalidSignatureException',
      'AuthFailure',
    ]);
  });

  it('tears the stack down in dependency order, waiting where AWS makes one wait', async () => {
    const seen = await teardownWithCli(aws, stack);
    // The listener went first, so the target group was never in use by then.
    expect(seen.targetGroupRetries).toEqual([]);
    const [role, table, parameters] = await Promise.all([
      failure(aws, 'iam', 'get-role', '--role-name', SEED.role),
      failure(aws, 'dynamodb', 'describe-table', '--table-name', SEED.table),
      ok<{ InvalidParameters: string[] }>(aws, 'ssm', 'get-parameters', '--names', ...PARAMETER_NAMES),
    ]);
    expect(role.code).toBe('NoSuchEntity');
    expect(table.code).toBe('ResourceNotFoundException');
    expect(parameters.InvalidParameters.sort()).toEqual([...PARAMETER_NAMES].sort());
  });

  it('leaves nothing the CLI can list, and the load balancer port closed', async () => {
    expect(await remainingWithCli(aws)).toEqual({
      roles: 0,
      policies: 0,
      instanceProfiles: 0,
      loadBalancers: 0,
      targetGroups: 0,
      launchTemplates: 0,
      autoScalingGroups: 0,
      liveInstances: 0,
      tables: 0,
      parameters: 0,
    });
    await expect(fetchItem(stack.dnsName)).rejects.toThrow();
  });
});
