/**
 * EC2 network and catalogue operations: zones, the default VPC and its default subnets, the default
 * security group and its ingress rules, the local image and the instance types offered. The VPC is
 * created with the slice (a new account has a default VPC with a default subnet per zone).
 */
import type {
  AuthorizeSecurityGroupIngressCommandInput,
  AuthorizeSecurityGroupIngressCommandOutput,
  AvailabilityZone,
  DescribeAvailabilityZonesCommandInput,
  DescribeAvailabilityZonesCommandOutput,
  DescribeImagesCommandInput,
  DescribeImagesCommandOutput,
  DescribeInstanceTypeOfferingsCommandInput,
  DescribeInstanceTypeOfferingsCommandOutput,
  DescribeSecurityGroupsCommandInput,
  DescribeSecurityGroupsCommandOutput,
  DescribeSubnetsCommandInput,
  DescribeSubnetsCommandOutput,
  DescribeVpcsCommandInput,
  DescribeVpcsCommandOutput,
  IpPermission,
  RevokeSecurityGroupIngressCommandInput,
  RevokeSecurityGroupIngressCommandOutput,
  SecurityGroup,
} from '@aws-sdk/client-ec2';
import { AwsServiceError, type CallContext, type Cloud } from '../../contracts.ts';
import { matchesFilters } from '../shared/filters.ts';
import { newId } from '../shared/ids.ts';
import { tagFilterValues } from '../shared/tags.ts';
import { ec2Errors } from './errors.ts';
import {
  ec2State,
  type IpPermissionRecord,
  LOCAL_IMAGE_ID,
  LOCAL_IMAGE_NAME,
  OFFERED_INSTANCE_TYPES,
  type SecurityGroupRecord,
} from './model.ts';

type Out<T> = Omit<T, '$metadata'>;

/** `us-west-2` → `usw2`, the prefix of AWS zone ids such as `usw2-az1`. */
function regionShort(region: string): string {
  return region
    .split('-')
    .map((part) => (/^\d+$/.test(part) ? part : part.slice(0, part === 'west' || part === 'east' ? 1 : 2)))
    .join('')
    .replace(/^(..)(.*)$/, '$1$2');
}

export function zoneId(cloud: Cloud, zone: string): string {
  const index = cloud.config.zones.indexOf(zone);
  return `${regionShort(cloud.config.region)}-az${index + 1}`;
}

export function describeAvailabilityZones(
  input: DescribeAvailabilityZonesCommandInput,
  { cloud }: CallContext,
): Out<DescribeAvailabilityZonesCommandOutput> {
  const all: AvailabilityZone[] = cloud.config.zones.map((zone) => ({
    ZoneName: zone,
    ZoneId: zoneId(cloud, zone),
    RegionName: cloud.config.region,
    State: 'available',
    OptInStatus: 'opt-in-not-required',
    ZoneType: 'availability-zone',
    GroupName: cloud.config.region,
    NetworkBorderGroup: cloud.config.region,
    GroupLongName: cloud.config.region,
    Messages: [],
  }));
  const zones = all.filter((z) => {
    if (input.ZoneNames?.length && !input.ZoneNames.includes(z.ZoneName ?? '')) return false;
    if (input.ZoneIds?.length && !input.ZoneIds.includes(z.ZoneId ?? '')) return false;
    return matchesFilters(
      input.Filters,
      (name) =>
        ({
          'zone-name': [z.ZoneName ?? ''],
          'zone-id': [z.ZoneId ?? ''],
          'region-name': [z.RegionName ?? ''],
          state: ['available'],
          'zone-type': ['availability-zone'],
          'opt-in-status': ['opt-in-not-required'],
          'group-name': [z.GroupName ?? ''],
        })[name],
      ec2Errors.invalidFilter,
    );
  });
  for (const name of input.ZoneNames ?? []) {
    if (!cloud.config.zones.includes(name)) {
      throw ec2Errors.invalidParameterValue(`The zone '${name}' does not exist.`);
    }
  }
  return { AvailabilityZones: zones };
}

