/**
 * The seed's stack (spec "Deploy", the bad-credentials profile of "Demo", and "Destroy") built and torn down
 * with nothing but the AWS CLI, under the seed's own names. The inputs the CLI reads (policy documents, the
 * table items, the launch template data) are written as files and passed as `file://` arguments, the way a
 * user of the CLI would. `deployWithSdk` builds the same stack with the SDK under a deployment's names.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AttachLoadBalancerTargetGroupsCommand,
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateLaunchTemplateCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
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
import {
  ec2TrustPolicy,
  instancePolicy,
  ssmManagedInstanceCoreArn,
  ssmOnlyPolicy,
} from '../../resources/policies.ts';
import { RECOMMENDATIONS } from '../../resources/recommendations.ts';
import { renderUserData } from '../../src/userdata/index.ts';
import { type Aws, errorOf, ok } from './aws-cli.ts';
import { localClient, type TestLocalCloud } from './local-cloud.ts';
import { until } from './poll.ts';
import { createRecommendationsTable, writeRecommendations } from './recommendations-table.ts';

/** The seed's default names (spec "Common resources" and the Python reference's log lines). */
export const SEED = {
  table: 'doc-example-recommendation-service',
  parameters: {
    table: 'doc-example-resilient-architecture-table',
    failureResponse: 'doc-example-resilient-architecture-failure-response',
    healthCheck: 'doc-example-resilient-architecture-health-check',
  },
  policy: 'doc-example-resilience-pol',
  role: 'doc-example-resilience-role',
  profile: 'doc-example-resilience-prof',
  bcPolicy: 'doc-example-resilience-bc-pol',
  bcRole: 'doc-example-resilience-bc-role',
  bcProfile: 'doc-example-resilience-bc-prof',
  template: 'doc-example-resilience-template',
  group: 'doc-example-resilience-group',
  targetGroup: 'doc-example-resilience-tg',
  loadBalancer: 'doc-example-resilience-lb',
} as const;

export const PARAMETER_NAMES = [
  SEED.parameters.table,
  SEED.parameters.failureResponse,
  SEED.parameters.healthCheck,
] as const;

/** The public parameter the launch template's AMI comes from (AL2023; the seed's AL2 is past support). */
export const AMI_PARAMETER = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64';
export const SSM_CORE_POLICY = 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore';
export const GROUP_SIZE = 3;
const LB_ACTIVE_DEADLINE_MS = 30_000;

/** What the deploy learned that later steps and assertions need. */
export interface Stack {
  readonly accountId: string;
  readonly policyArn: string;
  readonly bcPolicyArn: string;
  readonly imageId: string;
  readonly vpcId: string;
  readonly zones: readonly string[];
  readonly subnetIds: readonly string[];
  readonly targetGroupArn: string;
  readonly loadBalancerArn: string;
  readonly dnsName: string;
  readonly listenerArn: string;
}

export interface StackFiles {
  readonly instancePolicy: string;
  readonly bcPolicy: string;
  readonly trust: string;
  readonly items: string;
  /** Writes the launch template data for an image id (known only after the AMI lookup). */
  launchTemplateData(imageId: string): Promise<string>;
}

/**
 * Server settings in the user data: parameters cached 200 ms and dependency calls cut at 200 ms, shorter
 * than the scaled health-check timeout (5 s × 0.05), as docs/architecture.md#the-recommendation-server requires.
 */
const SERVER_TIMINGS = { parameterTtlMs: 200, dependencyTimeoutMs: 200 } as const;

export async function writeStackFiles(
  dir: string,
  scope: { accountId: string; region: string },
): Promise<StackFiles> {
  const policyScope = { partition: 'aws', ...scope, parameterNames: SEED.parameters };
  const file = async (name: string, value: unknown): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, JSON.stringify(value));
    return `file://${path}`;
  };
  return {
    instancePolicy: await file(
      'instance-policy.json',
      instancePolicy({ ...policyScope, tableName: SEED.table }),
    ),
    bcPolicy: await file('bc-policy.json', ssmOnlyPolicy(policyScope)),
    trust: await file('trust.json', ec2TrustPolicy()),
    // BatchWriteItem takes at most 25 puts; the seed's data set is smaller.
    items: await file('items.json', {
      [SEED.table]: RECOMMENDATIONS.map((Item) => ({ PutRequest: { Item } })),
    }),
    launchTemplateData: (imageId) =>
      file('launch-template-data.json', {
        InstanceType: 't3.micro',
        ImageId: imageId,
        IamInstanceProfile: { Name: SEED.profile },
        MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' },
        UserData: Buffer.from(
          renderUserData({ region: scope.region, parameterNames: SEED.parameters, ...SERVER_TIMINGS }),
        ).toString('base64'),
      }),
  };
}

