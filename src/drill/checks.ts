/**
 * Whether a probe's reading satisfies an experiment's check, in words a CI log can show. Pure: the
 * drill's actors take the readings (src/probes) and the machine decides from these verdicts.
 */
import type { ProbeOutcome, ProbeSample, TargetHealthView } from '../events.ts';
import { addServed, sortedKeys } from '../probes/batch.ts';
import type { InstanceOutcome, Range, RequestsCheck, StopCondition, TargetsCheck } from './experiment.ts';

const EPSILON = 1e-9;

export function rangeHolds(range: Range, value: number): boolean {
  if (range.equals !== undefined && Math.abs(value - range.equals) > EPSILON) return false;
  if (range.min !== undefined && value < range.min - EPSILON) return false;
  if (range.max !== undefined && value > range.max + EPSILON) return false;
  return true;
}

export const describeRange = (r: Range): string =>
  [
    r.equals === undefined ? undefined : `= ${r.equals}`,
    r.min === undefined ? undefined : `≥ ${r.min}`,
    r.max === undefined ? undefined : `≤ ${r.max}`,
  ]
    .filter((s) => s !== undefined)
    .join(' and ');

const share = (n: number, of: number) => (of === 0 ? 0 : n / of);
const pct = (v: number) => `${Math.round(v * 1000) / 10} %`;

/**
 * The reasons a requests check does not hold for one sample (empty: it holds). `selected`: selector
 * name → instance id, for `onlyFrom`.
 */
export function requestsReasons(
  check: Pick<
    RequestsCheck,
    | 'real'
    | 'static'
    | '5xx'
    | 'other'
    | 'transport'
    | 'status'
    | 'instances'
    | 'zones'
    | 'p50Ms'
    | 'p99Ms'
    | 'onlyFrom'
  >,
  sample: ProbeSample,
  selected: Readonly<Record<string, string>> = {},
): string[] {
  const reasons: string[] = [];
  const requests = Object.values(sample.counts).reduce((a, b) => a + b, 0);
  if (requests === 0) return ['no request was answered'];
  for (const key of ['real', 'static', '5xx', 'other', 'transport'] as const) {
    const r = check[key];
    if (r === undefined) continue;
    const v = share(sample.counts[key], requests);
    if (!rangeHolds(r, v))
      reasons.push(
        `${key}: expected ${describeRange(r)} of requests, saw ${pct(v)} (${sample.counts[key]} of ${requests})`,
      );
  }
  for (const [status, r] of Object.entries(check.status ?? {})) {
    const v = share(sample.statuses[status] ?? 0, requests);
    if (!rangeHolds(r, v))
      reasons.push(`HTTP ${status}: expected ${describeRange(r)} of requests, saw ${pct(v)}`);
  }
  if (check.instances !== undefined && !rangeHolds(check.instances, sample.instances.length))
    reasons.push(`instances: expected ${describeRange(check.instances)}, saw ${sample.instances.length}`);
  if (check.zones !== undefined && !rangeHolds(check.zones, sample.zones.length))
    reasons.push(`zones: expected ${describeRange(check.zones)}, saw ${sample.zones.length}`);
  if (check.p50Ms !== undefined && !rangeHolds(check.p50Ms, sample.latencyMs.p50))
    reasons.push(`p50: expected ${describeRange(check.p50Ms)} ms, saw ${sample.latencyMs.p50} ms`);
  if (check.p99Ms !== undefined && !rangeHolds(check.p99Ms, sample.latencyMs.p99))
    reasons.push(`p99: expected ${describeRange(check.p99Ms)} ms, saw ${sample.latencyMs.p99} ms`);
  for (const [outcome, select] of Object.entries(check.onlyFrom ?? {}) as [InstanceOutcome, string][]) {
    const reason = onlyFromReason(outcome, select, selected[select], sample);
    if (reason !== undefined) reasons.push(reason);
  }
  return reasons;
}

/** Why not every `outcome` answer came from the selected instance `id` (undefined: they all did). */
function onlyFromReason(
  outcome: InstanceOutcome,
  select: string,
  id: string | undefined,
  sample: ProbeSample,
): string | undefined {
  const total = sample.counts[outcome];
  if (total === 0) return undefined;
  const what = `${select} (${id ?? 'not chosen yet'})`;
  if (sample.byInstance === undefined)
    return `${outcome} answers: expected only from ${what}, but the sample does not say which instance served them`;
  const others = Object.entries(sample.byInstance).flatMap(([i, served]) =>
    i === id || (served[outcome] ?? 0) === 0 ? [] : [`${i} (${served[outcome]})`],
  );
  const elsewhere = total - (id === undefined ? 0 : (sample.byInstance[id]?.[outcome] ?? 0));
  if (elsewhere === 0) return undefined;
  return `${outcome} answers came from an instance other than ${what}: ${elsewhere} of ${total}${others.length === 0 ? '' : `, from ${others.join(', ')}`}`;
}