export function describeVpcs(
  input: DescribeVpcsCommandInput,
  { cloud }: CallContext,
): Out<DescribeVpcsCommandOutput> {
  const { vpc } = ec2State(cloud);
  for (const id of input.VpcIds ?? []) {
    if (id !== vpc.vpcId)
      throw new AwsServiceError('InvalidVpcID.NotFound', `The vpc ID '${id}' does not exist`);
  }
  const ok = matchesFilters(
    input.Filters,
    (name) =>
      ({
        'is-default': ['true'],
        isDefault: ['true'],
        'vpc-id': [vpc.vpcId],
        state: ['available'],
        'cidr-block': [vpc.cidr],
        cidr: [vpc.cidr],
        'owner-id': [cloud.config.accountId],
        'dhcp-options-id': [vpc.dhcpOptionsId],
      })[name],
    ec2Errors.invalidFilter,
  );
  if (!ok) return { Vpcs: [] };
  return {
    Vpcs: [
      {
        VpcId: vpc.vpcId,
        CidrBlock: vpc.cidr,
        State: 'available',
        IsDefault: true,
        DhcpOptionsId: vpc.dhcpOptionsId,
        InstanceTenancy: 'default',
        OwnerId: cloud.config.accountId,
        CidrBlockAssociationSet: [
          {
            AssociationId: `vpc-cidr-assoc-${vpc.vpcId.slice(4)}`,
            CidrBlock: vpc.cidr,
            CidrBlockState: { State: 'associated' },
          },
        ],
        Tags: [],
      },
    ],
  };
}

export function describeSubnets(
  input: DescribeSubnetsCommandInput,
  { cloud }: CallContext,
): Out<DescribeSubnetsCommandOutput> {
  const state = ec2State(cloud);
  for (const id of input.SubnetIds ?? []) {
    if (!state.subnets.some((s) => s.subnetId === id)) {
      throw new AwsServiceError('InvalidSubnetID.NotFound', `The subnet ID '${id}' does not exist`);
    }
  }
  const subnets = state.subnets.filter((s) => {
    if (input.SubnetIds?.length && !input.SubnetIds.includes(s.subnetId)) return false;
    return matchesFilters(
      input.Filters,
      (name) =>
        ({
          'vpc-id': [state.vpc.vpcId],
          'subnet-id': [s.subnetId],
          'availability-zone': [s.zone],
          availabilityZone: [s.zone],
          'availability-zone-id': [zoneId(cloud, s.zone)],
          'default-for-az': ['true'],
          defaultForAz: ['true'],
          state: ['available'],
          'cidr-block': [s.cidr],
          'owner-id': [cloud.config.accountId],
        })[name],
      ec2Errors.invalidFilter,
    );
  });
  return {
    Subnets: subnets.map((s) => ({
      SubnetId: s.subnetId,
      SubnetArn: `arn:aws:ec2:${cloud.config.region}:${cloud.config.accountId}:subnet/${s.subnetId}`,
      VpcId: state.vpc.vpcId,
      AvailabilityZone: s.zone,
      AvailabilityZoneId: zoneId(cloud, s.zone),
      CidrBlock: s.cidr,
      DefaultForAz: true,
      MapPublicIpOnLaunch: true,
      State: 'available',
      AvailableIpAddressCount: 4091,
      OwnerId: cloud.config.accountId,
      Tags: [],
    })),
  };
}

function findGroup(cloud: Cloud, ref: { GroupId?: string | undefined; GroupName?: string | undefined }) {
  const groups = ec2State(cloud).securityGroups;
  if (ref.GroupId !== undefined) {
    const found = groups.find((g) => g.groupId === ref.GroupId);
    if (!found) throw ec2Errors.groupNotFound(ref.GroupId);
    return found;
  }
  if (ref.GroupName !== undefined) {
    const found = groups.find((g) => g.groupName === ref.GroupName);
    if (!found) throw ec2Errors.groupNotFound(ref.GroupName);
    return found;
  }
  throw ec2Errors.missingParameter('groupId');
}

/** Folds stored one-CIDR rules into the API's IpPermissions (one entry per protocol/port range). */
function ipPermissions(group: SecurityGroupRecord): IpPermission[] {
  const out: IpPermission[] = [];
  for (const rule of group.ingress) {
    let perm = out.find(
      (p) => p.IpProtocol === rule.IpProtocol && p.FromPort === rule.FromPort && p.ToPort === rule.ToPort,
    );
    if (!perm) {
      perm = {
        IpProtocol: rule.IpProtocol,
        ...(rule.IpProtocol === '-1' ? {} : { FromPort: rule.FromPort, ToPort: rule.ToPort }),
        IpRanges: [],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [],
      };
      out.push(perm);
    }
    perm.IpRanges?.push(
      rule.Description === undefined
        ? { CidrIp: rule.CidrIp }
        : { CidrIp: rule.CidrIp, Description: rule.Description },
    );
  }
  return out;
}

