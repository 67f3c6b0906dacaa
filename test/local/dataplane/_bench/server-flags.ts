/**
 * Benchmark (not a test): what the instances' Node flags cost or save. Three instances run the real
 * recommendation server (shipped JavaScript) behind the local load balancer, against the project
 * benchmark's backend process (dynalite + SSM answers); for each flag set, closed-loop GET / for
 * `seconds` (autocannon, 16 connections, from its own process), then the servers' CPU time per request
 * (from /proc, robust to machine noise), req/s, then p50/p99 at a constant 500 req/s (open loop), and RSS
 * and PSS per instance after the load.
 * Run: node test/local/dataplane/_bench/server-flags.ts [seconds] [rounds] [variant,variant...]
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LocalCloudConfig } from '../../../../src/local/contracts.ts';
import { createDataPlane } from '../../../../src/local/dataplane/data-plane.ts';
import type { InstanceRuntime } from '../../../../src/local/dataplane/instance-runtime.ts';
import { DEFAULT_OPTIONS } from '../../../../src/local/dataplane/options.ts';
import { serverEnvBlock } from '../../../../src/userdata/server-env.ts';
import { waitFor } from '../../../_support/dataplane-harness.ts';
import { FakeView } from '../../../_support/fake-view.ts';
import { BENCH_PARAMETERS } from '../../../bench/backend.ts';
import { startBackendProcess } from '../../../bench/processes.ts';
import type { LoadJob, PacedResult, RateResult } from './load-worker.ts';

const seconds = Number(process.argv[2] ?? '5');
const rounds = Number(process.argv[3] ?? '1');
/** Optional: only these variants (comma-separated names). */
const only = process.argv[4]?.split(',');
const HEAP = ['--max-old-space-size=64', '--max-semi-space-size=4'];
const VARIANTS: Record<string, readonly string[]> = {
  default: DEFAULT_OPTIONS.workload.nodeArgs,
  parallelGc: HEAP,
  semi2: ['--max-old-space-size=64', '--max-semi-space-size=2', '--single-threaded-gc'],
  semi8: ['--max-old-space-size=64', '--max-semi-space-size=8', '--single-threaded-gc'],
  optimizeForSize: [...DEFAULT_OPTIONS.workload.nodeArgs, '--optimize-for-size'],
  // On src/server/main.ts itself (shippedServer: false): the type stripper's cost.
  typescriptEntry: DEFAULT_OPTIONS.workload.nodeArgs,
  // The workload as it was before this bench existed: main.ts, parallel GC.
  before: HEAP,
};

function runJob<T>(job: LoadJob): Promise<T> {
  return new Promise((done, fail) => {
    const child = fork(fileURLToPath(new URL('./load-worker.ts', import.meta.url)), [JSON.stringify(job)]);
    const deadline = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.once('message', (result) => done(result as T));
    child.once('error', fail);
    child.once('exit', (code) => {
      clearTimeout(deadline);
      fail(new Error(`load generator exited with ${code}`));
    });
  });
}

/** utime + stime of a process, in ms (/proc/<pid>/stat fields 14 and 15, clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const rssMiB = (pid: number): number =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
/** Proportional set size: pages shared with the other instances (node's own code) count once overall. */
const pssMiB = (pid: number): number =>
  Number(/Pss:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1]) / 1024;

async function measure(endpoint: string, name: string, nodeArgs: readonly string[]) {
  const dataDir = mkdtempSync(join(tmpdir(), 'resilient-flags-'));
  const config: LocalCloudConfig = {
    accountId: '123456789012',
    region: 'us-west-2',
    zones: ['us-west-2a', 'us-west-2b', 'us-west-2c'],
    timeScale: 0.05,
    dataDir,
    endpoint,
  };
  const view = new FakeView();
  const plane = createDataPlane({
    view,
    config,
    workload: {
      ...DEFAULT_OPTIONS.workload,
      nodeArgs,
      shippedServer: name !== 'typescriptEntry' && name !== 'before',
    },
  });
  const ids = ['i-f1', 'i-f2', 'i-f3'];
  try {
    const userData = [
      '#!/bin/bash',
      serverEnvBlock({
        RESILIENT_PORT: '80',
        RESILIENT_TABLE_PARAMETER: BENCH_PARAMETERS.table,
        RESILIENT_FAILURE_RESPONSE_PARAMETER: BENCH_PARAMETERS.failureResponse,
        RESILIENT_HEALTH_CHECK_PARAMETER: BENCH_PARAMETERS.healthCheck,
      }),
    ].join('\n');
    for (const id of ids) view.addInstance(id, { userData });
    const port = await plane.reserveLoadBalancerPort('lb');
    view.balance(ids, port);
    plane.reconcile();
    await waitFor(
      'healthy',
      () => (ids.every((id) => plane.targetHealth('tg', id, 80)?.state === 'healthy') ? true : undefined),
      60_000,
    );
    const url = `http://127.0.0.1:${port}/`;
    const pids = ids.map(
      (id) =>
        (plane as unknown as { instance(id: string): InstanceRuntime | undefined }).instance(id)?.pid ?? 0,
    );
    const sample = await fetch(url).then((r) => r.text());
    await runJob<RateResult>({ kind: 'rate', url, seconds: 1, connections: 16, rate: undefined });
    const before = pids.map(cpuMs);
    const run = await runJob<RateResult>({ kind: 'rate', url, seconds, connections: 16, rate: undefined });
    const cpu = pids.map((pid, i) => cpuMs(pid) - (before[i] ?? 0)).reduce((a, b) => a + b, 0);
    const paced = await runJob<PacedResult>({ kind: 'paced', url, seconds, rate: 500 });
    const pct = (p: number): number =>
      Number(
        (
          (paced.latenciesUs[Math.ceil((p / 100) * paced.latenciesUs.length) - 1] ?? Number.NaN) / 1000
        ).toFixed(2),
      );
    return {
      variant: name,
      nodeArgs: nodeArgs.join(' '),
      rps: run.rps,
      non2xx: run.non2xx,
      sample: sample.slice(0, 120),
      serverCpuUsPerRequest: Math.round((cpu * 1000) / Math.max(1, run.total)),
      at500: { p50Ms: pct(50), p99Ms: pct(99), non200: paced.non200, errors: paced.errors },
      rssMiB: pids.map((pid) => rssMiB(pid).toFixed(1)),
      pssMiB: pids.map((pid) => pssMiB(pid).toFixed(1)),
    };
  } finally {
    await plane.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const backend = await startBackendProcess();
try {
  for (let round = 1; round <= rounds; round++) {
    // In the order given on the command line, so that order effects can be checked by swapping it.
    for (const name of only ?? Object.keys(VARIANTS)) {
      const args = VARIANTS[name];
      if (args === undefined) throw new Error(`unknown variant ${name}`);
      process.stdout.write(
        `${JSON.stringify({ round, ...(await measure(backend.endpoint, name, args)) })}\n`,
      );
    }
  }
} finally {
  await backend.stop();
}
