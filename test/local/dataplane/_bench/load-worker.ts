/**
 * The bench's load generator, run as a child process (`fork`, job in argv, result over IPC) so that the
 * client's own CPU work never shares the event loop of the load balancer it measures. Not a worker
 * thread: autocannon skips its result aggregation off the main thread.
 * Three jobs: `rate` (autocannon, closed loop), `paced` (open loop: requests sent on a fixed schedule at
 * `rate`/s whatever the answers do, keep-alive, every latency timed with hrtime, as the quality bar's "at 500
 * req/s" means) and `latency` (one request at a time, alternating between the given URLs on one
 * keep-alive connection each).
 */
import http from 'node:http';
import { createRequire } from 'node:module';

// autocannon ships no types: the slice used here.
const autocannon = createRequire(import.meta.url)('autocannon') as (options: {
  url: string;
  duration: number;
  connections: number;
  overallRate?: number;
}) => Promise<{
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}>;

export type LoadJob =
  | {
      readonly kind: 'rate';
      readonly url: string;
      readonly seconds: number;
      readonly connections: number;
      readonly rate: number | undefined;
    }
  | { readonly kind: 'paced'; readonly url: string; readonly seconds: number; readonly rate: number }
  | { readonly kind: 'latency'; readonly urls: readonly string[]; readonly rounds: number };

export interface PacedResult {
  readonly sent: number;
  readonly non200: number;
  readonly errors: number;
  /** Latencies of the 200 answers, µs, ascending. */
  readonly latenciesUs: number[];
}

export interface RateResult {
  readonly rps: number;
  readonly total: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
}

/** Per URL: every latency in microseconds, in the order measured. */
export type LatencyResult = number[][];

function timedGet(url: URL, agent: http.Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const began = process.hrtime.bigint();
    const req = http.get({ host: url.hostname, port: url.port, path: url.pathname, agent }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`${url.href} answered ${res.statusCode}`));
        else resolve(Number(process.hrtime.bigint() - began) / 1000);
      });
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`${url.href} timed out`)));
    req.on('error', reject);
  });
}

async function latency(urls: readonly string[], rounds: number): Promise<LatencyResult> {
  const targets = urls.map((u) => ({
    url: new URL(u),
    agent: new http.Agent({ keepAlive: true, maxSockets: 1 }),
  }));
  const samples: LatencyResult = urls.map(() => []);
  try {
    // Warm-up: connections open, JIT warm on every hop.
    for (let i = 0; i < 200; i++) for (const t of targets) await timedGet(t.url, t.agent);
    for (let i = 0; i < rounds; i++) {
      // Interleaved, so that machine noise falls on every path alike.
      for (let j = 0; j < targets.length; j++) {
        const t = targets[j];
        if (t !== undefined) samples[j]?.push(await timedGet(t.url, t.agent));
      }
    }
  } finally {
    for (const t of targets) t.agent.destroy();
  }
  return samples;
}

/** One GET; resolves with its status (0 on a transport error) and latency in µs, never rejects. */
function probeGet(url: URL, agent: http.Agent): Promise<{ status: number; us: number }> {
  return new Promise((resolve) => {
    const began = process.hrtime.bigint();
    const us = (): number => Number(process.hrtime.bigint() - began) / 1000;
    const req = http.get({ host: url.hostname, port: url.port, path: url.pathname, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, us: us() }));
      res.on('error', () => resolve({ status: 0, us: us() }));
    });
    req.setTimeout(10_000, () => req.destroy());
    req.on('error', () => resolve({ status: 0, us: us() }));
  });
}

async function paced(url: URL, rate: number, seconds: number): Promise<PacedResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const latenciesUs: number[] = [];
  let non200 = 0;
  let errors = 0;
  let sent = 0;
  const total = Math.round(rate * seconds);
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  try {
    while (sent < total) {
      // Catch up on every request due by now (timers are coarse; the schedule is exact).
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
      while (sent < due) {
        sent++;
        inFlight.push(
          probeGet(url, agent).then(({ status, us }) => {
            if (status === 0) errors++;
            else if (status !== 200) non200++;
            else latenciesUs.push(us);
          }),
        );
      }
      await new Promise((r) =>
        setTimeout(r, Math.max(0, (sent / rate) * 1000 - (performance.now() - start))),
      );
    }
    await Promise.all(inFlight);
  } finally {
    agent.destroy();
  }
  return { sent, non200, errors, latenciesUs: latenciesUs.sort((a, b) => a - b) };
}

async function rate(job: Extract<LoadJob, { kind: 'rate' }>): Promise<RateResult> {
  const r = await autocannon({
    url: job.url,
    connections: job.connections,
    duration: job.seconds,
    ...(job.rate === undefined ? {} : { overallRate: job.rate }),
  });
  return {
    rps: Math.round(r.requests.average),
    total: r.requests.total,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

const job = JSON.parse(process.argv[2] ?? '{}') as LoadJob;
const result =
  job.kind === 'rate'
    ? await rate(job)
    : job.kind === 'paced'
      ? await paced(new URL(job.url), job.rate, job.seconds)
      : await latency(job.urls, job.rounds);
process.send?.(result, () => process.disconnect());