function toSecurityGroup(cloud: Cloud, group: SecurityGroupRecord): SecurityGroup {
  return {
    GroupId: group.groupId,
    GroupName: group.groupName,
    Description: group.description,
    VpcId: group.vpcId,
    OwnerId: cloud.config.accountId,
    SecurityGroupArn: `arn:aws:ec2:${cloud.config.region}:${cloud.config.accountId}:security-group/${group.groupId}`,
    IpPermissions: ipPermissions(group),
    IpPermissionsEgress: [
      {
        IpProtocol: '-1',
        IpRanges: [{ CidrIp: '0.0.0.0/0' }],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [],
      },
    ],
    Tags: group.tags,
  };
}

export function describeSecurityGroups(
  input: DescribeSecurityGroupsCommandInput,
  { cloud }: CallContext,
): Out<DescribeSecurityGroupsCommandOutput> {
  const groups = ec2State(cloud).securityGroups;
  for (const id of input.GroupIds ?? []) findGroup(cloud, { GroupId: id });
  for (const name of input.GroupNames ?? []) findGroup(cloud, { GroupName: name });
  const selected = groups.filter((g) => {
    if (input.GroupIds?.length && !input.GroupIds.includes(g.groupId)) return false;
    if (input.GroupNames?.length && !input.GroupNames.includes(g.groupName)) return false;
    return matchesFilters(
      input.Filters,
      (name) =>
        tagFilterValues(name, g.tags) ??
        {
          'group-name': [g.groupName],
          'group-id': [g.groupId],
          'vpc-id': [g.vpcId],
          description: [g.description],
          'owner-id': [cloud.config.accountId],
        }[name],
      ec2Errors.invalidFilter,
    );
  });
  return { SecurityGroups: selected.map((g) => toSecurityGroup(cloud, g)) };
}

interface RuleInput {
  IpProtocol: string;
  FromPort: number;
  ToPort: number;
  CidrIp: string;
  Description: string | undefined;
}

/** Flattens IpPermissions (or the legacy top-level CidrIp/IpProtocol/FromPort/ToPort) into one rule per CIDR. */
function rulesOf(
  input: AuthorizeSecurityGroupIngressCommandInput | RevokeSecurityGroupIngressCommandInput,
): RuleInput[] {
  const normalizeProtocol = (p: string | undefined) =>
    p === undefined
      ? '-1'
      : ({ '6': 'tcp', '17': 'udp', '1': 'icmp', all: '-1' }[p.toLowerCase()] ?? p.toLowerCase());
  const rules: RuleInput[] = [];
  for (const perm of input.IpPermissions ?? []) {
    const proto = normalizeProtocol(perm.IpProtocol);
    for (const range of perm.IpRanges ?? []) {
      rules.push({
        IpProtocol: proto,
        FromPort: proto === '-1' ? -1 : (perm.FromPort ?? -1),
        ToPort: proto === '-1' ? -1 : (perm.ToPort ?? -1),
        CidrIp: range.CidrIp ?? '',
        Description: range.Description,
      });
    }
  }
  if (input.CidrIp !== undefined) {
    const proto = normalizeProtocol(input.IpProtocol);
    rules.push({
      IpProtocol: proto,
      FromPort: input.FromPort ?? -1,
      ToPort: input.ToPort ?? -1,
      CidrIp: input.CidrIp,
      Description: undefined,
    });
  }
  for (const rule of rules) {
    if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(rule.CidrIp)) {
      throw ec2Errors.invalidParameterValue(`CIDR block ${rule.CidrIp} is malformed`);
    }
  }
  if (rules.length === 0) throw ec2Errors.missingParameter('ipPermissions');
  return rules;
}

const sameRule = (a: IpPermissionRecord, b: RuleInput) =>
  a.IpProtocol === b.IpProtocol &&
  a.FromPort === b.FromPort &&
  a.ToPort === b.ToPort &&
  a.CidrIp === b.CidrIp;

export function authorizeSecurityGroupIngress(
  input: AuthorizeSecurityGroupIngressCommandInput,
  { cloud }: CallContext,
): Out<AuthorizeSecurityGroupIngressCommandOutput> {
  const group = findGroup(cloud, input);
  const rules = rulesOf(input);
  for (const rule of rules) {
    if (group.ingress.some((r) => sameRule(r, rule))) {
      throw ec2Errors.permissionDuplicate(rule.IpProtocol, rule.FromPort, rule.ToPort, rule.CidrIp);
    }
  }
  const added = rules.map((rule) => {
    const record: IpPermissionRecord = {
      IpProtocol: rule.IpProtocol,
      FromPort: rule.FromPort,
      ToPort: rule.ToPort,
      CidrIp: rule.CidrIp,
      ruleId: newId('sgr'),
      ...(rule.Description === undefined ? {} : { Description: rule.Description }),
    };
    group.ingress.push(record);
    return record;
  });
  cloud.commit();
  return {
    Return: true,
    SecurityGroupRules: added.map((r) => ({
      SecurityGroupRuleId: r.ruleId,
      GroupId: group.groupId,
      GroupOwnerId: cloud.config.accountId,
      IsEgress: false,
      IpProtocol: r.IpProtocol,
      FromPort: r.FromPort,
      ToPort: r.ToPort,
      CidrIpv4: r.CidrIp,
      ...(r.Description === undefined ? {} : { Description: r.Description }),
    })),
  };
}

