/**
 * The seven demo stages (docs/architecture.md#the-seven-stages), driven with the SDK clients against a local cloud whose data plane
 * runs the real recommendation server as instance processes behind the real local load balancer.
 * Each stage polls (bounded) until its expected row holds.
 */
import { readFileSync } from 'node:fs';
import {
  type AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  TerminateInstanceInAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DescribeIamInstanceProfileAssociationsCommand,
  type EC2Client,
  RebootInstancesCommand,
  ReplaceIamInstanceProfileAssociationCommand,
} from '@aws-sdk/client-ec2';
import {
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, waitFor } from '../../_support/dataplane-harness.ts';
import { startTestLocalCloud, type TestLocalCloud } from '../../_support/local-cloud.ts';
import { deployWithSdk } from '../../_support/seed-stack.ts';

const NAME = 'stg';
const TABLE = `resilient-${NAME}-recommendations`;
const PARAMS = {
  table: `/resilient/${NAME}/table`,
  failureResponse: `/resilient/${NAME}/failure-response`,
  healthCheck: `/resilient/${NAME}/health-check`,
};
const BOGUS_TABLE = 'this-is-not-a-table';
const STATIC_TITLE = '404 Not Found: A Coloring Book';
const STAGE_DEADLINE_MS = 45_000;

interface Seen {
  readonly status: number;
  readonly instanceId: string | undefined;
  readonly kind: 'real' | 'static' | 'error';
}