interface Arn {
  readonly Arn: string;
}

/**
 * Creates a policy from `policyFile` and a role with it (and `extraPolicies`) attached, trusting whom
 * `trustFile` names; returns the policy's ARN.
 */
export async function roleWithPolicy(
  aws: Aws,
  names: { policy: string; role: string },
  policyFile: string,
  trustFile: string,
  extraPolicies: readonly string[] = [],
): Promise<string> {
  const policy = await ok<{ Policy: Arn }>(
    aws,
    'iam',
    'create-policy',
    '--policy-name',
    names.policy,
    '--policy-document',
    policyFile,
  );
  await ok(aws, 'iam', 'create-role', '--role-name', names.role, '--assume-role-policy-document', trustFile);
  for (const arn of [policy.Policy.Arn, ...extraPolicies])
    await ok(aws, 'iam', 'attach-role-policy', '--role-name', names.role, '--policy-arn', arn);
  return policy.Policy.Arn;
}

/** Creates a policy, a role trusting EC2 with it attached, and an instance profile holding the role. */
async function instanceProfile(
  aws: Aws,
  files: StackFiles,
  names: { policy: string; role: string; profile: string },
  policyFile: string,
  extraPolicies: readonly string[] = [],
): Promise<string> {
  const policyArn = await roleWithPolicy(aws, names, policyFile, files.trust, extraPolicies);
  await ok(aws, 'iam', 'create-instance-profile', '--instance-profile-name', names.profile);
  await ok(
    aws,
    'iam',
    'add-role-to-instance-profile',
    '--instance-profile-name',
    names.profile,
    '--role-name',
    names.role,
  );
  return policyArn;
}

/** Creates and populates the recommendation table (spec "Recommendation service"). */
export async function createSeedTable(aws: Aws, files: StackFiles): Promise<void> {
  await ok(
    aws,
    'dynamodb',
    'create-table',
    '--table-name',
    SEED.table,
    '--attribute-definitions',
    'AttributeName=MediaType,AttributeType=S',
    'AttributeName=ItemId,AttributeType=N',
    '--key-schema',
    'AttributeName=MediaType,KeyType=HASH',
    'AttributeName=ItemId,KeyType=RANGE',
    '--billing-mode',
    'PAY_PER_REQUEST',
  );
  await ok(aws, 'dynamodb', 'wait', 'table-exists', '--table-name', SEED.table);
  const written = await ok<{ UnprocessedItems: Record<string, unknown> }>(
    aws,
    'dynamodb',
    'batch-write-item',
    '--request-items',
    files.items,
  );
  if (Object.keys(written.UnprocessedItems).length > 0)
    throw new Error('batch-write-item left items unprocessed');
}

/** Default VPC, zones, and one default subnet per zone (spec "Load balancer", steps 1 and 2). */
async function network(aws: Aws): Promise<{ vpcId: string; zones: string[]; subnetIds: string[] }> {
  const [azs, vpcs] = await Promise.all([
    ok<{ AvailabilityZones: { ZoneName: string }[] }>(aws, 'ec2', 'describe-availability-zones'),
    ok<{ Vpcs: { VpcId: string }[] }>(
      aws,
      'ec2',
      'describe-vpcs',
      '--filters',
      'Name=is-default,Values=true',
    ),
  ]);
  const zones = azs.AvailabilityZones.map((z) => z.ZoneName);
  const vpcId = vpcs.Vpcs[0]?.VpcId ?? '';
  const subnets = await ok<{ Subnets: { SubnetId: string }[] }>(
    aws,
    'ec2',
    'describe-subnets',
    '--filters',
    `Name=vpc-id,Values=${vpcId}`,
    `Name=availability-zone,Values=${zones.join(',')}`,
    'Name=default-for-az,Values=true',
  );
  return { vpcId, zones, subnetIds: subnets.Subnets.map((s) => s.SubnetId) };
}

