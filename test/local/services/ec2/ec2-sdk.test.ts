import {
  AuthorizeSecurityGroupIngressCommand,
  CreateKeyPairCommand,
  CreateLaunchTemplateCommand,
  CreateTagsCommand,
  DeleteKeyPairCommand,
  DeleteLaunchTemplateCommand,
  DeleteTagsCommand,
  DescribeAvailabilityZonesCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypeOfferingsCommand,
  DescribeKeyPairsCommand,
  DescribeLaunchTemplatesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeTagsCommand,
  DescribeVpcsCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloud } from '../../../_support/fake-local-cloud.ts';
import type { TestLocalCloud } from '../../../_support/local-cloud.ts';
import { localClient } from '../../../_support/local-cloud.ts';

let local: TestLocalCloud;
let ec2: EC2Client;

beforeAll(async () => {
  local = await startCloud();
  ec2 = localClient(EC2Client, local);
});
afterAll(async () => {
  ec2?.destroy();
  await local?.close();
});

describe('EC2 over the wire', () => {
  it('describes the configured zones, the default VPC and a default subnet per zone', async () => {
    const zones = await ec2.send(new DescribeAvailabilityZonesCommand({}));
    const names = zones.AvailabilityZones?.map((z) => z.ZoneName ?? '');
    expect(names).toEqual(local.cloud.config.zones);
    const vpcs = await ec2.send(
      new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }),
    );
    expect(vpcs.Vpcs).toHaveLength(1);
    const vpcId = vpcs.Vpcs?.[0]?.VpcId ?? '';
    expect(vpcs.Vpcs?.[0]?.IsDefault).toBe(true);
    const subnets = await ec2.send(
      new DescribeSubnetsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [vpcId] },
          { Name: 'availability-zone', Values: names?.slice(0, 2) ?? [] },
          { Name: 'default-for-az', Values: ['true'] },
        ],
      }),
    );
    expect(subnets.Subnets?.map((s) => s.AvailabilityZone)).toEqual(names?.slice(0, 2));
    await expect(
      ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'no-such-filter', Values: ['x'] }] })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
  });

  it('authorizes and revokes ingress on the default group with AWS duplicate/not-found errors', async () => {
    const vpcId = (await ec2.send(new DescribeVpcsCommand({}))).Vpcs?.[0]?.VpcId ?? '';
    const groups = await ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: 'group-name', Values: ['default'] },
          { Name: 'vpc-id', Values: [vpcId] },
        ],
      }),
    );
    const groupId = groups.SecurityGroups?.[0]?.GroupId ?? '';
    const rule = {
      GroupId: groupId,
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '203.0.113.7/32' }] },
      ],
    };
    const added = await ec2.send(new AuthorizeSecurityGroupIngressCommand(rule));
    expect(added.Return).toBe(true);
    await expect(ec2.send(new AuthorizeSecurityGroupIngressCommand(rule))).rejects.toMatchObject({
      name: 'InvalidPermission.Duplicate',
    });
    const seen = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
    const perm = seen.SecurityGroups?.[0]?.IpPermissions?.find((p) => p.FromPort === 80);
    expect(perm?.IpRanges).toEqual([{ CidrIp: '203.0.113.7/32' }]);
    expect(perm?.PrefixListIds).toEqual([]);
    await ec2.send(new RevokeSecurityGroupIngressCommand(rule));
    await expect(ec2.send(new RevokeSecurityGroupIngressCommand(rule))).rejects.toMatchObject({
      name: 'InvalidPermission.NotFound',
    });
  });

  it('creates launch templates once per name, honours ClientToken and reports missing names', async () => {
    const input = {
      LaunchTemplateName: 'web-template',
      ClientToken: 'token-1',
      LaunchTemplateData: {
        ImageId: 'ami-0a1b2c3d4e5f60718',
        InstanceType: 't3.micro' as const,
        UserData: Buffer.from('#!/bin/bash\necho hi\n').toString('base64'),
        IamInstanceProfile: { Name: 'web-profile' },
        MetadataOptions: { HttpTokens: 'required' as const },
      },
      TagSpecifications: [
        { ResourceType: 'launch-template' as const, Tags: [{ Key: 'resilient:deployment', Value: 't' }] },
      ],
    };
    const first = await ec2.send(new CreateLaunchTemplateCommand(input));
    const id = first.LaunchTemplate?.LaunchTemplateId ?? '';
    expect(id).toMatch(/^lt-[0-9a-f]{17}$/);
    const again = await ec2.send(new CreateLaunchTemplateCommand(input));
    expect(again.LaunchTemplate?.LaunchTemplateId).toBe(id);
    await expect(
      ec2.send(new CreateLaunchTemplateCommand({ ...input, ClientToken: 'token-2' })),
    ).rejects.toMatchObject({ name: 'InvalidLaunchTemplateName.AlreadyExistsException' });
    const described = await ec2.send(
      new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ['web-template'] }),
    );
    expect(described.LaunchTemplates?.[0]).toMatchObject({
      LaunchTemplateId: id,
      DefaultVersionNumber: 1,
      Tags: [{ Key: 'resilient:deployment', Value: 't' }],
    });
    expect(described.LaunchTemplates?.[0]?.CreateTime).toBeInstanceOf(Date);
    await ec2.send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: id }));
    await expect(
      ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ['web-template'] })),
    ).rejects.toMatchObject({ name: 'InvalidLaunchTemplateName.NotFoundException' });
  });

  it('creates, lists, tags and deletes key pairs', async () => {
    const created = await ec2.send(new CreateKeyPairCommand({ KeyName: 'kp' }));
    expect(created.KeyMaterial).toContain('BEGIN RSA PRIVATE KEY');
    await expect(ec2.send(new CreateKeyPairCommand({ KeyName: 'kp' }))).rejects.toMatchObject({
      name: 'InvalidKeyPair.Duplicate',
    });
    const id = created.KeyPairId ?? '';
    await ec2.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: 'team', Value: 'a' }] }));
    const tags = await ec2.send(
      new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [id] }] }),
    );
    expect(tags.Tags).toEqual([{ ResourceId: id, ResourceType: 'key-pair', Key: 'team', Value: 'a' }]);
    await ec2.send(new DeleteTagsCommand({ Resources: [id], Tags: [{ Key: 'team' }] }));
    expect((await ec2.send(new DescribeKeyPairsCommand({ KeyNames: ['kp'] }))).KeyPairs?.[0]?.Tags).toEqual(
      [],
    );
    await ec2.send(new DeleteKeyPairCommand({ KeyName: 'kp' }));
    await ec2.send(new DeleteKeyPairCommand({ KeyName: 'kp' }));
    await expect(ec2.send(new DescribeKeyPairsCommand({ KeyNames: ['kp'] }))).rejects.toMatchObject({
      name: 'InvalidKeyPair.NotFound',
    });
  });

  it('offers the local image and t3.micro in every zone, and rejects unknown instance ids', async () => {
    const images = await ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-0a1b2c3d4e5f60718'] }));
    expect(images.Images?.[0]?.State).toBe('available');
    const offerings = await ec2.send(
      new DescribeInstanceTypeOfferingsCommand({
        LocationType: 'availability-zone',
        Filters: [{ Name: 'instance-type', Values: ['t3.micro'] }],
      }),
    );
    expect(offerings.InstanceTypeOfferings?.map((o) => o.Location)).toEqual(local.cloud.config.zones);
    await expect(
      ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] })),
    ).rejects.toMatchObject({ name: 'InvalidInstanceID.NotFound' });
    expect((await ec2.send(new DescribeInstancesCommand({}))).Reservations).toEqual([]);
  });
});