/** The reasons a targets check does not hold (`selected`: selector name → instance id). */
export function targetsReasons(
  check: TargetsCheck,
  targets: readonly TargetHealthView[],
  selected: Readonly<Record<string, string>>,
): string[] {
  const reasons: string[] = [];
  const count = (state: string) => targets.filter((t) => t.state === state).length;
  for (const state of ['healthy', 'unhealthy', 'draining'] as const) {
    const r = check[state];
    if (r !== undefined && !rangeHolds(r, count(state)))
      reasons.push(`${state} targets: expected ${describeRange(r)}, saw ${count(state)}`);
  }
  if (check.all !== undefined && (targets.length === 0 || targets.some((t) => t.state !== check.all)))
    reasons.push(
      `expected every target ${check.all}, saw ${targets.map((t) => t.state).join(', ') || 'none'}`,
    );
  if (check.instance !== undefined) {
    const id = selected[check.instance.select];
    const t = targets.find((x) => x.id === id);
    const state = t?.state ?? 'absent';
    const what = `${check.instance.select} (${id ?? 'not chosen yet'})`;
    if (state !== check.instance.state)
      reasons.push(`${what}: expected ${check.instance.state}, saw ${state}`);
    else {
      if (check.instance.reason !== undefined && t?.reason !== check.instance.reason)
        reasons.push(`${what}: expected reason ${check.instance.reason}, saw ${t?.reason ?? 'none'}`);
      if (
        check.instance.description !== undefined &&
        !(t?.description ?? '').includes(check.instance.description)
      )
        reasons.push(
          `${what}: expected a description with '${check.instance.description}', saw '${t?.description ?? ''}'`,
        );
    }
  }
  return reasons;
}

/** A stop condition's `when` matches a sample: every tolerance it gives holds. */
export function stopMatches(condition: StopCondition, sample: ProbeSample): boolean {
  const requests = Object.values(sample.counts).reduce((a, b) => a + b, 0);
  const { when } = condition;
  if (when['5xx'] !== undefined && !rangeHolds(when['5xx'], share(sample.counts['5xx'], requests)))
    return false;
  if (when.transport !== undefined && !rangeHolds(when.transport, share(sample.counts.transport, requests)))
    return false;
  if (when.p99Ms !== undefined && !rangeHolds(when.p99Ms, sample.latencyMs.p99)) return false;
  return true;
}

/** The totals of several samples as one sample (a continuous check reads a stage's whole window). */
export function merged(probe: string, samples: readonly ProbeSample[]): ProbeSample {
  const counts = { real: 0, static: 0, '5xx': 0, other: 0, transport: 0 };
  const statuses: Record<string, number> = {};
  const instances = new Set<string>();
  const zones = new Set<string>();
  const byInstance: Record<string, Partial<Record<ProbeOutcome, number>>> = {};
  let p50 = 0;
  let p99 = 0;
  let max = 0;
  for (const s of samples) {
    for (const k of Object.keys(counts) as (keyof typeof counts)[]) counts[k] += s.counts[k];
    for (const [k, v] of Object.entries(s.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
    for (const i of s.instances) instances.add(i);
    for (const z of s.zones) zones.add(z);
    for (const [id, served] of Object.entries(s.byInstance ?? {})) {
      for (const [k, v] of Object.entries(served) as [ProbeOutcome, number][])
        addServed(byInstance, id, k, v);
    }
    // The worst batch's percentiles: a window is only as good as its worst moment.
    p50 = Math.max(p50, s.latencyMs.p50);
    p99 = Math.max(p99, s.latencyMs.p99);
    max = Math.max(max, s.latencyMs.max);
  }
  return {
    probe,
    startedAt: samples[0]?.startedAt ?? 0,
    endedAt: samples.at(-1)?.endedAt ?? 0,
    counts,
    statuses,
    instances: [...instances].sort(),
    zones: [...zones].sort(),
    latencyMs: { p50, p99, max },
    byInstance: sortedKeys(byInstance),
  };
}
