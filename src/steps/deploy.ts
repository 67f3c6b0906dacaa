import { fromPromise } from 'xstate';
import type { DeployFacts, DeployStep } from '../../machines/deploy.ts';
import type { StepInput, StepResult } from '../../machines/step-kit.ts';
import { ec2TrustPolicy, instancePolicy, ssmOnlyPolicy } from '../../resources/policies.ts';
import { RECOMMENDATIONS } from '../../resources/recommendations.ts';
import type { AttributeItem } from '../aws/dynamodb.ts';
import { AL2023_AMI_PARAMETER } from '../aws/ssm.ts';
import { ResilientError } from '../errors.ts';
import { deploymentTags, REGION_TAG_KEY, taggedAsOurs } from '../names.ts';
import { done, notYet, runStep, type StepDeps, type StepFn } from './deps.ts';

export const INSTANCE_TYPE = 't3.micro';
export const GROUP_SIZE = 3;
export const HTTP_PORT = 80;

type Fn = StepFn<DeployFacts>;
type In = StepInput<DeployFacts>;

const need = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new ResilientError('INTERNAL', `deploy reached a step without ${what}`);
  return value;
};

/**
 * An IAM name is global to the account: one that exists is this deployment's only if its tags say so,
 * for this Region too. Anything else — another Region's deployment of the same name, a resource someone
 * made by hand — is never adopted, and its name blocks the deploy before anything is created.
 */
function notOurs(deps: StepDeps, kind: string, name: string): ResilientError {
  return new ResilientError(
    'PRECONDITION',
    `IAM ${kind} ${name} exists and is not ours: it is not tagged resilient:deployment=${deps.names.deployment}, ${REGION_TAG_KEY}=${deps.region}.`,
    { hint: 'pick another --name, or delete or retag that resource if it is a leftover of this deployment' },
  );
}

/** Every IAM name of the deployment that exists and is not ours (preflight: before the first create). */
async function foreignIam(
  deps: StepDeps,
  account: string,
  partition: string,
  signal: AbortSignal,
): Promise<ResilientError | undefined> {
  const { iam } = deps.aws;
  const { names } = deps;
  const ours = (tags: { Key?: string; Value?: string }[] | undefined) =>
    taggedAsOurs(tags, names.deployment, deps.region);
  for (const policy of [names.instancePolicy, names.bcPolicy]) {
    const found = await iam.getPolicy(`arn:${partition}:iam::${account}:policy/${policy}`, { signal });
    if (found !== undefined && !ours(found.Tags)) return notOurs(deps, 'policy', policy);
  }
  for (const role of [names.instanceRole, names.bcRole]) {
    const found = await iam.getRole(role, { signal });
    if (found !== undefined && !ours(found.Tags)) return notOurs(deps, 'role', role);
  }
  for (const profile of [names.instanceProfile, names.bcProfile]) {
    const found = await iam.getInstanceProfile(profile, { signal });
    if (found !== undefined && !ours(found.Tags)) return notOurs(deps, 'instance profile', profile);
  }
  return undefined;
}

