/**
 * Benchmark (not a test) of the local load balancer against docs/testing.md#quality-bars: to three fixture instances,
 *   - added latency: one request at a time, alternating LB / direct-to-a-workload on keep-alive
 *     connections, medians in µs (the bar: LB adds ≤ 1 ms median over a direct call);
 *   - p50/p99 at a constant `rate` req/s, open loop (the bar: p99 < 10 ms at 500 req/s), LB and direct;
 *   - req/s at 10 connections, closed loop, and the CPU time the data-plane process (this one: load
 *     balancer, relays, checks) spends per request meanwhile: robust to machine noise, unlike req/s;
 *   - RSS per instance.
 * The load generator runs in a child process, so it does not share the load balancer's event loop.
 *
 * Run: node test/local/dataplane/_bench/lb-throughput.ts [seconds] [rate] [--rounds N] [--root DIR]...
 * Each `--root` is a working tree (e.g. a `git worktree` of an older commit): the trees are measured in
 * turn, round after round, so that before/after figures come from the same run on a noisy machine.
 */
import { fork } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { InstanceRuntime } from '../../../../src/local/dataplane/instance-runtime.ts';
import type * as HarnessModule from '../../../_support/dataplane-harness.ts';
import { SHALLOW_CHECK } from '../../../_support/fake-view.ts';
import type { LatencyResult, LoadJob, PacedResult, RateResult } from './load-worker.ts';

const args = process.argv.slice(2);
const positional: string[] = [];
const roots: string[] = [];
let rounds = 1;
for (let i = 0; i < args.length; i++) {
  const arg = args[i] ?? '';
  if (arg === '--root') roots.push(resolve(args[++i] ?? '.'));
  else if (arg === '--rounds') rounds = Number(args[++i] ?? '1');
  else positional.push(arg);
}
const seconds = Number(positional[0] ?? '5');
const rate = positional[1] === undefined ? 500 : Number(positional[1]);
if (roots.length === 0) roots.push(fileURLToPath(new URL('../../../../', import.meta.url)));

function runJob<T>(job: LoadJob): Promise<T> {
  return new Promise((done, fail) => {
    const child = fork(fileURLToPath(new URL('./load-worker.ts', import.meta.url)), [JSON.stringify(job)]);
    const deadline = setTimeout(
      () => child.kill('SIGKILL'),
      (job.kind === 'rate' ? job.seconds : 60) * 1000 + 30_000,
    );
    child.once('message', (result) => done(result as T));
    child.once('error', fail);
    child.once('exit', (code) => {
      clearTimeout(deadline);
      fail(new Error(`load generator exited with ${code}`));
    });
  });
}

const pct = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
  );
};

/** The workload's own port, from its `{"msg":"listening","port":N}` log line (works on any tree). */
function workloadPort(dataDir: string, id: string): number {
  const log = readFileSync(join(dataDir, 'instances', `${id}.log`), 'utf8');
  const match = /"msg":"listening","port":(\d+)/.exec(log);
  if (match?.[1] === undefined) throw new Error(`no listening line for ${id}`);
  return Number(match[1]);
}

interface PacedFigures {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non200: number;
  readonly errors: number;
}

const pacedFigures = (r: PacedResult): PacedFigures => ({
  p50Ms: Number((pct(r.latenciesUs, 50) / 1000).toFixed(2)),
  p99Ms: Number((pct(r.latenciesUs, 99) / 1000).toFixed(2)),
  non200: r.non200,
  errors: r.errors,
});

interface TreeFigures {
  readonly root: string;
  readonly addedMedianUs: number;
  readonly lbMedianUs: number;
  readonly directMedianUs: number;
  readonly lbSequentialP99Us: number;
  readonly atRate: { readonly lb: PacedFigures; readonly direct: PacedFigures };
  readonly lbProcessDuringPaced: Record<string, number>;
  readonly closedLoop: RateResult;
  readonly lbProcessCpuUsPerRequest: number;
  readonly rssMiB: string[];
}