export function revokeSecurityGroupIngress(
  input: RevokeSecurityGroupIngressCommandInput,
  { cloud }: CallContext,
): Out<RevokeSecurityGroupIngressCommandOutput> {
  const group = findGroup(cloud, input);
  const ruleIds = input.SecurityGroupRuleIds ?? [];
  if (ruleIds.length > 0) {
    for (const id of ruleIds) {
      if (!group.ingress.some((r) => r.ruleId === id)) throw ec2Errors.permissionNotFound();
    }
    group.ingress = group.ingress.filter((r) => !ruleIds.includes(r.ruleId));
  } else {
    const rules = rulesOf(input);
    // Revoking a rule that does not exist fails as a whole, like EC2 (InvalidPermission.NotFound).
    for (const rule of rules) {
      if (!group.ingress.some((r) => sameRule(r, rule))) throw ec2Errors.permissionNotFound();
    }
    group.ingress = group.ingress.filter((r) => !rules.some((rule) => sameRule(r, rule)));
  }
  cloud.commit();
  return { Return: true };
}

export function describeImages(
  input: DescribeImagesCommandInput,
  { cloud }: CallContext,
): Out<DescribeImagesCommandOutput> {
  for (const id of input.ImageIds ?? []) {
    if (id !== LOCAL_IMAGE_ID) throw ec2Errors.imageNotFound(id);
  }
  const owners = input.Owners ?? [];
  const ownerOk =
    owners.length === 0 || owners.some((o) => o === 'amazon' || o === 'self' || o === cloud.config.accountId);
  const filterOk = matchesFilters(
    input.Filters,
    (name) =>
      ({
        'image-id': [LOCAL_IMAGE_ID],
        name: [LOCAL_IMAGE_NAME],
        architecture: ['x86_64'],
        state: ['available'],
        'owner-alias': ['amazon'],
        'root-device-type': ['ebs'],
        'virtualization-type': ['hvm'],
        'image-type': ['machine'],
        'is-public': ['true'],
      })[name],
    ec2Errors.invalidFilter,
  );
  if (!ownerOk || !filterOk) return { Images: [] };
  return {
    Images: [
      {
        ImageId: LOCAL_IMAGE_ID,
        Name: LOCAL_IMAGE_NAME,
        Description: 'Local cloud image: runs the resilient recommendation server as a process',
        Architecture: 'x86_64',
        State: 'available',
        ImageType: 'machine',
        Public: true,
        OwnerId: '137112412989',
        ImageOwnerAlias: 'amazon',
        PlatformDetails: 'Linux/UNIX',
        RootDeviceType: 'ebs',
        RootDeviceName: '/dev/xvda',
        VirtualizationType: 'hvm',
        Hypervisor: 'xen',
        EnaSupport: true,
        ImdsSupport: 'v2.0',
        CreationDate: '2025-01-01T00:00:00.000Z',
        BlockDeviceMappings: [],
      },
    ],
  };
}

export function describeInstanceTypeOfferings(
  input: DescribeInstanceTypeOfferingsCommandInput,
  { cloud }: CallContext,
): Out<DescribeInstanceTypeOfferingsCommandOutput> {
  const locationType = input.LocationType ?? 'region';
  const locations =
    locationType === 'availability-zone'
      ? [...cloud.config.zones]
      : locationType === 'availability-zone-id'
        ? cloud.config.zones.map((z) => zoneId(cloud, z))
        : [cloud.config.region];
  const offerings = locations.flatMap((location) =>
    OFFERED_INSTANCE_TYPES.map((type) => ({
      InstanceType: type,
      LocationType: locationType,
      Location: location,
    })),
  );
  return {
    InstanceTypeOfferings: offerings.filter((o) =>
      matchesFilters(
        input.Filters,
        (name) => ({ location: [o.Location], 'instance-type': [o.InstanceType] })[name],
        ec2Errors.invalidFilter,
      ),
    ),
  };
}