/** Creates a policy, a role trusting EC2 with it attached, and an instance profile holding the role. */
async function createIamSet(
  deps: StepDeps,
  input: In,
  signal: AbortSignal,
  names: { policy: string; role: string; profile: string },
  document: string,
): Promise<void> {
  const { iam } = deps.aws;
  const tags = deploymentTags(deps.names.deployment, deps.region);
  const ours = (found: { Tags?: { Key?: string; Value?: string }[] } | undefined) =>
    taggedAsOurs(found?.Tags, deps.names.deployment, deps.region);
  const accountId = need(input.facts.accountId, 'the account id');
  deps.ledger.intend('policy', names.policy);
  const policy = await iam.createPolicy(
    { name: names.policy, document, tags, accountId, partition: input.facts.partition ?? 'aws' },
    { signal },
  );
  // Preflight found none that is not ours; one made since then (a race) is refused all the same.
  if ('exists' in policy && !ours(await iam.getPolicy(policy.arn, { signal })))
    throw notOurs(deps, 'policy', names.policy);
  deps.ledger.created('policy', names.policy, { arn: policy.arn });
  deps.emit({
    type: 'resource',
    action: 'created' in policy ? 'created' : 'adopted',
    kind: 'policy',
    name: names.policy,
    id: policy.arn,
  });

  deps.ledger.intend('role', names.role);
  const role = await iam.createRole(
    { name: names.role, assumeRolePolicy: JSON.stringify(ec2TrustPolicy()), tags },
    { signal },
  );
  const existingRole = 'created' in role ? undefined : await iam.getRole(names.role, { signal });
  if ('exists' in role && !ours(existingRole)) throw notOurs(deps, 'role', names.role);
  const roleArn = 'created' in role ? role.role.Arn : existingRole?.Arn;
  deps.ledger.created('role', names.role, { arn: roleArn });
  deps.emit({
    type: 'resource',
    action: 'created' in role ? 'created' : 'adopted',
    kind: 'role',
    name: names.role,
  });
  if ((await iam.attachRolePolicy(names.role, policy.arn, { signal })) === 'not-found') {
    throw new ResilientError('CLOUD', `Policy ${policy.arn} or role ${names.role} vanished while attaching.`);
  }

  deps.ledger.intend('instance-profile', names.profile);
  const profile = await iam.createInstanceProfile({ name: names.profile, tags }, { signal });
  const existingProfile =
    'created' in profile ? undefined : await iam.getInstanceProfile(names.profile, { signal });
  if ('exists' in profile && !ours(existingProfile)) throw notOurs(deps, 'instance profile', names.profile);
  const profileArn = 'created' in profile ? profile.profile.Arn : existingProfile?.Arn;
  deps.ledger.created('instance-profile', names.profile, { arn: profileArn });
  deps.emit({
    type: 'resource',
    action: 'created' in profile ? 'created' : 'adopted',
    kind: 'instance-profile',
    name: names.profile,
  });
  if ((await iam.addRoleToInstanceProfile(names.profile, names.role, { signal })) === 'not-found') {
    throw new ResilientError('CLOUD', `Instance profile ${names.profile} vanished while adding its role.`);
  }
}

function scope(deps: StepDeps, input: In) {
  return {
    partition: input.facts.partition ?? 'aws',
    region: deps.region,
    accountId: need(input.facts.accountId, 'the account id'),
    parameterNames: deps.names.parameters,
  };
}

