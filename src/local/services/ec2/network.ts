/**
 * EC2 network and catalogue operations: zones, the default VPC and its default subnets, the default
 * security group and its ingress rules, the local image and the instance types offered. The VPC is
 * created with the slice (a new account has a default VPC with a default subnet per zone).
 */
import type {
  AvailabilityZone,
  DescribeAvailabilityZonesCommandInput,
  DescribeAvailabilityZonesCommandOutput,
  DescribeSubnetsCommandInput,
  DescribeSubnetsCommandOutput,
  DescribeVpcsCommandInput,
  DescribeVpcsCommandOutput,
} from '@aws-sdk/client-ec2';
import { AwsServiceError, type CallContext, type Cloud } from '../../contracts.ts';
import { matchesFilters } from '../shared/filters.ts';
import type { Out } from '../shared/ops.ts';
import { ec2Errors } from './errors.ts';
import { ec2State } from './model.ts';

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
