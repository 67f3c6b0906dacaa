import {
  AuthorizeSecurityGroupIngressCommand,
  CreateLaunchTemplateCommand,
  DeleteLaunchTemplateCommand,
  DescribeAvailabilityZonesCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypeOfferingsCommand,
  DescribeLaunchTemplatesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type EC2Client,
  type Filter,
  type LaunchTemplate,
  RebootInstancesCommand,
  ReplaceIamInstanceProfileAssociationCommand,
  type RequestLaunchTemplateData,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroup,
  type SecurityGroupRule,
  type Tag,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  awsErrorMessage,
  type CallOptions,
  code,
  isAwsError,
  orAbsent,
  outcome,
  sendOptions,
} from './errors.ts';
import { type Created, created, existing, type ProfileNotReady } from './result.ts';

export interface InstanceSummary {
  readonly id: string;
  readonly state: string;
  readonly zone: string;
}

/** @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/OperationList-query-ec2.html */
export interface Ec2 {
  availabilityZones(options?: CallOptions): Promise<string[]>;
  defaultVpcId(options?: CallOptions): Promise<string | undefined>;
  /**
   * The default subnet of each zone of the default VPC (filter `default-for-az`), and whether it gives
   * instances a public IPv4 address (`MapPublicIpOnLaunch`).
   */
  defaultSubnets(
    vpcId: string,
    zones: string[],
    options?: CallOptions,
  ): Promise<{ id: string; zone: string; publicIp: boolean }[]>;
  /** Zones that offer the instance type; `undefined` when the endpoint does not implement the call. */
  instanceTypeZones(instanceType: string, options?: CallOptions): Promise<string[] | undefined>;
  /**
   * Creates the launch template, idempotent by `ClientToken`; an existing one of the same name is adopted.
   * `'profile-not-ready'`: the instance profile is not yet visible to EC2 (IAM is eventually consistent).
   */
  createLaunchTemplate(
    input: { name: string; clientToken: string; data: RequestLaunchTemplateData; tags: Tag[] },
    options?: CallOptions,
  ): Promise<Created<LaunchTemplate> | ProfileNotReady>;
  describeLaunchTemplate(
    name: string,
    options?: CallOptions,
  ): Promise<{ id: string; name: string } | undefined>;
  /** Launch templates carrying a tag, for the sweep. */
  launchTemplatesByTag(
    key: string,
    value: string,
    options?: CallOptions,
  ): Promise<{ id: string; name: string }[]>;
  deleteLaunchTemplate(name: string, options?: CallOptions): Promise<'deleted' | 'not-found'>;
  /** Instances (not terminated) matching the filters. */
  instances(filters: Filter[], options?: CallOptions): Promise<InstanceSummary[]>;
  terminateInstances(ids: string[], options?: CallOptions): Promise<'terminating' | 'not-found'>;
  rebootInstances(ids: string[], options?: CallOptions): Promise<'rebooting' | 'not-found'>;
  /**
   * The instance's live profile association: `associated`, or `associating` right after a replace
   * (ReplaceIamInstanceProfileAssociation answers `associating`; the demo reboots only once it is
   * `associated`). `undefined`: the instance has none (or is gone).
   */
  profileAssociation(
    instanceId: string,
    options?: CallOptions,
  ): Promise<{ associationId: string; profileArn: string; state: 'associating' | 'associated' } | undefined>;
  replaceProfileAssociation(
    associationId: string,
    profileName: string,
    options?: CallOptions,
  ): Promise<'replaced' | 'profile-not-ready' | 'not-found'>;
  defaultSecurityGroup(vpcId: string, options?: CallOptions): Promise<SecurityGroup | undefined>;
  /**
   * Adds a TCP ingress rule. The same rule already there (InvalidPermission.Duplicate) is `created: false`
   * with an empty rule: EC2 does not say which rule it is.
   */
  authorizeIngress(
    input: { groupId: string; cidr: string; port: number; tags: Tag[] },
    options?: CallOptions,
  ): Promise<Created<SecurityGroupRule>>;
  revokeIngress(
    input: { groupId: string; cidr: string; port: number },
    options?: CallOptions,
  ): Promise<'revoked' | 'not-found'>;
  /**
   * Ingress rules carrying a tag (DescribeSecurityGroupRules, filter `tag:<key>`): how destroy finds the
   * rule it added without a checkpoint.
   */
  ingressRulesByTag(key: string, value: string, options?: CallOptions): Promise<IngressRule[]>;
  /** Revokes rules of a group by id; `'not-found'` when they are already gone. */
  revokeIngressRules(
    groupId: string,
    ruleIds: string[],
    options?: CallOptions,
  ): Promise<'revoked' | 'not-found'>;
}

export interface IngressRule {
  readonly groupId: string;
  readonly ruleId: string;
  readonly cidr: string;
  readonly port: number;
}