async function measure(root: string): Promise<TreeFigures> {
  // Trees from before the helpers moved into test/_support keep the harness in the data plane's folder.
  const harnessPath = ['test/_support/dataplane-harness.ts', 'test/local/dataplane/_helpers/harness.ts']
    .map((path) => join(root, path))
    .find((path) => existsSync(path));
  if (harnessPath === undefined) throw new Error(`no data-plane harness in ${root}`);
  const harness = (await import(harnessPath)) as typeof HarnessModule;
  const h = harness.startHarness({}, 0.05);
  const ids = ['i-b1', 'i-b2', 'i-b3'];
  try {
    for (const id of ids) h.view.addInstance(id);
    const port = await h.plane.reserveLoadBalancerPort('lb');
    // Not `h.view.balance(…)`: `h.view` is the measured tree's FakeView, which may predate it.
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
    await harness.waitFor('healthy', () =>
      ids.every((id) => h.plane.targetHealth('tg', id, 80)?.state === 'healthy') ? true : undefined,
    );
    const lbUrl = `http://127.0.0.1:${port}/`;
    const directUrl = `http://127.0.0.1:${workloadPort(h.config.dataDir, 'i-b1')}/`;
    const [lbLat, directLat] = await runJob<LatencyResult>({
      kind: 'latency',
      urls: [lbUrl, directUrl],
      rounds: 2000,
    });
    const lbSamples = lbLat ?? [];
    const directSamples = directLat ?? [];
    // What this process (the load balancer's) does to the tail: event-loop delay and GC pauses meanwhile.
    const loopDelay = monitorEventLoopDelay({ resolution: 1 });
    const gcPauses: number[] = [];
    let majorGcs = 0;
    const gcObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        gcPauses.push(entry.duration);
        // NODE_PERFORMANCE_GC_MAJOR = 4 (perf_hooks constants): mark-compact, not a young-generation scavenge.
        if ((entry as unknown as { detail?: { kind?: number } }).detail?.kind === 4) majorGcs++;
      }
    });
    gcObserver.observe({ entryTypes: ['gc'] });
    loopDelay.enable();
    const lb = pacedFigures(await runJob<PacedResult>({ kind: 'paced', url: lbUrl, seconds, rate }));
    loopDelay.disable();
    gcObserver.disconnect();
    const lbProcessDuringPaced = {
      loopDelayP99Ms: Number((loopDelay.percentile(99) / 1e6).toFixed(2)),
      loopDelayMaxMs: Number((loopDelay.max / 1e6).toFixed(2)),
      gcCount: gcPauses.length,
      majorGcs,
      gcMaxMs: Number(Math.max(0, ...gcPauses).toFixed(2)),
      gcTotalMs: Number(gcPauses.reduce((a, b) => a + b, 0).toFixed(1)),
    };
    const direct = pacedFigures(await runJob<PacedResult>({ kind: 'paced', url: directUrl, seconds, rate }));
    const cpuBefore = process.cpuUsage();
    const closedLoop = await runJob<RateResult>({
      kind: 'rate',
      url: lbUrl,
      seconds,
      connections: 10,
      rate: undefined,
    });
    const cpu = process.cpuUsage(cpuBefore);
    const lbProcessCpuUsPerRequest = Math.round((cpu.user + cpu.system) / Math.max(1, closedLoop.total));
    const runtime = (id: string) =>
      (h.plane as unknown as { instance(id: string): InstanceRuntime | undefined }).instance(id);
    const rssMiB = ids.map((id) => {
      const status = readFileSync(`/proc/${runtime(id)?.pid}/status`, 'utf8');
      return (Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024).toFixed(1);
    });
    const lbMedianUs = Math.round(pct(lbSamples, 50));
    const directMedianUs = Math.round(pct(directSamples, 50));
    return {
      root,
      addedMedianUs: lbMedianUs - directMedianUs,
      lbMedianUs,
      directMedianUs,
      lbSequentialP99Us: Math.round(pct(lbSamples, 99)),
      atRate: { lb, direct },
      lbProcessDuringPaced,
      closedLoop,
      lbProcessCpuUsPerRequest,
      rssMiB,
    };
  } finally {
    await h.stop();
  }
}

for (let round = 1; round <= rounds; round++) {
  for (const root of roots) {
    const figures = await measure(root);
    process.stdout.write(`${JSON.stringify({ round, seconds, rate, ...figures })}\n`);
  }
}
