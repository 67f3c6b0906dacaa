import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DeleteAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  DescribeScalingActivitiesCommand,
  SetDesiredCapacityCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloud, waitFor } from '../../../_support/fake-local-cloud.ts';
import type { TestLocalCloud } from '../../../_support/local-cloud.ts';
import { localClient } from '../../../_support/local-cloud.ts';

let local: TestLocalCloud;
let asg: AutoScalingClient;
let ec2: EC2Client;

beforeAll(async () => {
  local = await startCloud();
  asg = localClient(AutoScalingClient, local);
  ec2 = localClient(EC2Client, local);
  await ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: 'web-lt',
      LaunchTemplateData: { ImageId: 'ami-0a1b2c3d4e5f60718', InstanceType: 't3.micro' },
    }),
  );
});
afterAll(async () => {
  asg?.destroy();
  ec2?.destroy();
  await local?.close();
});

const group = (name: string, size: number, zones?: string[]) => ({
  AutoScalingGroupName: name,
  MinSize: size,
  MaxSize: size,
  AvailabilityZones: zones ?? local.cloud.config.zones.slice(),
  LaunchTemplate: { LaunchTemplateName: 'web-lt', Version: '$Default' },
  Tags: [{ Key: 'resilient:deployment', Value: 't', PropagateAtLaunch: true }],
});

async function inService(name: string, count: number) {
  return waitFor(`${count} InService in ${name}`, async () => {
    const g = (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] })))
      .AutoScalingGroups?.[0];
    const live = g?.Instances?.filter((i) => i.LifecycleState === 'InService') ?? [];
    return live.length === count && g?.Instances?.length === count ? g : undefined;
  });
}

describe('Auto Scaling over the wire', () => {
  it('validates sizes and names with AWS errors', async () => {
    await expect(
      asg.send(new CreateAutoScalingGroupCommand({ ...group('bad', 3), MaxSize: 1 })),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Max bound, 1, must be greater than or equal to min bound, 3',
    });
    await expect(
      asg.send(new CreateAutoScalingGroupCommand({ ...group('bad', 1), MaxSize: 2, DesiredCapacity: 3 })),
    ).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(
      asg.send(
        new CreateAutoScalingGroupCommand({
          ...group('bad', 1),
          LaunchTemplate: { LaunchTemplateName: 'nope' },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('pages groups and activities with MaxRecords/NextToken, and refuses a duplicate name', async () => {
    for (const name of ['p1', 'p2', 'p3']) await asg.send(new CreateAutoScalingGroupCommand(group(name, 0)));
    await expect(asg.send(new CreateAutoScalingGroupCommand(group('p1', 0)))).rejects.toMatchObject({
      name: 'AlreadyExistsFault',
    });
    const first = await asg.send(new DescribeAutoScalingGroupsCommand({ MaxRecords: 2 }));
    expect(first.AutoScalingGroups).toHaveLength(2);
    const second = await asg.send(
      new DescribeAutoScalingGroupsCommand({ MaxRecords: 2, NextToken: first.NextToken }),
    );
    expect(second.NextToken).toBeUndefined();
    const names = [...(first.AutoScalingGroups ?? []), ...(second.AutoScalingGroups ?? [])].map(
      (g) => g.AutoScalingGroupName,
    );
    expect(names.sort()).toEqual(['p1', 'p2', 'p3']);
    await asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'p1', DesiredCapacity: 0 }));
    await expect(
      asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'p1', DesiredCapacity: 1 })),
    ).rejects.toMatchObject({ name: 'ValidationError' });
    await asg.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'p1', MaxSize: 3, DesiredCapacity: 3 }),
    );
    await inService('p1', 3);
    const page1 = await asg.send(
      new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'p1', MaxRecords: 2 }),
    );
    expect(page1.Activities).toHaveLength(2);
    const page2 = await asg.send(
      new DescribeScalingActivitiesCommand({
        AutoScalingGroupName: 'p1',
        MaxRecords: 2,
        NextToken: page1.NextToken,
      }),
    );
    const all = [...(page1.Activities ?? []), ...(page2.Activities ?? [])];
    expect(all.filter((a) => a.Description?.startsWith('Launching a new EC2 instance: i-'))).toHaveLength(3);
    await asg.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'p1', ForceDelete: true }));
    for (const name of ['p2', 'p3'])
      await asg.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: name }));
  });

  it('keeps 3 instances over 3 zones, replaces one terminated without decrement, and refuses deletion with instances', async () => {
    await asg.send(new CreateAutoScalingGroupCommand(group('web', 3)));
    const g = await inService('web', 3);
    const zones = new Set(g.Instances?.map((i) => i.AvailabilityZone));
    expect(zones.size).toBe(3);
    const ids = g.Instances?.map((i) => i.InstanceId ?? '') ?? [];
    const described = await ec2.send(
      new DescribeInstancesCommand({ Filters: [{ Name: 'tag:aws:autoscaling:groupName', Values: ['web'] }] }),
    );
    const instances = described.Reservations?.flatMap((r) => r.Instances ?? []) ?? [];
    expect(instances.map((i) => i.InstanceId).sort()).toEqual([...ids].sort());
    expect(
      instances.every((i) => i.State?.Name === 'running' && i.PrivateIpAddress?.startsWith('127.')),
    ).toBe(true);
    expect(new Set(instances.map((i) => i.PrivateIpAddress)).size).toBe(3);
    expect(instances[0]?.Tags).toContainEqual({ Key: 'resilient:deployment', Value: 't' });

    await expect(
      asg.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'web' })),
    ).rejects.toMatchObject({
      name: 'ResourceInUseFault',
      message:
        'You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.',
    });
    const victim = ids[0] ?? '';
    const terminated = await asg.send(
      new TerminateInstanceInAutoScalingGroupCommand({
        InstanceId: victim,
        ShouldDecrementDesiredCapacity: false,
      }),
    );
    expect(terminated.Activity?.Description).toBe(`Terminating EC2 instance: ${victim}`);
    const replaced = await waitFor('replacement InService and victim gone', async () => {
      const now = (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web'] })))
        .AutoScalingGroups?.[0];
      const live = now?.Instances?.filter((i) => i.LifecycleState === 'InService') ?? [];
      return live.length === 3 && !now?.Instances?.some((i) => i.InstanceId === victim) ? now : undefined;
    });
    expect(replaced.DesiredCapacity).toBe(3);
    const rows = await asg.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [victim] }));
    expect(rows.AutoScalingInstances).toEqual([]);
    await expect(
      asg.send(
        new TerminateInstanceInAutoScalingGroupCommand({
          InstanceId: victim,
          ShouldDecrementDesiredCapacity: true,
        }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: `Instance Id not found - No managed instance found for instance ID: ${victim}`,
    });

    // Tear down as the seed does: min 0, terminate each with decrement, retry delete until it succeeds.
    await asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'web', MinSize: 0 }));
    for (const i of replaced.Instances ?? []) {
      await asg.send(
        new TerminateInstanceInAutoScalingGroupCommand({
          InstanceId: i.InstanceId,
          ShouldDecrementDesiredCapacity: true,
        }),
      );
    }
    await waitFor('group deleted', async () => {
      await asg.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'web' }));
      return true;
    });
    expect(
      (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web'] })))
        .AutoScalingGroups,
    ).toEqual([]);
  });
});