describe('the seven demo stages on the local cloud', () => {
  let local: TestLocalCloud;
  let lbPort = 0;
  let tgArn = '';
  let elb: ElasticLoadBalancingV2Client;
  let ssm: SSMClient;
  let asg: AutoScalingClient;
  let ec2: EC2Client;
  let badInstance = '';

  const get = async (): Promise<Seen> => {
    const res = await request(lbPort, '/');
    if (res.status !== 200) return { status: res.status, instanceId: undefined, kind: 'error' };
    const body = JSON.parse(res.body) as { Title?: { S?: string }; Metadata?: { InstanceId?: string } };
    return {
      status: 200,
      instanceId: body.Metadata?.InstanceId,
      kind: body.Title?.S === STATIC_TITLE ? 'static' : 'real',
    };
  };
  const sample = async (n: number): Promise<Seen[]> => {
    const out: Seen[] = [];
    for (let i = 0; i < n; i++) out.push(await get());
    return out;
  };
  const health = async (): Promise<TargetHealthDescription[]> =>
    (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }))).TargetHealthDescriptions ??
    [];
  const put = (name: string, value: string) =>
    ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true }));
  const until = <T>(what: string, check: () => Promise<T | undefined>) =>
    waitFor(what, check, STAGE_DEADLINE_MS);

  beforeAll(async () => {
    local = await startTestLocalCloud({
      timeScale: 0.05,
      inMemoryDynamoDb: true,
    });
    const stack = await deployWithSdk(local, {
      name: NAME,
      parameters: PARAMS,
      // Keep stage 6 short: 60 s of draining is 3 s at this time scale.
      deregistrationDelaySeconds: 60,
    });
    ({ ssm, ec2, elb, asg } = stack.clients);
    tgArn = stack.targetGroupArn;
    lbPort = stack.lbPort;
    await until('three healthy targets', async () => {
      const all = await health();
      return all.length === 3 && all.every((t) => t.TargetHealth?.State === 'healthy') ? true : undefined;
    });
  }, 120_000);

  afterAll(async () => {
    await local?.close();
  });

  it('1 initial: real items from several instances, all healthy', async () => {
    // Instances run with a 200 ms dependency timeout (the time-scaled health-check budget): on a loaded
    // machine one read can time out into the static item, so the row must hold for one whole fresh batch.
    const seen = await until('a batch of only real items', async () => {
      const batch = await sample(9);
      return batch.every((s) => s.kind === 'real') ? batch : undefined;
    });
    expect(seen.every((s) => s.kind === 'real')).toBe(true);
    expect(new Set(seen.map((s) => s.instanceId)).size).toBeGreaterThan(1);
    const plane = local.cloud.dataplane as unknown as {
      instance(id: string): { pid: number | undefined } | undefined;
    };
    const rss = (await health()).map((t) => {
      const status = readFileSync(`/proc/${plane.instance(t.Target?.Id ?? '')?.pid}/status`, 'utf8');
      return (Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024).toFixed(1);
    });
    process.stdout.write(`[measure] recommendation server RSS per instance (MiB): ${rss.join(', ')}\n`);
  });

  it('2 broken dependency: 502 while targets stay healthy', async () => {
    await put(PARAMS.table, BOGUS_TABLE);
    // Each instance caches parameters for a short TTL: wait until every instance has seen the change.
    const seen = await until('502 from every instance', async () => {
      const batch = await sample(6);
      return batch.every((s) => s.status === 502) ? batch : undefined;
    });
    expect(seen).toHaveLength(6);
    expect((await health()).every((t) => t.TargetHealth?.State === 'healthy')).toBe(true);
  });

  it('3 static response: 200 static item', async () => {
    await put(PARAMS.failureResponse, 'static');
    const seen = await until('static from every instance', async () => {
      const batch = await sample(6);
      return batch.every((s) => s.kind === 'static') ? batch : undefined;
    });
    expect(new Set(seen.map((s) => s.instanceId)).size).toBe(3);
  });

  it('4 bad credentials: one instance on the SSM-only profile after a reboot → mix of real and static', async () => {
    await put(PARAMS.table, TABLE);
    await until('real again', async () => ((await get()).kind === 'real' ? true : undefined));
    badInstance = (await health())[0]?.Target?.Id ?? '';
    const assoc = await ec2.send(
      new DescribeIamInstanceProfileAssociationsCommand({
        Filters: [{ Name: 'instance-id', Values: [badInstance] }],
      }),
    );
    await ec2.send(
      new ReplaceIamInstanceProfileAssociationCommand({
        AssociationId: assoc.IamInstanceProfileAssociations?.[0]?.AssociationId,
        IamInstanceProfile: { Name: `resilient-${NAME}-bc` },
      }),
    );
    await ec2.send(new RebootInstancesCommand({ InstanceIds: [badInstance] }));
    const mix = await until('static from the bad instance, real from others', async () => {
      const seen = await sample(9);
      // The whole batch must show the row (a 502 from the reboot window, or a read timed out under
      // load on a healthy instance, makes another batch necessary, not a pass).
      const fromBad = seen.filter((s) => s.instanceId === badInstance);
      const others = seen.filter((s) => s.instanceId !== badInstance);
      return fromBad.length > 0 &&
        others.length > 0 &&
        fromBad.every((s) => s.kind === 'static') &&
        others.every((s) => s.kind === 'real')
        ? seen
        : undefined;
    });
    expect(mix.filter((s) => s.instanceId !== badInstance).every((s) => s.kind === 'real')).toBe(true);
  });

  it('5 deep health checks: exactly the bad instance unhealthy with [503], only real items served', async () => {
    const started = Date.now();
    await put(PARAMS.healthCheck, 'deep');
    const all = await until('bad instance unhealthy', async () => {
      const h = await health();
      return h.find((t) => t.Target?.Id === badInstance)?.TargetHealth?.State === 'unhealthy' ? h : undefined;
    });
    process.stdout.write(
      `[measure] deep check → bad instance unhealthy: ${Date.now() - started} ms (time scale 0.05)\n`,
    );
    for (const t of all) {
      if (t.Target?.Id === badInstance) {
        expect(t.TargetHealth).toMatchObject({
          State: 'unhealthy',
          Reason: 'Target.ResponseCodeMismatch',
          Description: 'Health checks failed with these codes: [503]',
        });
      } else expect(t.TargetHealth?.State).toBe('healthy');
    }
    expect((await sample(9)).every((s) => s.kind === 'real')).toBe(true);
  });

  it('6 replace the failing instance: a client polling throughout sees no 5xx; the new instance turns healthy', async () => {
    const failures: number[] = [];
    let polling = true;
    let requests = 0;
    const started = Date.now();
    const poller = (async () => {
      while (polling) {
        const s = await get();
        requests += 1;
        if (s.status >= 500) failures.push(s.status);
      }
    })();
    try {
      await asg.send(
        new TerminateInstanceInAutoScalingGroupCommand({
          InstanceId: badInstance,
          ShouldDecrementDesiredCapacity: false,
        }),
      );
      await until('three healthy targets without the old one', async () => {
        const h = await health();
        const live = h.filter((t) => t.TargetHealth?.State === 'healthy' && t.Target?.Id !== badInstance);
        return live.length === 3 && !h.some((t) => t.Target?.Id === badInstance) ? true : undefined;
      });
    } finally {
      polling = false;
      await poller;
    }
    process.stdout.write(
      `[measure] replacement until 3 healthy: ${Date.now() - started} ms, ${requests} client requests, ${failures.length} 5xx\n`,
    );
    expect(failures).toEqual([]);
    const group = await asg.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [`resilient-${NAME}-group`] }),
    );
    const inService = group.AutoScalingGroups?.[0]?.Instances?.filter(
      (i) => i.LifecycleState === 'InService',
    );
    expect(inService?.map((i) => i.InstanceId)).not.toContain(badInstance);
    expect(inService).toHaveLength(3);
    expect((await sample(6)).every((s) => s.kind === 'real')).toBe(true);
  });

  it('7 fail open: bogus table with deep checks → all unhealthy, static served from every instance', async () => {
    await put(PARAMS.table, BOGUS_TABLE);
    await until('all unhealthy', async () => {
      const h = await health();
      return h.length === 3 && h.every((t) => t.TargetHealth?.State === 'unhealthy') ? true : undefined;
    });
    const seen = await sample(9);
    expect(seen.every((s) => s.status === 200 && s.kind === 'static')).toBe(true);
    expect(new Set(seen.map((s) => s.instanceId)).size).toBe(3);
  });

  it('reset: table restored → real items and all healthy again', async () => {
    await put(PARAMS.table, TABLE);
    await until('all healthy', async () => {
      const h = await health();
      return h.length === 3 && h.every((t) => t.TargetHealth?.State === 'healthy') ? true : undefined;
    });
    expect((await sample(6)).every((s) => s.kind === 'real')).toBe(true);
  });
});
