/**
 * Benchmark (not a test): requests/s and latency through the local load balancer to three fixture
 * instances, and directly to one instance for the LB's added latency; plus RSS per instance.
 * Run: node test/local/dataplane/_bench/lb-throughput.ts [seconds] [rate]
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { InstanceRuntime } from '../../../../src/local/dataplane/instance-runtime.ts';
import { SHALLOW_CHECK } from '../_helpers/fake-view.ts';
import { startHarness, waitFor } from '../_helpers/harness.ts';

// autocannon ships no types: declare the slice used here.
const autocannon = createRequire(import.meta.url)('autocannon') as (options: {
  url: string;
  duration: number;
  connections: number;
  overallRate?: number;
}) => Promise<{
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}>;

const seconds = Number(process.argv[2] ?? '5');
const rate = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
const h = startHarness({}, 0.05);
const ids = ['i-b1', 'i-b2', 'i-b3'];
try {
  for (const id of ids) h.view.addInstance(id);
  const port = await h.plane.reserveLoadBalancerPort('lb');
  h.view.targetGroupList = [
    {
      arn: 'tg',
      port: 80,
      healthCheck: SHALLOW_CHECK,
      targets: ids.map((id) => ({ id, port: 80, drainingUntil: undefined })),
    },
  ];
  h.view.loadBalancerList = [
    { arn: 'lb', port, state: 'active', listeners: [{ arn: 'l', port: 80, targetGroupArn: 'tg' }] },
  ];
  h.plane.reconcile();
  await waitFor('healthy', () =>
    ids.every((id) => h.plane.targetHealth('tg', id, 80)?.state === 'healthy') ? true : undefined,
  );
  const runtime = (id: string) =>
    (h.plane as unknown as { instance(id: string): InstanceRuntime | undefined }).instance(id);
  const run = async (url: string) => {
    const result = await autocannon({
      url,
      connections: 10,
      duration: seconds,
      ...(rate === undefined ? {} : { overallRate: rate }),
    });
    return {
      rps: Math.round(result.requests.average),
      p50: result.latency.p50,
      p99: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors,
    };
  };
  const lb = await run(`http://127.0.0.1:${port}/`);
  const direct = await run(`http://127.0.0.1:${runtime('i-b1')?.endpointFor(80)}/`);
  const rss = ids.map((id) => {
    const status = readFileSync(`/proc/${runtime(id)?.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024;
  });
  process.stdout.write(
    `${JSON.stringify({ seconds, rate, throughLb: lb, directToOneInstance: direct, rssMiB: rss.map((r) => r.toFixed(1)) })}\n`,
  );
} finally {
  await h.stop();
}
