/**
 * The one local image (DescribeImages) and the instance types offered per Region, zone or zone id
 * (DescribeInstanceTypeOfferings).
 */
import type {
  DescribeImagesCommandInput,
  DescribeImagesCommandOutput,
  DescribeInstanceTypeOfferingsCommandInput,
  DescribeInstanceTypeOfferingsCommandOutput,
} from '@aws-sdk/client-ec2';
import type { CallContext } from '../../contracts.ts';
import { matchesFilters } from '../shared/filters.ts';
import type { Out } from '../shared/ops.ts';
import { ec2Errors } from './errors.ts';
import { LOCAL_IMAGE_ID, LOCAL_IMAGE_NAME, OFFERED_INSTANCE_TYPES } from './model.ts';
import { zoneId } from './network.ts';

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
