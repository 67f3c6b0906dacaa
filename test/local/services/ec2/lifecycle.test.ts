import { describe, expect, it } from 'vitest';
import { launchInstance } from '../../../../src/local/services/ec2/instance-lifecycle.ts';
import {
  describeInstanceStatus,
  describeInstances,
  terminateInstances,
} from '../../../../src/local/services/ec2/instances.ts';
import { ec2State } from '../../../../src/local/services/ec2/model.ts';
import { createLaunchTemplate } from '../../../../src/local/services/ec2/templates.ts';
import { createDataPlaneView } from '../../../../src/local/services/view.ts';
import { adminContext, fakeLocalCloud } from '../../../_support/fake-local-cloud.ts';

function launched() {
  const cloud = fakeLocalCloud();
  const ctx = adminContext(cloud);
  createLaunchTemplate(
    {
      LaunchTemplateName: 'web',
      LaunchTemplateData: {
        ImageId: 'ami-0a1b2c3d4e5f60718',
        InstanceType: 't3.micro',
        UserData: Buffer.from('hello').toString('base64'),
        MetadataOptions: { HttpTokens: 'required' },
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'app', Value: 'web' }] }],
      },
    },
    ctx,
  );
  const noProfile = () => undefined;
  const a = launchInstance(cloud, { launchTemplate: { name: 'web' }, zone: 'us-west-2a' }, noProfile);
  const b = launchInstance(cloud, { launchTemplate: { name: 'web' }, zone: 'us-west-2b' }, noProfile);
  return { cloud, ctx, a, b };
}

const stateOf = (out: ReturnType<typeof describeInstances>, id: string) =>
  out.Reservations?.flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === id)?.State;

describe('EC2 instance lifecycle (manual clock)', () => {
  it('is pending for the boot time, then running, with a unique loopback address and template tags', () => {
    const { cloud, ctx, a, b } = launched();
    expect(stateOf(describeInstances({}, ctx), a.instanceId)).toEqual({ Code: 0, Name: 'pending' });
    cloud.advance(10_000);
    expect(stateOf(describeInstances({}, ctx), a.instanceId)).toEqual({ Code: 16, Name: 'running' });
    expect(a.privateIpAddress).not.toBe(b.privateIpAddress);
    expect(a.privateIpAddress).toMatch(/^127\.\d+\.\d+\.\d+$/);
    const filtered = describeInstances(
      {
        Filters: [
          { Name: 'tag:app', Values: ['web'] },
          { Name: 'availability-zone', Values: ['us-west-2b'] },
        ],
      },
      ctx,
    );
    expect(filtered.Reservations?.map((r) => r.Instances?.[0]?.InstanceId)).toEqual([b.instanceId]);
  });

  it('terminates through shutting-down, stays visible for the retention period, then disappears', () => {
    const { cloud, ctx, a } = launched();
    cloud.advance(10_000);
    const out = terminateInstances({ InstanceIds: [a.instanceId] }, ctx);
    expect(out.TerminatingInstances?.[0]).toMatchObject({
      PreviousState: { Name: 'running' },
      CurrentState: { Name: 'shutting-down' },
    });
    cloud.advance(5_000);
    expect(stateOf(describeInstances({}, ctx), a.instanceId)).toEqual({ Code: 48, Name: 'terminated' });
    const running = describeInstances(
      { Filters: [{ Name: 'instance-state-name', Values: ['running'] }] },
      ctx,
    );
    expect(running.Reservations).toHaveLength(1);
    cloud.advance(3_600_000);
    expect(stateOf(describeInstances({}, ctx), a.instanceId)).toBeUndefined();
    expect(ec2State(cloud).instances.map((i) => i.instanceId)).not.toContain(a.instanceId);
  });

  it('reports an instance impaired once the data plane says its process died, through the view', () => {
    const { cloud, ctx, a } = launched();
    cloud.advance(10_000);
    const view = createDataPlaneView(cloud);
    expect(
      describeInstanceStatus({ InstanceIds: [a.instanceId] }, ctx).InstanceStatuses?.[0]?.InstanceStatus
        ?.Status,
    ).toBe('ok');
    view.reportInstanceImpaired(a.instanceId, 'exited with code 1');
    const status = describeInstanceStatus({ InstanceIds: [a.instanceId] }, ctx).InstanceStatuses?.[0];
    expect(status?.InstanceStatus).toEqual({
      Status: 'impaired',
      Details: [{ Name: 'reachability', Status: 'failed' }],
    });
    const spec = view.instances().find((i) => i.instanceId === a.instanceId);
    expect(spec).toMatchObject({
      state: 'running',
      userData: 'hello',
      httpTokens: 'required',
      roleName: undefined,
    });
  });
});
