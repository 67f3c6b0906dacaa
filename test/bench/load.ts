/**
 * Load generators: closed-loop throughput (autocannon), and an open-loop paced client that sends at a
 * constant rate whatever the answers do (so slow answers cannot slow the offered load down) and records
 * every latency with sub-millisecond resolution.
 */
import http from 'node:http';
import { createRequire } from 'node:module';

// autocannon ships no types: the slice used here.
const autocannon = createRequire(import.meta.url)('autocannon') as (options: {
  url: string;
  duration: number;
  connections: number;
}) => Promise<{ requests: { average: number }; non2xx: number; errors: number; timeouts: number }>;

export interface Throughput {
  readonly rps: number;
  readonly non2xx: number;
  readonly errors: number;
}

export async function throughput(url: string, seconds: number, connections: number): Promise<Throughput> {
  const r = await autocannon({ url, duration: seconds, connections });
  return { rps: Math.round(r.requests.average), non2xx: r.non2xx, errors: r.errors + r.timeouts };
}

export interface PacedResult {
  readonly sent: number;
  /** Latencies of completed requests, ms, ascending. */
  readonly latencies: number[];
  readonly byStatus: Record<string, number>;
  readonly errors: number;
}

export const percentile = (sorted: readonly number[], p: number): number => {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
};

export const median = (values: readonly number[]): number =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

/** One GET; resolves with its status (0 on a transport error), never rejects. */
function get(url: URL, agent: http.Agent, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: url.hostname, port: url.port, path: url.pathname, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.setTimeout(timeoutMs, () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

export interface Steady {
  /** Stops sending, waits for the requests in flight, and returns what was seen. */
  stop(): Promise<PacedResult>;
}

/**
 * Starts an open-loop client at `rate` requests/s on keep-alive connections. Requests sent in the first
 * `warmupMs` are sent like the others but not recorded: the schedule, the connections and the targets'
 * caches are in their steady state when recording starts (see `paced`).
 */
export function startPaced(target: string, rate: number, warmupMs = 0): Steady {
  const url = new URL(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const latencies: number[] = [];
  const byStatus: Record<string, number> = {};
  let errors = 0;
  /** Requests sent since the start (the schedule), and those of them sent after the warm-up (recorded). */
  let scheduled = 0;
  let sent = 0;
  const inFlight = new Set<Promise<void>>();
  const start = performance.now();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = (): void => {
    if (stopped) return;
    // Catch up on every request that is due (timers are coarse; the schedule is exact).
    const due = Math.floor(((performance.now() - start) / 1000) * rate) + 1;
    while (scheduled < due) {
      scheduled++;
      const began = performance.now();
      const recorded = began - start >= warmupMs;
      if (recorded) sent++;
      const p = get(url, agent, 10_000).then((status) => {
        if (!recorded) return;
        if (status === 0) errors++;
        else {
          latencies.push(performance.now() - began);
          byStatus[status] = (byStatus[status] ?? 0) + 1;
        }
      });
      inFlight.add(p);
      void p.then(() => inFlight.delete(p));
    }
    timer = setTimeout(tick, Math.max(0, (scheduled / rate) * 1000 - (performance.now() - start)));
  };
  tick();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await Promise.all([...inFlight]);
      agent.destroy();
      return { sent, latencies: latencies.sort((a, b) => a - b), byStatus, errors };
    },
  };
}

/**
 * `seconds` of recorded load at `rate`, after `warmupSeconds` of the same load unrecorded. The warm-up is
 * what makes this a steady-state figure: a run that starts after seconds without GET / on a target meets
 * its expired item and parameter caches (TTL 1.5 s), and the first requests for each of the nine items on
 * each instance wait for GetItem, all at once; measured through the load balancer to 3 instances, almost
 * every GET / that took the server > 3 ms fell in a run's first 500 ms, which alone made the p99 of 2 s
 * at 500 req/s (1000 requests, p99 = the 10th slowest). The same warm-up applies to every path measured.
 */
export async function paced(
  target: string,
  rate: number,
  seconds: number,
  warmupSeconds = 0,
): Promise<PacedResult> {
  const run = startPaced(target, rate, warmupSeconds * 1000);
  await new Promise((r) => setTimeout(r, (warmupSeconds + seconds) * 1000));
  return run.stop();
}
