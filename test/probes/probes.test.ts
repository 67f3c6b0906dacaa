import { describe, expect, it } from 'vitest';
import type { GetView } from '../../src/events.ts';
import { outcomeOf, percentile, probeBatch, summarize, totals } from '../../src/probes/batch.ts';
import { ProbeStoppedError, startContinuousProbe } from '../../src/probes/continuous.ts';
import { abortableSleep } from '../../src/steps/deps.ts';

const view = (status: number, kind: GetView['kind'], instanceId?: string, zone?: string): GetView => ({
  status,
  kind,
  instanceId,
  zone,
});

describe('probe batches', () => {
  it('classify each answer as real, static, 5xx, other or transport', () => {
    expect(outcomeOf(view(200, 'real'))).toBe('real');
    expect(outcomeOf(view(200, 'static'))).toBe('static');
    expect(outcomeOf(view(502, 'error'))).toBe('5xx');
    expect(outcomeOf(view(504, 'error'))).toBe('5xx');
    expect(outcomeOf(view(404, 'error'))).toBe('other');
    expect(outcomeOf(view(200, 'error'))).toBe('other');
    expect(outcomeOf(view(0, 'error'))).toBe('transport');
  });

  it('count outcomes and statuses, list distinct instances and zones, and give latency percentiles', () => {
    const sample = summarize('p', 1, 2, [
      { get: view(200, 'real', 'i-b', 'z2'), latencyMs: 3 },
      { get: view(200, 'real', 'i-a', 'z1'), latencyMs: 1 },
      { get: view(200, 'static', 'i-a', 'z1'), latencyMs: 2 },
      { get: view(502, 'error'), latencyMs: 10 },
      { get: view(0, 'error'), latencyMs: 5 },
    ]);
    expect(sample).toMatchObject({
      probe: 'p',
      startedAt: 1,
      endedAt: 2,
      counts: { real: 2, static: 1, '5xx': 1, other: 0, transport: 1 },
      statuses: { 200: 3, 502: 1, 0: 1 },
      instances: ['i-a', 'i-b'],
      zones: ['z1', 'z2'],
      latencyMs: { p50: 3, p99: 10, max: 10 },
    });
    expect(percentile([], 99)).toBe(0);
    expect(totals([sample, sample]).counts).toEqual({ real: 4, static: 2, '5xx': 2, other: 0, transport: 2 });
    expect(totals([sample]).requests).toBe(5);
  });

  it("count each instance's outcomes, in instance order, leaving answers without an instance out", () => {
    const sample = summarize('p', 1, 2, [
      { get: view(200, 'real', 'i-b'), latencyMs: 1 },
      { get: view(200, 'static', 'i-a'), latencyMs: 1 },
      { get: view(200, 'real', 'i-a'), latencyMs: 1 },
      { get: view(200, 'static', 'i-a'), latencyMs: 1 },
      { get: view(502, 'error'), latencyMs: 1 },
    ]);
    expect(sample.byInstance).toEqual({ 'i-a': { real: 1, static: 2 }, 'i-b': { real: 1 } });
    expect(Object.keys(sample.byInstance ?? {})).toEqual(['i-a', 'i-b']);
    expect(sample.counts['5xx']).toBe(1);
  });

  it('send the GETs one after another and time each with the monotonic clock', async () => {
    let t = 0;
    const batch = await probeBatch({
      probe: 'p',
      url: 'http://lb/',
      size: 3,
      timeoutMs: 100,
      get: async () => {
        t += 4;
        return view(200, 'real', 'i-a');
      },
      now: () => 1000,
      monotonic: () => t,
    });
    expect(batch.gets).toHaveLength(3);
    expect(batch.sample.latencyMs).toEqual({ p50: 4, p99: 4, max: 4 });
  });
});

describe('continuous probe', () => {
  it('hands every batch to its listener and to whoever waits for the next one, and stops at once on abort', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    let gets = 0;
    const probe = startContinuousProbe({
      probe: 'c',
      url: 'http://lb/',
      batchSize: 2,
      timeoutMs: 100,
      intervalMs: 1,
      get: async () => {
        gets += 1;
        return view(200, 'real', 'i-a');
      },
      sleep: abortableSleep,
      onBatch: (b) => seen.push(b.gets.length),
      signals: [controller.signal],
    });
    const first = await probe.next();
    const second = await probe.next();
    expect(first.gets).toHaveLength(2);
    expect(second.sample.startedAt).toBeGreaterThanOrEqual(first.sample.startedAt);
    controller.abort();
    expect(probe.stopped).toBe(true);
    await expect(probe.next()).rejects.toBeInstanceOf(ProbeStoppedError);
    await probe.stop();
    const after = gets;
    await new Promise((r) => setTimeout(r, 20));
    expect(gets).toBe(after);
    expect(seen.length).toBe(probe.samples.length);
  });
});