/** The AMI from the public parameter, the launch template, and the group across every zone. */
async function group(
  aws: Aws,
  files: StackFiles,
  zones: readonly string[],
  profileReady: Promise<unknown>,
): Promise<string> {
  const ami = await ok<{ Parameter: { Value: string } }>(
    aws,
    'ssm',
    'get-parameter',
    '--name',
    AMI_PARAMETER,
  );
  const imageId = ami.Parameter.Value;
  const data = await files.launchTemplateData(imageId);
  // The template names the instance profile: it must exist before instances launch from it.
  await profileReady;
  await ok(
    aws,
    'ec2',
    'create-launch-template',
    '--launch-template-name',
    SEED.template,
    '--launch-template-data',
    data,
  );
  await ok(
    aws,
    'autoscaling',
    'create-auto-scaling-group',
    '--auto-scaling-group-name',
    SEED.group,
    '--availability-zones',
    ...zones,
    '--launch-template',
    `LaunchTemplateName=${SEED.template},Version=$Default`,
    '--min-size',
    String(GROUP_SIZE),
    '--max-size',
    String(GROUP_SIZE),
  );
  return imageId;
}

/** Target group (the seed's health-check settings), load balancer on the default subnets, listener. */
async function loadBalancing(
  aws: Aws,
  net: { vpcId: string; subnetIds: readonly string[] },
): Promise<{ targetGroupArn: string; loadBalancerArn: string; dnsName: string; listenerArn: string }> {
  const tg = await ok<{ TargetGroups: { TargetGroupArn: string }[] }>(
    aws,
    'elbv2',
    'create-target-group',
    '--name',
    SEED.targetGroup,
    '--protocol',
    'HTTP',
    '--port',
    '80',
    '--health-check-path',
    '/healthcheck',
    '--health-check-interval-seconds',
    '10',
    '--health-check-timeout-seconds',
    '5',
    '--healthy-threshold-count',
    '2',
    '--unhealthy-threshold-count',
    '2',
    '--vpc-id',
    net.vpcId,
  );
  const targetGroupArn = tg.TargetGroups[0]?.TargetGroupArn ?? '';
  const lb = await ok<{ LoadBalancers: { LoadBalancerArn: string; DNSName: string }[] }>(
    aws,
    'elbv2',
    'create-load-balancer',
    '--name',
    SEED.loadBalancer,
    '--subnets',
    ...net.subnetIds,
  );
  const loadBalancerArn = lb.LoadBalancers[0]?.LoadBalancerArn ?? '';
  const listener = await ok<{ Listeners: { ListenerArn: string }[] }>(
    aws,
    'elbv2',
    'create-listener',
    '--load-balancer-arn',
    loadBalancerArn,
    '--protocol',
    'HTTP',
    '--port',
    '80',
    '--default-actions',
    `Type=forward,TargetGroupArn=${targetGroupArn}`,
  );
  return {
    targetGroupArn,
    loadBalancerArn,
    dnsName: lb.LoadBalancers[0]?.DNSName ?? '',
    listenerArn: listener.Listeners[0]?.ListenerArn ?? '',
  };
}

/**
 * The seed's deploy with the CLI, every call of it, in dependency order; chains that do not depend on each
 * other run concurrently (as destroy does, docs/architecture.md#orchestration), which keeps the suite short on two cores: the
 * table (wait, populate) ∥ the three parameters ∥ the two instance profiles ∥ the network lookups; then
 * the launch template and group (once the profile exists) ∥ target group, load balancer and listener; then
 * the group attached to the target group and the load balancer waited on.
 */
