import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Aws } from '../../src/aws/index.ts';
import type { RunEvent } from '../../src/events.ts';
import { type CloudStatus, PROBE_HEADER, startMonitor } from '../../src/watch/monitor.ts';

let lb: Server | undefined;
afterEach(async () => {
  await new Promise((r) => (lb === undefined ? r(undefined) : lb.close(r)));
  lb = undefined;
});

const ITEM = {
  MediaType: { S: 'Book' },
  Title: { S: 'A real one' },
  Metadata: { InstanceId: 'i-0123456789abcdef0', AvailabilityZone: 'us-west-2a' },
};

const paths: string[] = [];

async function fakeLb(seen: IncomingHttpHeaders[]): Promise<string> {
  lb = createServer((req, res) => {
    seen.push(req.headers);
    paths.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(ITEM));
  });
  await new Promise<void>((r) => lb?.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(lb.address() as AddressInfo).port}/`;
}

const until = async (check: () => boolean) => {
  while (!check()) await new Promise((r) => setTimeout(r, 10));
};

describe('the live view monitor', () => {
  it('marks every GET it sends, and samples at the rate asked', async () => {
    const headers: IncomingHttpHeaders[] = [];
    const url = await fakeLb(headers);
    const events: RunEvent[] = [];
    const aws = {
      elbv2: {
        targetHealth: async () => [
          { Target: { Id: 'i-0123456789abcdef0', Port: 80 }, TargetHealth: { State: 'healthy' } },
        ],
      },
      autoscaling: {
        describeGroup: async () => ({
          Instances: [{ InstanceId: 'i-0123456789abcdef0', LifecycleState: 'InService' }],
        }),
      },
    } as unknown as Pick<Aws, 'elbv2' | 'autoscaling'>;
    const monitor = startMonitor({
      locate: () => ({ url, targetGroupArn: 'arn:tg', groupName: 'g' }),
      aws,
      rate: 4,
      healthIntervalMs: 50,
      emit: (e) => events.push(e),
    });
    await until(() => events.filter((e) => e.type === 'probe-sample').length >= 2);
    await monitor.stop();
    expect(headers.length).toBeGreaterThanOrEqual(8);
    for (const h of headers) expect(h[PROBE_HEADER]).toBe('watch');
    for (const p of paths) expect(p).toBe('/?probe=watch');
    const sample = events.find((e) => e.type === 'probe-sample');
    expect(sample?.type === 'probe-sample' && sample.sample).toMatchObject({
      probe: 'watch',
      counts: { real: 4 },
    });
    const health = events.find((e) => e.type === 'health-sample');
    expect(health?.type === 'health-sample' && health.instances?.[0]).toMatchObject({
      lifecycle: 'InService',
    });
  });

  it('says when the cloud cannot be reached, and when it can again', async () => {
    const url = await fakeLb([]);
    let up = false;
    const aws = {
      elbv2: {
        targetHealth: async () => {
          if (!up) throw new Error('connect ECONNREFUSED 127.0.0.1:4566');
          return [];
        },
      },
      autoscaling: { describeGroup: async () => ({ Instances: [] }) },
    } as unknown as Pick<Aws, 'elbv2' | 'autoscaling'>;
    const statuses: CloudStatus[] = [];
    const monitor = startMonitor({
      locate: () => ({ url, targetGroupArn: 'arn:tg', groupName: 'g' }),
      aws,
      healthIntervalMs: 20,
      emit: () => {},
      onCloud: (s) => statuses.push(s),
    });
    await until(() => statuses.length >= 1);
    up = true;
    await until(() => statuses.length >= 2);
    await monitor.stop();
    expect(statuses).toEqual([
      { reachable: false, detail: 'connect ECONNREFUSED 127.0.0.1:4566' },
      { reachable: true, detail: '' },
    ]);
  });

  it('waits for the deployment to have a load balancer, and stops cleanly before it does', async () => {
    let asked = 0;
    const monitor = startMonitor({
      locate: () => {
        asked += 1;
        return undefined;
      },
      aws: {} as Pick<Aws, 'elbv2' | 'autoscaling'>,
      emit: () => {},
    });
    await until(() => asked >= 1);
    await monitor.stop();
    expect(monitor.running).toBe(false);
  });
});