/** The implementation of every deploy step, each idempotent: create-or-adopt by name or client token. */
export function deploySteps(deps: StepDeps): Record<DeployStep, Fn> {
  const { aws, names, ledger } = deps;
  const tags = deploymentTags(names.deployment, deps.region);
  return {
    async preflight(_input, signal) {
      const identity = await aws.sts.getCallerIdentity({ signal });
      const partition = identity.arn.split(':')[1] || 'aws';
      const zones = await aws.ec2.availabilityZones({ signal });
      const vpcId = await aws.ec2.defaultVpcId({ signal });
      if (vpcId === undefined) {
        throw new ResilientError('PRECONDITION', `Region ${deps.region} has no default VPC.`, {
          hint: 'Create one with `aws ec2 create-default-vpc`, or pick another region.',
        });
      }
      const subnets = await aws.ec2.defaultSubnets(vpcId, zones, { signal });
      const offered = await aws.ec2.instanceTypeZones(INSTANCE_TYPE, { signal });
      const usable = subnets.filter((s) => offered === undefined || offered.includes(s.zone));
      // An Application Load Balancer needs subnets in at least two Availability Zones.
      if (usable.length < 2) {
        throw new ResilientError(
          'PRECONDITION',
          `The default VPC ${vpcId} has ${usable.length} default subnet(s) in zones offering ${INSTANCE_TYPE}; at least 2 are needed.`,
          { hint: 'Create default subnets with `aws ec2 create-default-subnet --availability-zone <zone>`.' },
        );
      }
      const foreign = await foreignIam(deps, identity.account, partition, signal);
      if (foreign !== undefined) throw foreign;
      // Instances install Node.js (dnf) and the SDK clients (npm) at boot: from a default VPC's subnet
      // they reach the repositories only with a public IPv4 address (no NAT gateway there).
      const privateOnly = usable.filter((s) => !s.publicIp);
      if (privateOnly.length > 0) {
        throw new ResilientError(
          'PRECONDITION',
          `Default subnet(s) ${privateOnly.map((s) => `${s.id} (${s.zone})`).join(', ')} do not give instances a public IP address (MapPublicIpOnLaunch is false): they could not reach the package repositories to install Node.js and the server.`,
          {
            hint: `Turn it back on: aws ec2 modify-subnet-attribute --map-public-ip-on-launch --subnet-id ${privateOnly[0]?.id ?? '<subnet>'}`,
          },
        );
      }
      deps.emit({
        type: 'info',
        message: `Account ${identity.account}, default VPC ${vpcId}, zones ${usable.map((s) => s.zone).join(', ')}.`,
      });
      return done({
        accountId: identity.account,
        partition,
        vpcId,
        zones: usable.map((s) => s.zone),
        subnetIds: usable.map((s) => s.id),
      });
    },
    async creatingTable(_input, signal) {
      ledger.intend('table', names.table);
      const result = await aws.dynamodb.createTable({ name: names.table, tags }, { signal });
      ledger.created('table', names.table);
      deps.emit({
        type: 'resource',
        action: result === 'created' ? 'created' : 'adopted',
        kind: 'table',
        name: names.table,
      });
      return done();
    },
    async tableCreating(input, signal) {
      const table = await aws.dynamodb.describeTable(names.table, { signal });
      if (table === undefined)
        throw new ResilientError('CLOUD', `Table ${names.table} disappeared while being created.`);
      if (table.TableStatus === 'ACTIVE') {
        ledger.created('table', names.table, { arn: table.TableArn });
        return done();
      }
      deps.emit({
        type: 'wait-progress',
        what: `table ${names.table}`,
        deadline: input.deadline,
        detail: table.TableStatus ?? 'unknown',
      });
      return notYet(input, `table is ${table.TableStatus}`);
    },
    async populatingTable(input, signal) {
      const left = await aws.dynamodb.putItems(names.table, RECOMMENDATIONS as unknown as AttributeItem[], {
        signal,
      });
      if (left > 0) return notYet(input, `${left} items unprocessed`);
      deps.emit({
        type: 'info',
        message: `Populated table ${names.table} with ${RECOMMENDATIONS.length} items.`,
      });
      return done();
    },
    async puttingParameters(_input, signal) {
      const values: [string, string][] = [
        [names.parameters.table, names.table],
        [names.parameters.failureResponse, 'none'],
        [names.parameters.healthCheck, 'shallow'],
      ];
      for (const [name, value] of values) {
        ledger.intend('parameter', name);
        await aws.ssm.putParameter({ name, value, tags }, { signal });
        ledger.created('parameter', name);
      }
      return done();
    },
    async creatingInstanceIam(input, signal) {
      const document = JSON.stringify(instancePolicy({ ...scope(deps, input), tableName: names.table }));
      const set = { policy: names.instancePolicy, role: names.instanceRole, profile: names.instanceProfile };
      await createIamSet(deps, input, signal, set, document);
      return done();
    },
    async creatingBcIam(input, signal) {
      const document = JSON.stringify(ssmOnlyPolicy(scope(deps, input)));
      await createIamSet(
        deps,
        input,
        signal,
        { policy: names.bcPolicy, role: names.bcRole, profile: names.bcProfile },
        document,
      );
      return done();
    },
    async creatingLaunchTemplate(input, signal) {
      const amiId = input.facts.amiId ?? (await aws.ssm.getParameter(AL2023_AMI_PARAMETER, { signal }));
      if (amiId === undefined) {
        throw new ResilientError(
          'PRECONDITION',
          `The public parameter ${AL2023_AMI_PARAMETER} is not available.`,
        );
      }
      const entry = ledger.intend('launch-template', names.launchTemplate);
      const result = await aws.ec2.createLaunchTemplate(
        {
          name: names.launchTemplate,
          clientToken: entry.token.slice(0, 64),
          tags,
          data: {
            ImageId: amiId,
            InstanceType: INSTANCE_TYPE,
            IamInstanceProfile: { Name: names.instanceProfile },
            UserData: Buffer.from(deps.userData(), 'utf8').toString('base64'),
            // IMDSv2 only: a token is required for every metadata request.
            MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled', HttpPutResponseHopLimit: 1 },
            TagSpecifications: [{ ResourceType: 'instance', Tags: tags }],
          },
        },
        { signal },
      );
      if (result === 'profile-not-ready')
        return notYet(input, `instance profile ${names.instanceProfile} not yet visible`);
      ledger.created('launch-template', names.launchTemplate, { id: result.id });
      deps.emit({
        type: 'resource',
        action: 'created' in result ? 'created' : 'adopted',
        kind: 'launch-template',
        name: names.launchTemplate,
        id: result.id,
      });
      return done({ amiId, launchTemplateId: result.id });
    },
    async creatingGroup(input, signal) {
      ledger.intend('auto-scaling-group', names.group);
      const result = await aws.autoscaling.createGroup(
        {
          name: names.group,
          launchTemplateName: names.launchTemplate,
          zones: [...need(input.facts.zones, 'zones')],
          subnetIds: [...need(input.facts.subnetIds, 'subnets')],
          size: GROUP_SIZE,
          tags,
        },
        { signal },
      );
      if (result === 'profile-not-ready')
        return notYet(input, `instance profile ${names.instanceProfile} not yet usable`);
      ledger.created('auto-scaling-group', names.group);
      deps.emit({
        type: 'resource',
        action: result === 'created' ? 'created' : 'adopted',
        kind: 'auto-scaling-group',
        name: names.group,
      });
      return done();
    },
    async creatingTargetGroup(input, signal) {
      ledger.intend('target-group', names.targetGroup);
      const group = await aws.elbv2.createTargetGroup(
        { name: names.targetGroup, vpcId: need(input.facts.vpcId, 'the VPC'), tags },
        { signal },
      );
      ledger.created('target-group', names.targetGroup, { arn: group.TargetGroupArn });
      deps.emit({
        type: 'resource',
        action: 'created',
        kind: 'target-group',
        name: names.targetGroup,
        id: group.TargetGroupArn,
      });
      return done({ targetGroupArn: need(group.TargetGroupArn, 'a target group ARN') });
    },
    async creatingLoadBalancer(input, signal) {
      ledger.intend('load-balancer', names.loadBalancer);
      const lb = await aws.elbv2.createLoadBalancer(
        { name: names.loadBalancer, subnetIds: [...need(input.facts.subnetIds, 'subnets')], tags },
        { signal },
      );
      ledger.created('load-balancer', names.loadBalancer, { arn: lb.LoadBalancerArn });
      deps.emit({
        type: 'resource',
        action: 'created',
        kind: 'load-balancer',
        name: names.loadBalancer,
        id: lb.LoadBalancerArn,
      });
      return done({
        loadBalancerArn: need(lb.LoadBalancerArn, 'a load balancer ARN'),
        dnsName: need(lb.DNSName, 'a DNS name'),
      });
    },
    async lbProvisioning(input, signal) {
      const lb = await aws.elbv2.describeLoadBalancer(names.loadBalancer, { signal });
      const state = lb?.State?.Code;
      if (state === 'active') return done();
      if (lb === undefined || state === 'failed') {
        throw new ResilientError(
          'CLOUD',
          `Load balancer ${names.loadBalancer} ${lb === undefined ? 'disappeared' : 'failed to provision'}.`,
        );
      }
      deps.emit({
        type: 'wait-progress',
        what: `load balancer ${names.loadBalancer}`,
        deadline: input.deadline,
        detail: state ?? 'unknown',
      });
      return notYet(input, `load balancer is ${state}`);
    },
    async creatingListener(input, signal) {
      ledger.intend('listener', `${names.loadBalancer}:${HTTP_PORT}`);
      const arn = await aws.elbv2.createListener(
        {
          loadBalancerArn: need(input.facts.loadBalancerArn, 'the load balancer'),
          targetGroupArn: need(input.facts.targetGroupArn, 'the target group'),
          port: HTTP_PORT,
        },
        { signal },
      );
      ledger.created('listener', `${names.loadBalancer}:${HTTP_PORT}`, { arn });
      return done({ listenerArn: arn });
    },
    async attachingTargetGroup(input, signal) {
      const result = await aws.autoscaling.attachTargetGroups(
        names.group,
        [need(input.facts.targetGroupArn, 'the target group')],
        { signal },
      );
      if (result === 'not-found')
        throw new ResilientError('CLOUD', `Auto Scaling group ${names.group} disappeared.`);
      return done();
    },
    async verifyingEndpoint(input, signal) {
      const url = `http://${need(input.facts.dnsName, 'the endpoint')}/`;
      const seen = await deps.get(url, 5_000);
      if (seen.status === 200) {
        deps.emit({ type: 'endpoint', url });
        return done({ needsIngress: false });
      }
      // On AWS, after a few failures, look at the default security group (seed "Verify endpoint").
      if (deps.target === 'aws' && input.attempt >= 2 && input.facts.ingressAdded !== true) {
        const blocked = await ingressBlocked(deps, input, signal);
        if (blocked !== undefined) return done({ needsIngress: true, ...blocked });
      }
      return notYet(
        input,
        `endpoint answered ${seen.status === 0 ? (seen.error ?? 'no connection') : seen.status}`,
      );
    },
    async addingIngress(input, signal) {
      const groupId = need(input.facts.securityGroupId, 'the security group');
      const cidr = need(input.facts.callerCidr, "the caller's address");
      const name = `${groupId}|${cidr}|${HTTP_PORT}`;
      ledger.intend('ingress-rule', name);
      const result = await aws.ec2.authorizeIngress({ groupId, cidr, port: HTTP_PORT, tags }, { signal });
      ledger.created('ingress-rule', name, result === 'exists' ? {} : { id: result.ruleId });
      return done({ ingressAdded: true, needsIngress: false });
    },
  };
}