export async function deployWithCli(aws: Aws, files: StackFiles): Promise<Stack> {
  const identity = await ok<{ Account: string }>(aws, 'sts', 'get-caller-identity');
  const profile = instanceProfile(
    aws,
    files,
    { policy: SEED.policy, role: SEED.role, profile: SEED.profile },
    files.instancePolicy,
  );
  const net = network(aws);
  const [policyArn, bcPolicyArn, , , { imageId, lb, vpcId, zones, subnetIds }] = await Promise.all([
    profile,
    // The seed also attaches AmazonSSMManagedInstanceCore so Systems Manager can restart the server there.
    instanceProfile(
      aws,
      files,
      { policy: SEED.bcPolicy, role: SEED.bcRole, profile: SEED.bcProfile },
      files.bcPolicy,
      [SSM_CORE_POLICY],
    ),
    createSeedTable(aws, files),
    putSeedParameters(aws),
    net.then(async (n) => {
      const [image, balancing] = await Promise.all([
        group(aws, files, n.zones, profile),
        loadBalancing(aws, n),
      ]);
      return { imageId: image, lb: balancing, ...n };
    }),
  ]);
  await ok(
    aws,
    'autoscaling',
    'attach-load-balancer-target-groups',
    '--auto-scaling-group-name',
    SEED.group,
    '--target-group-arns',
    lb.targetGroupArn,
  );
  // The botocore waiter sleeps 15 s between polls: poll the state ourselves first (bounded), so the waiter's
  // first DescribeLoadBalancers finds it active and the suite stays short.
  await until(
    'the load balancer to be active',
    async () => {
      const out = await ok<{ LoadBalancers: { State: { Code: string } }[] }>(
        aws,
        'elbv2',
        'describe-load-balancers',
        '--load-balancer-arns',
        lb.loadBalancerArn,
      );
      return out.LoadBalancers[0]?.State.Code === 'active' ? true : undefined;
    },
    LB_ACTIVE_DEADLINE_MS,
  );
  await ok(aws, 'elbv2', 'wait', 'load-balancer-available', '--load-balancer-arns', lb.loadBalancerArn);
  return { accountId: identity.Account, policyArn, bcPolicyArn, imageId, vpcId, zones, subnetIds, ...lb };
}

export async function putParameter(aws: Aws, name: string, value: string): Promise<void> {
  await ok(aws, 'ssm', 'put-parameter', '--name', name, '--value', value, '--type', 'String', '--overwrite');
}

/** The three parameters as stage 1 has them: this table, no static response, shallow health checks. */
export async function putSeedParameters(aws: Aws): Promise<void> {
  await Promise.all([
    putParameter(aws, SEED.parameters.table, SEED.table),
    putParameter(aws, SEED.parameters.failureResponse, 'none'),
    putParameter(aws, SEED.parameters.healthCheck, 'shallow'),
  ]);
}

export interface TargetHealthDescription {
  readonly Target: { readonly Id: string; readonly Port?: number };
  readonly TargetHealth: { readonly State: string; readonly Reason?: string; readonly Description?: string };
}

export async function targetHealth(aws: Aws, targetGroupArn: string): Promise<TargetHealthDescription[]> {
  const out = await ok<{ TargetHealthDescriptions: TargetHealthDescription[] }>(
    aws,
    'elbv2',
    'describe-target-health',
    '--target-group-arn',
    targetGroupArn,
  );
  return out.TargetHealthDescriptions;
}

/** What the teardown saw on its way, for the assertions. */
export interface Teardown {
  /** Codes of the delete-target-group attempts that had to be retried. */
  readonly targetGroupRetries: readonly string[];
}

const TEARDOWN_DEADLINE_MS = 30_000;

/**
 * The seed's destroy with the CLI, in dependency order, independent chains concurrently (docs/architecture.md#orchestration):
 * listener → load balancer (waited deleted) → target group (retried while ResourceInUse) ∥ group scaled to
 * 0 and deleted once AWS lets it → launch template; then each instance profile → role → policies ∥ the
 * table (waited deleted) ∥ the parameters.
 */