const isNotFound = (error: unknown): boolean =>
  isAwsError(
    error,
    'InvalidLaunchTemplateName.NotFoundException',
    'InvalidLaunchTemplateId.NotFound',
    'InvalidLaunchTemplateName.NotFound',
    'InvalidInstanceID.NotFound',
    'InvalidGroup.NotFound',
    'InvalidAssociationID.NotFound',
  );

/** EC2's answer when an instance profile created seconds ago is not yet visible to it. */
export const isProfileNotReady = (error: unknown): boolean =>
  (isAwsError(error, 'InvalidParameterValue', 'ValidationError', 'InvalidIamInstanceProfile') &&
    /iam ?instance ?profile|instance profile/i.test(awsErrorMessage(error))) ||
  isAwsError(error, 'InvalidIamInstanceProfile.NotFound');

const summary = (t: LaunchTemplate) => ({ id: t.LaunchTemplateId ?? '', name: t.LaunchTemplateName ?? '' });

export function createEc2(client: EC2Client): Ec2 {
  const describeTemplates = async (
    input: { names?: string[]; filters?: Filter[] },
    options?: CallOptions,
  ) => {
    try {
      const out = await client.send(
        new DescribeLaunchTemplatesCommand({
          ...(input.names ? { LaunchTemplateNames: input.names } : {}),
          ...(input.filters ? { Filters: input.filters } : {}),
        }),
        sendOptions(options),
      );
      return out.LaunchTemplates ?? [];
    } catch (error: unknown) {
      if (isNotFound(error)) return [];
      throw error;
    }
  };
  return {
    async availabilityZones(options) {
      const out = await client.send(
        new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'state', Values: ['available'] }] }),
        sendOptions(options),
      );
      return (out.AvailabilityZones ?? []).flatMap((z) => (z.ZoneName === undefined ? [] : [z.ZoneName]));
    },
    async defaultVpcId(options) {
      const out = await client.send(
        new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }),
        sendOptions(options),
      );
      return out.Vpcs?.[0]?.VpcId;
    },
    async defaultSubnets(vpcId, zones, options) {
      const out = await client.send(
        new DescribeSubnetsCommand({
          Filters: [
            { Name: 'vpc-id', Values: [vpcId] },
            { Name: 'availability-zone', Values: zones },
            { Name: 'default-for-az', Values: ['true'] },
          ],
        }),
        sendOptions(options),
      );
      return (out.Subnets ?? []).map((s) => ({
        id: s.SubnetId ?? '',
        zone: s.AvailabilityZone ?? '',
        publicIp: s.MapPublicIpOnLaunch === true,
      }));
    },
    instanceTypeZones: (instanceType, options) =>
      orAbsent(
        async () => {
          const out = await client.send(
            new DescribeInstanceTypeOfferingsCommand({
              LocationType: 'availability-zone',
              Filters: [{ Name: 'instance-type', Values: [instanceType] }],
            }),
            sendOptions(options),
          );
          return (out.InstanceTypeOfferings ?? []).flatMap((o) =>
            o.Location === undefined ? [] : [o.Location],
          );
        },
        // An endpoint that does not implement the call (not every AWS-compatible one does).
        code('InvalidAction', 'UnknownOperationException', 'NotImplemented'),
      ),
    async createLaunchTemplate({ name, clientToken, data, tags }, options) {
      try {
        const out = await client.send(
          new CreateLaunchTemplateCommand({
            LaunchTemplateName: name,
            ClientToken: clientToken,
            LaunchTemplateData: data,
            TagSpecifications: [{ ResourceType: 'launch-template', Tags: tags }],
          }),
          sendOptions(options),
        );
        return created(out.LaunchTemplate ?? { LaunchTemplateName: name });
      } catch (error: unknown) {
        if (isProfileNotReady(error)) return 'profile-not-ready';
        if (!isAwsError(error, 'InvalidLaunchTemplateName.AlreadyExistsException')) throw error;
      }
      const [found] = await describeTemplates({ names: [name] }, options);
      if (found === undefined) throw new Error(`launch template ${name} exists but cannot be described`);
      return existing(found);
    },
    async describeLaunchTemplate(name, options) {
      const [found] = await describeTemplates({ names: [name] }, options);
      return found === undefined ? undefined : summary(found);
    },
    launchTemplatesByTag: async (key, value, options) =>
      (await describeTemplates({ filters: [{ Name: `tag:${key}`, Values: [value] }] }, options)).map(summary),
    deleteLaunchTemplate: (name, options) =>
      outcome(
        () =>
          client.send(new DeleteLaunchTemplateCommand({ LaunchTemplateName: name }), sendOptions(options)),
        'deleted',
        ['not-found', isNotFound],
      ),
    async instances(filters, options) {
      const found: InstanceSummary[] = [];
      let token: string | undefined;
      do {
        const out = await client.send(
          new DescribeInstancesCommand({ Filters: filters, NextToken: token }),
          sendOptions(options),
        );
        for (const r of out.Reservations ?? []) {
          for (const i of r.Instances ?? []) {
            const state = i.State?.Name ?? 'unknown';
            if (i.InstanceId !== undefined && state !== 'terminated') {
              found.push({ id: i.InstanceId, state, zone: i.Placement?.AvailabilityZone ?? '' });
            }
          }
        }
        token = out.NextToken;
      } while (token !== undefined && token !== '');
      return found;
    },
    terminateInstances: (ids, options) =>
      outcome(
        () => client.send(new TerminateInstancesCommand({ InstanceIds: ids }), sendOptions(options)),
        'terminating',
        ['not-found', isNotFound],
      ),
    rebootInstances: (ids, options) =>
      outcome(
        () => client.send(new RebootInstancesCommand({ InstanceIds: ids }), sendOptions(options)),
        'rebooting',
        ['not-found', isNotFound],
      ),
    async profileAssociation(instanceId, options) {
      const out = await client.send(
        new DescribeIamInstanceProfileAssociationsCommand({
          Filters: [
            { Name: 'instance-id', Values: [instanceId] },
            { Name: 'state', Values: ['associating', 'associated'] },
          ],
        }),
        sendOptions(options),
      );
      const live = out.IamInstanceProfileAssociations ?? [];
      // During a replace the new association may be listed `associating` next to the old one ending.
      const a = live.find((x) => x.State === 'associating') ?? live[0];
      if (a?.AssociationId === undefined) return undefined;
      return {
        associationId: a.AssociationId,
        profileArn: a.IamInstanceProfile?.Arn ?? '',
        state: a.State === 'associating' ? 'associating' : 'associated',
      };
    },
    replaceProfileAssociation: (associationId, profileName, options) =>
      outcome(
        () =>
          client.send(
            new ReplaceIamInstanceProfileAssociationCommand({
              AssociationId: associationId,
              IamInstanceProfile: { Name: profileName },
            }),
            sendOptions(options),
          ),
        'replaced',
        ['profile-not-ready', isProfileNotReady],
        ['not-found', isNotFound],
      ),
    async defaultSecurityGroup(vpcId, options) {
      const out = await client.send(
        new DescribeSecurityGroupsCommand({
          Filters: [
            { Name: 'group-name', Values: ['default'] },
            { Name: 'vpc-id', Values: [vpcId] },
          ],
        }),
        sendOptions(options),
      );
      return out.SecurityGroups?.[0];
    },
    async authorizeIngress({ groupId, cidr, port, tags }, options) {
      try {
        const out = await client.send(
          new AuthorizeSecurityGroupIngressCommand({
            GroupId: groupId,
            IpPermissions: [
              { IpProtocol: 'tcp', FromPort: port, ToPort: port, IpRanges: [{ CidrIp: cidr }] },
            ],
            TagSpecifications: [{ ResourceType: 'security-group-rule', Tags: tags }],
          }),
          sendOptions(options),
        );
        return created(out.SecurityGroupRules?.[0] ?? {});
      } catch (error: unknown) {
        if (isAwsError(error, 'InvalidPermission.Duplicate')) return existing({});
        throw error;
      }
    },
    async ingressRulesByTag(key, value, options) {
      const found: IngressRule[] = [];
      let token: string | undefined;
      do {
        const out = await client.send(
          new DescribeSecurityGroupRulesCommand({
            Filters: [{ Name: `tag:${key}`, Values: [value] }],
            NextToken: token,
          }),
          sendOptions(options),
        );
        for (const r of out.SecurityGroupRules ?? []) {
          if (r.IsEgress === true || r.GroupId === undefined || r.SecurityGroupRuleId === undefined) continue;
          found.push({
            groupId: r.GroupId,
            ruleId: r.SecurityGroupRuleId,
            cidr: r.CidrIpv4 ?? '',
            port: r.FromPort ?? 0,
          });
        }
        token = out.NextToken;
      } while (token !== undefined && token !== '');
      return found;
    },
    revokeIngressRules: (groupId, ruleIds, options) =>
      outcome(
        () =>
          client.send(
            new RevokeSecurityGroupIngressCommand({ GroupId: groupId, SecurityGroupRuleIds: ruleIds }),
            sendOptions(options),
          ),
        'revoked',
        ['not-found', code('InvalidPermission.NotFound', 'InvalidSecurityGroupRuleId.NotFound')],
        ['not-found', isNotFound],
      ),
    async revokeIngress({ groupId, cidr, port }, options) {
      try {
        const out = await client.send(
          new RevokeSecurityGroupIngressCommand({
            GroupId: groupId,
            IpPermissions: [
              { IpProtocol: 'tcp', FromPort: port, ToPort: port, IpRanges: [{ CidrIp: cidr }] },
            ],
          }),
          sendOptions(options),
        );
        // Revoking a rule that is not there succeeds with UnknownIpPermissions listing it.
        return (out.UnknownIpPermissions?.length ?? 0) > 0 ? 'not-found' : 'revoked';
      } catch (error: unknown) {
        if (isAwsError(error, 'InvalidPermission.NotFound') || isNotFound(error)) return 'not-found';
        throw error;
      }
    },
  };
}
