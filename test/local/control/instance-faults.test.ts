/**
 * The control route's instance faults over HTTP: a fault reaches the data plane only for an instance the
 * cloud has and that is running, and `GET /_local/faults` reports what is on. The data plane here records
 * the faults it is asked to apply (the processes themselves are the data plane's own tests).
 */
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceFault } from '../../../src/local/contracts.ts';
import {
  type ControlClient,
  ControlRouteError,
  createControlClient,
} from '../../../src/local/control/client.ts';
import { ModelOnlyDataPlane } from '../../../src/local/dataplane/model-only.ts';
import { localClient, startTestLocalCloud, type TestLocalCloud } from '../../_support/local-cloud.ts';
import { until as poll } from '../../_support/poll.ts';

class RecordingDataPlane extends ModelOnlyDataPlane {
  readonly injected: [string, InstanceFault][] = [];
  override injectInstanceFault(instanceId: string, fault: InstanceFault): void {
    this.injected.push([instanceId, fault]);
  }
}

let local: TestLocalCloud;
let plane: RecordingDataPlane;
let control: ControlClient;
let ec2: EC2Client;
let asg: AutoScalingClient;
let instanceIds: string[];

const until = <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> =>
  poll(what, probe, { deadlineMs: 10_000, intervalMs: 50 });

beforeAll(async () => {
  plane = new RecordingDataPlane();
  local = await startTestLocalCloud({ dataplane: () => plane, inMemoryDynamoDb: true });
  control = createControlClient({ endpoint: local.endpoint, adminSecret: local.credentials.secretAccessKey });
  ec2 = localClient(EC2Client, local);
  asg = localClient(AutoScalingClient, local);
  await ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: 'faults-lt',
      LaunchTemplateData: { ImageId: 'ami-0a1b2c3d4e5f60718', InstanceType: 't3.micro' },
    }),
  );
  await asg.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'faults',
      MinSize: 2,
      MaxSize: 2,
      AvailabilityZones: local.cloud.config.zones.slice(0, 2),
      LaunchTemplate: { LaunchTemplateName: 'faults-lt', Version: '$Default' },
    }),
  );
  instanceIds = await until('two InService instances', async () => {
    const group = (
      await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['faults'] }))
    ).AutoScalingGroups?.[0];
    const ids = (group?.Instances ?? [])
      .filter((i) => i.LifecycleState === 'InService')
      .map((i) => i.InstanceId ?? '');
    return ids.length === 2 ? ids.sort() : undefined;
  });
});
afterAll(async () => {
  ec2?.destroy();
  asg?.destroy();
  await local?.close();
});

const rejection = async (promise: Promise<unknown>): Promise<ControlRouteError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ControlRouteError)) throw new Error(`expected a ControlRouteError, got ${error}`);
  return error;
};

describe('instance faults on the control route', () => {
  it('answers 404 InvalidInstanceID.NotFound for an instance the cloud does not have, and applies nothing', async () => {
    const before = plane.injected.length;
    const error = await rejection(control.injectInstanceFault('i-0123456789abcdef0', { kind: 'hang' }));
    expect(error.status).toBe(404);
    expect(error.message).toContain('InvalidInstanceID.NotFound');
    const malformed = await rejection(control.injectInstanceFault('not-an-id%zz', { kind: 'crash' }));
    expect(malformed.status).toBe(404);
    expect(plane.injected.length).toBe(before);
  });

  it('applies hang and slow through the data plane, reports them in GET /_local/faults, and heal clears them', async () => {
    const [first = '', second = ''] = instanceIds;
    await control.injectInstanceFault(first, { kind: 'hang' });
    await control.injectInstanceFault(second, { kind: 'slow', delayMs: 750 });
    expect(plane.injected.slice(-2)).toEqual([
      [first, { kind: 'hang' }],
      [second, { kind: 'slow', delayMs: 750 }],
    ]);
    const on = await control.faultStatus();
    expect(on.api).toEqual({ throttleRate: 0, errorRate: 0 });
    expect(on.instances).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ instanceId: first, state: 'running', fault: 'hang' }),
        expect.objectContaining({ instanceId: second, state: 'running', fault: 'slow', delayMs: 750 }),
      ]),
    );

    await control.injectInstanceFault(first, { kind: 'heal' });
    await control.injectInstanceFault(second, { kind: 'heal' });
    const off = await control.faultStatus();
    for (const id of instanceIds)
      expect(off.instances.find((i) => i.instanceId === id)).toMatchObject({ fault: 'none' });
  });

  it('reports the API fault rates it was set to', async () => {
    await control.setApiFaults({ throttleRate: 0.25, errorRate: 0.5 });
    try {
      expect((await control.faultStatus()).api).toEqual({ throttleRate: 0.25, errorRate: 0.5 });
    } finally {
      await control.setApiFaults({ throttleRate: 0, errorRate: 0 });
    }
  });

  it('refuses a fault on a terminated instance with 409 and forgets the fault it had', async () => {
    const victim = instanceIds[0] ?? '';
    await control.injectInstanceFault(victim, { kind: 'hang' });
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [victim] }));
    const gone = await until('the victim to leave running', async () => {
      const view = (await control.faultStatus()).instances.find((i) => i.instanceId === victim);
      return view !== undefined && view.state !== 'running' && view.state !== 'pending' ? view : undefined;
    });
    expect(gone).toMatchObject({ fault: 'none', status: 'not-applicable' });
    const before = plane.injected.length;
    const error = await rejection(control.injectInstanceFault(victim, { kind: 'crash' }));
    expect(error.status).toBe(409);
    expect(error.message).toContain('IncorrectInstanceState');
    expect(plane.injected.length).toBe(before);
  });

  it('keeps the fault status behind the admin secret', async () => {
    const anonymous = await fetch(`${local.endpoint}/_local/faults`);
    expect(anonymous.status).toBe(401);
    const wrongMethod = await fetch(`${local.endpoint}/_local/faults`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${local.credentials.secretAccessKey}` },
    });
    expect(wrongMethod.status).toBe(405);
  });
});