export async function teardownWithCli(aws: Aws, stack: Stack): Promise<Teardown> {
  const targetGroupRetries: string[] = [];
  await Promise.all([
    (async () => {
      await ok(aws, 'elbv2', 'delete-listener', '--listener-arn', stack.listenerArn);
      await ok(aws, 'elbv2', 'delete-load-balancer', '--load-balancer-arn', stack.loadBalancerArn);
      await ok(aws, 'elbv2', 'wait', 'load-balancers-deleted', '--load-balancer-arns', stack.loadBalancerArn);
      await until(
        'the target group to be deleted',
        async () => {
          const out = await aws('elbv2', 'delete-target-group', '--target-group-arn', stack.targetGroupArn);
          if (out.code === 0) return true;
          const code = errorOf(out)?.code;
          if (code !== 'ResourceInUse') throw new Error(`delete-target-group: ${out.stderr}`);
          targetGroupRetries.push(code);
          return undefined;
        },
        TEARDOWN_DEADLINE_MS,
        250,
      );
    })(),
    (async () => {
      await ok(
        aws,
        'autoscaling',
        'update-auto-scaling-group',
        '--auto-scaling-group-name',
        SEED.group,
        '--min-size',
        '0',
        '--max-size',
        '0',
        '--desired-capacity',
        '0',
      );
      // Without --force-delete AWS refuses while instances or scaling activities remain: retry until they end.
      await until(
        'the group to be deletable',
        async () => {
          const out = await aws(
            'autoscaling',
            'delete-auto-scaling-group',
            '--auto-scaling-group-name',
            SEED.group,
          );
          if (out.code === 0) return true;
          const code = errorOf(out)?.code;
          if (code !== 'ResourceInUse' && code !== 'ScalingActivityInProgress')
            throw new Error(`delete-auto-scaling-group: ${out.stderr}`);
          return undefined;
        },
        TEARDOWN_DEADLINE_MS,
        250,
      );
      await ok(aws, 'ec2', 'delete-launch-template', '--launch-template-name', SEED.template);
    })(),
  ]);

  await Promise.all([
    ...(
      [
        [SEED.profile, SEED.role, [stack.policyArn]],
        [SEED.bcProfile, SEED.bcRole, [stack.bcPolicyArn, SSM_CORE_POLICY]],
      ] as const
    ).map(async ([profile, role, policies]) => {
      await ok(
        aws,
        'iam',
        'remove-role-from-instance-profile',
        '--instance-profile-name',
        profile,
        '--role-name',
        role,
      );
      await ok(aws, 'iam', 'delete-instance-profile', '--instance-profile-name', profile);
      for (const arn of policies)
        await ok(aws, 'iam', 'detach-role-policy', '--role-name', role, '--policy-arn', arn);
      await ok(aws, 'iam', 'delete-role', '--role-name', role);
      // The seed's own policy goes with its role; the AWS managed one stays (it is not ours).
      await ok(aws, 'iam', 'delete-policy', '--policy-arn', policies[0]);
    }),
    (async () => {
      await ok(aws, 'dynamodb', 'delete-table', '--table-name', SEED.table);
      await ok(aws, 'dynamodb', 'wait', 'table-not-exists', '--table-name', SEED.table);
    })(),
    ok(aws, 'ssm', 'delete-parameters', '--names', ...PARAMETER_NAMES),
  ]);
  return { targetGroupRetries };
}

/**
 * Everything the CLI can list after a teardown, as counts (all must be zero): the caller asserts, so a
 * failure names what leaked.
 */
export async function remainingWithCli(aws: Aws): Promise<Record<string, number>> {
  const [roles, policies, profiles, lbs, tgs, templates, groups, instances, tables, parameters] =
    await Promise.all([
      ok<{ Roles: unknown[] }>(aws, 'iam', 'list-roles'),
      ok<{ Policies: unknown[] }>(aws, 'iam', 'list-policies', '--scope', 'Local'),
      ok<{ InstanceProfiles: unknown[] }>(aws, 'iam', 'list-instance-profiles'),
      ok<{ LoadBalancers: unknown[] }>(aws, 'elbv2', 'describe-load-balancers'),
      ok<{ TargetGroups: unknown[] }>(aws, 'elbv2', 'describe-target-groups'),
      ok<{ LaunchTemplates: unknown[] }>(aws, 'ec2', 'describe-launch-templates'),
      ok<{ AutoScalingGroups: unknown[] }>(aws, 'autoscaling', 'describe-auto-scaling-groups'),
      ok<{ Reservations: { Instances: unknown[] }[] }>(
        aws,
        'ec2',
        'describe-instances',
        '--filters',
        'Name=instance-state-name,Values=pending,running,stopping,stopped,shutting-down',
      ),
      ok<{ TableNames: unknown[] }>(aws, 'dynamodb', 'list-tables'),
      ok<{ Parameters: unknown[] }>(aws, 'ssm', 'describe-parameters'),
    ]);
  return {
    roles: roles.Roles.length,
    policies: policies.Policies.length,
    instanceProfiles: profiles.InstanceProfiles.length,
    loadBalancers: lbs.LoadBalancers.length,
    targetGroups: tgs.TargetGroups.length,
    launchTemplates: templates.LaunchTemplates.length,
    autoScalingGroups: groups.AutoScalingGroups.length,
    liveInstances: instances.Reservations.flatMap((r) => r.Instances).length,
    tables: tables.TableNames.length,
    parameters: parameters.Parameters.length,
  };
}

