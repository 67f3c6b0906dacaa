/**
 * One probe batch: a few GETs through the load balancer, each classified and timed, summed up as a
 * `ProbeSample`. This is the one mechanism behind `--yes` verification, experiment probes and stop
 * conditions, the journal and the live view: every GET a probe sends goes through `probeBatch`.
 */
import type { GetView, ProbeOutcome, ProbeSample } from '../events.ts';

export type Get = (url: string, timeoutMs: number) => Promise<GetView>;

export interface BatchOptions {
  readonly probe: string;
  readonly url: string;
  /** GETs per batch, sent one after another (round-robin reaches every instance a few times). */
  readonly size: number;
  readonly timeoutMs: number;
  readonly get: Get;
  /** Wall clock (epoch ms) and a monotonic clock for latency; injectable for tests. */
  readonly now?: () => number;
  readonly monotonic?: () => number;
  /** Stops sending the batch's remaining GETs once it aborts. */
  readonly signal?: AbortSignal | undefined;
}

export interface Batch {
  readonly sample: ProbeSample;
  /** The classified answers, in order: the stage checks read them (which instance served what). */
  readonly gets: readonly GetView[];
}

/** What one answer counts as: no HTTP answer, a 5xx, a recommendation, the static item, or another status. */
export function outcomeOf(get: GetView): ProbeOutcome {
  if (get.status === 0) return 'transport';
  if (get.status >= 500 && get.status <= 599) return '5xx';
  if (get.kind === 'real') return 'real';
  if (get.kind === 'static') return 'static';
  return 'other';
}

export const emptyCounts = (): Record<ProbeOutcome, number> => ({
  real: 0,
  static: 0,
  '5xx': 0,
  other: 0,
  transport: 0,
});

/** Nearest-rank percentile of sorted values (0 for none). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? 0;
}

const round = (ms: number): number => Math.round(ms * 100) / 100;

/** Adds `n` answers of `outcome` to what instance `id` served (a sample's `byInstance`). */
export function addServed(
  byInstance: Record<string, Partial<Record<ProbeOutcome, number>>>,
  id: string,
  outcome: ProbeOutcome,
  n: number,
): void {
  const served = byInstance[id] ?? {};
  served[outcome] = (served[outcome] ?? 0) + n;
  byInstance[id] = served;
}

/** The same record with its keys in order, so a journal line does not depend on which instance answered first. */
export const sortedKeys = <T>(record: Readonly<Record<string, T>>): Record<string, T> =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** Sums classified, timed answers into a sample. Pure. */
export function summarize(
  probe: string,
  startedAt: number,
  endedAt: number,
  answers: readonly { readonly get: GetView; readonly latencyMs: number }[],
): ProbeSample {
  const counts = emptyCounts();
  const statuses: Record<string, number> = {};
  const instances = new Set<string>();
  const zones = new Set<string>();
  const byInstance: Record<string, Partial<Record<ProbeOutcome, number>>> = {};
  for (const { get } of answers) {
    const outcome = outcomeOf(get);
    counts[outcome] += 1;
    statuses[String(get.status)] = (statuses[String(get.status)] ?? 0) + 1;
    if (get.instanceId !== undefined) {
      instances.add(get.instanceId);
      addServed(byInstance, get.instanceId, outcome, 1);
    }
    if (get.zone !== undefined) zones.add(get.zone);
  }
  const latencies = answers.map((a) => a.latencyMs).sort((a, b) => a - b);
  return {
    probe,
    startedAt,
    endedAt,
    counts,
    statuses,
    instances: [...instances].sort(),
    zones: [...zones].sort(),
    latencyMs: {
      p50: round(percentile(latencies, 50)),
      p99: round(percentile(latencies, 99)),
      max: round(latencies.at(-1) ?? 0),
    },
    byInstance: sortedKeys(byInstance),
  };
}

/** Sends one batch and classifies it. Never throws: a failed GET is a `transport` (or 5xx) answer. */
export async function probeBatch(options: BatchOptions): Promise<Batch> {
  const now = options.now ?? Date.now;
  const monotonic = options.monotonic ?? (() => performance.now());
  const startedAt = now();
  const answers: { get: GetView; latencyMs: number }[] = [];
  for (let i = 0; i < options.size; i++) {
    if (options.signal?.aborted === true) break;
    const t0 = monotonic();
    const get = await options.get(options.url, options.timeoutMs);
    answers.push({ get, latencyMs: monotonic() - t0 });
  }
  return {
    sample: summarize(options.probe, startedAt, now(), answers),
    gets: answers.map((a) => a.get),
  };
}

/** The totals of several samples (a stage's, a stop condition's window). */
export function totals(samples: readonly ProbeSample[]): {
  readonly counts: Record<ProbeOutcome, number>;
  readonly statuses: Record<string, number>;
  readonly requests: number;
} {
  const counts = emptyCounts();
  const statuses: Record<string, number> = {};
  for (const s of samples) {
    for (const [k, v] of Object.entries(s.counts)) counts[k as ProbeOutcome] += v;
    for (const [k, v] of Object.entries(s.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  }
  const requests = Object.values(counts).reduce((a, b) => a + b, 0);
  return { counts, statuses, requests };
}
