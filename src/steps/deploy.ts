import type { LaunchTemplate, RequestLaunchTemplateData } from '@aws-sdk/client-ec2';
import type { LoadBalancer, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { DeployFacts, DeployStep } from '../../machines/deploy.ts';
import type { StepInput } from '../../machines/step-kit.ts';
import { instancePolicy, ssmOnlyPolicy } from '../../resources/policies.ts';
import { RECOMMENDATIONS } from '../../resources/recommendations.ts';
import type { AttributeItem } from '../aws/dynamodb.ts';
import { AL2023_AMI_PARAMETER } from '../aws/ssm.ts';
import { ResilientError } from '../errors.ts';
import { deploymentTags } from '../names.ts';
import { asActors, done, notYet, type StepDeps, type StepFn } from './deps.ts';
import { createIamSet, foreignIam } from './iam.ts';
import { createOrAdopt } from './kit.ts';

export const INSTANCE_TYPE = 't3.micro';
export const GROUP_SIZE = 3;
export const HTTP_PORT = 80;

type Fn = StepFn<DeployFacts>;
type In = StepInput<DeployFacts>;

const need = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new ResilientError('INTERNAL', `deploy reached a step without ${what}`);
  return value;
};

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
      await createOrAdopt(deps, 'table', names.table, () =>
        aws.dynamodb.createTable({ name: names.table, tags }, { signal }),
      );
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
        await createOrAdopt(
          deps,
          'parameter',
          name,
          () => aws.ssm.putParameter({ name, value, tags }, { signal }),
          {
            quiet: true,
          },
        );
      }
      return done();
    },
    async creatingInstanceIam(input, signal) {
      const document = JSON.stringify(instancePolicy({ ...scope(deps, input), tableName: names.table }));
      const set = { policy: names.instancePolicy, role: names.instanceRole, profile: names.instanceProfile };
      await createIamSet(deps, scope(deps, input), signal, set, document);
      return done();
    },
    async creatingBcIam(input, signal) {
      const document = JSON.stringify(ssmOnlyPolicy(scope(deps, input)));
      const set = { policy: names.bcPolicy, role: names.bcRole, profile: names.bcProfile };
      await createIamSet(deps, scope(deps, input), signal, set, document);
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
      const data: RequestLaunchTemplateData = {
        ImageId: amiId,
        InstanceType: INSTANCE_TYPE,
        IamInstanceProfile: { Name: names.instanceProfile },
        UserData: Buffer.from(deps.userData(), 'utf8').toString('base64'),
        // IMDSv2 only: a token is required for every metadata request.
        MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled', HttpPutResponseHopLimit: 1 },
        TagSpecifications: [{ ResourceType: 'instance', Tags: tags }],
      };
      const id = (t: LaunchTemplate) => t.LaunchTemplateId ?? '';
      const result = await createOrAdopt(
        deps,
        'launch-template',
        names.launchTemplate,
        (token) =>
          aws.ec2.createLaunchTemplate(
            { name: names.launchTemplate, clientToken: token.slice(0, 64), tags, data },
            { signal },
          ),
        { ids: ({ value }) => ({ id: id(value) }), shownId: id },
      );
      if (result === 'profile-not-ready')
        return notYet(input, `instance profile ${names.instanceProfile} not yet visible`);
      return done({ amiId, launchTemplateId: id(result.value) });
    },
    async creatingGroup(input, signal) {
      const group = {
        name: names.group,
        launchTemplateName: names.launchTemplate,
        zones: [...need(input.facts.zones, 'zones')],
        subnetIds: [...need(input.facts.subnetIds, 'subnets')],
        size: GROUP_SIZE,
        tags,
      };
      const result = await createOrAdopt(deps, 'auto-scaling-group', names.group, () =>
        aws.autoscaling.createGroup(group, { signal }),
      );
      if (result === 'profile-not-ready')
        return notYet(input, `instance profile ${names.instanceProfile} not yet usable`);
      return done();
    },
    async creatingTargetGroup(input, signal) {
      const vpcId = need(input.facts.vpcId, 'the VPC');
      const arn = (g: TargetGroup) => g.TargetGroupArn;
      const { value: group } = await createOrAdopt(
        deps,
        'target-group',
        names.targetGroup,
        () => aws.elbv2.createTargetGroup({ name: names.targetGroup, vpcId, tags }, { signal }),
        { ids: ({ value }) => ({ arn: arn(value) }), shownId: arn },
      );
      return done({ targetGroupArn: need(group.TargetGroupArn, 'a target group ARN') });
    },
    async creatingLoadBalancer(input, signal) {
      const subnetIds = [...need(input.facts.subnetIds, 'subnets')];
      const arn = (l: LoadBalancer) => l.LoadBalancerArn;
      const { value: lb } = await createOrAdopt(
        deps,
        'load-balancer',
        names.loadBalancer,
        () => aws.elbv2.createLoadBalancer({ name: names.loadBalancer, subnetIds, tags }, { signal }),
        { ids: ({ value }) => ({ arn: arn(value) }), shownId: arn },
      );
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
      const listener = {
        loadBalancerArn: need(input.facts.loadBalancerArn, 'the load balancer'),
        targetGroupArn: need(input.facts.targetGroupArn, 'the target group'),
        port: HTTP_PORT,
      };
      const { value } = await createOrAdopt(
        deps,
        'listener',
        `${names.loadBalancer}:${HTTP_PORT}`,
        () => aws.elbv2.createListener(listener, { signal }),
        { ids: (r) => ({ arn: r.value.ListenerArn }), quiet: true },
      );
      return done({ listenerArn: need(value.ListenerArn, 'a listener ARN') });
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
      await createOrAdopt(
        deps,
        'ingress-rule',
        name,
        () => aws.ec2.authorizeIngress({ groupId, cidr, port: HTTP_PORT, tags }, { signal }),
        // EC2 names no rule for a duplicate: the ledger then keeps none (destroy revokes by group, CIDR and port).
        { ids: (r) => (r.created ? { id: r.value.SecurityGroupRuleId ?? '' } : {}), quiet: true },
      );
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
export const deployActors = (deps: StepDeps) => asActors(deploySteps(deps));