// The same stack through the SDK, under a resilient deployment's names (`resilient-<name>-…`).

export interface SdkStackNames {
  /** The deployment name: resources are `resilient-<name>-…`, the table `resilient-<name>-recommendations`. */
  readonly name: string;
  readonly parameters: {
    readonly table: string;
    readonly failureResponse: string;
    readonly healthCheck: string;
  };
  /** The target group's deregistration delay (AWS's 300 s unless given). */
  readonly deregistrationDelaySeconds?: number;
}

export interface SdkClients {
  readonly iam: IAMClient;
  readonly ddb: DynamoDBClient;
  readonly ssm: SSMClient;
  readonly ec2: EC2Client;
  readonly elb: ElasticLoadBalancingV2Client;
  readonly asg: AutoScalingClient;
}

export interface SdkStack {
  readonly clients: SdkClients;
  readonly tableName: string;
  readonly targetGroupArn: string;
  /** The load balancer's port on 127.0.0.1 (its DNSName is `127.0.0.1:<port>`). */
  readonly lbPort: number;
  /** The instance profile ARNs: `instance` (reads the table) and `bc` (SSM only, the bad credentials). */
  readonly profiles: Readonly<Record<string, string>>;
}

/**
 * Deploys the seed's stack with the SDK's admin clients on a local cloud: table with the nine items, three
 * parameters (our table, none, shallow), the two roles and profiles, launch template, target group (the
 * seed's health checks), load balancer and listener, a group of three attached to the target group. Does
 * not wait for the targets: callers wait for what their test needs.
 */
export async function deployWithSdk(local: TestLocalCloud, names: SdkStackNames): Promise<SdkStack> {
  const NAME = names.name;
  const TABLE = `resilient-${NAME}-recommendations`;
  const PARAMS = names.parameters;
  const waitFor = <T>(what: string, check: () => Promise<T | undefined>) =>
    until(what, check, { deadlineMs: 15_000, intervalMs: 25 });
  const iam = localClient(IAMClient, local);
  const ddb = localClient(DynamoDBClient, local);
  const ssm = localClient(SSMClient, local);
  const put = (name: string, value: string) =>
    ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true }));
  const ec2 = localClient(EC2Client, local);
  const elb = localClient(ElasticLoadBalancingV2Client, local);
  const asg = localClient(AutoScalingClient, local);
  const scope = {
    partition: 'aws',
    region: local.region,
    accountId: local.cloud.config.accountId,
    parameterNames: PARAMS,
  };

  await createRecommendationsTable(ddb, TABLE);
  await waitFor('table', async () => {
    try {
      await writeRecommendations(ddb, TABLE);
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
  const tgArn = tg.TargetGroups?.[0]?.TargetGroupArn ?? '';
  if (names.deregistrationDelaySeconds !== undefined) {
    await elb.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: tgArn,
        Attributes: [
          { Key: 'deregistration_delay.timeout_seconds', Value: String(names.deregistrationDelaySeconds) },
        ],
      }),
    );
  }
  const lb = await elb.send(
    new CreateLoadBalancerCommand({
      Name: `resilient-${NAME}-lb`,
      Subnets: subnets.Subnets?.map((n) => n.SubnetId ?? ''),
    }),
  );
  const lbInfo = lb.LoadBalancers?.[0];
  const lbPort = Number((lbInfo?.DNSName ?? '').split(':')[1]);
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
  return {
    clients: { iam, ddb, ssm, ec2, elb, asg },
    tableName: TABLE,
    targetGroupArn: tgArn,
    lbPort,
    profiles,
  };
}