/** The default security group and the caller's /32 when port 80 is open neither to it nor to everyone. */
async function ingressBlocked(
  deps: StepDeps,
  input: In,
  signal: AbortSignal,
): Promise<{ securityGroupId: string; callerCidr: string } | undefined> {
  const group = await deps.aws.ec2.defaultSecurityGroup(need(input.facts.vpcId, 'the VPC'), { signal });
  const ip = await deps.callerIp();
  if (group?.GroupId === undefined || ip === undefined) return undefined;
  const open = (group.IpPermissions ?? []).some(
    (p) =>
      (p.IpProtocol === '-1' || ((p.FromPort ?? 0) <= HTTP_PORT && (p.ToPort ?? 65535) >= HTTP_PORT)) &&
      ((p.PrefixListIds?.length ?? 0) > 0 ||
        (p.IpRanges ?? []).some((r) => r.CidrIp === '0.0.0.0/0' || r.CidrIp === `${ip}/32`)),
  );
  return open ? undefined : { securityGroupId: group.GroupId, callerCidr: `${ip}/32` };
}

/** The steps as the machine's named actors. */
export function deployActors(deps: StepDeps) {
  const steps = deploySteps(deps);
  return Object.fromEntries(
    Object.entries(steps).map(([name, fn]) => [
      name,
      fromPromise<StepResult<DeployFacts>, In>(({ input, signal }) => runStep(fn, input, signal)),
    ]),
  ) as Record<DeployStep, ReturnType<typeof fromPromise<StepResult<DeployFacts>, In>>>;
}
