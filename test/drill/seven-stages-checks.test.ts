/**
 * The built-in experiment's checks (resources/experiments/seven-stages.yaml) against samples of each
 * stage's row (docs/architecture.md#the-seven-stages): what `start --yes` judges every stage on.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXPERIMENTS_DIR, loadExperiment } from '../../src/drill/load.ts';
import { reasonsOf } from '../../src/drill/poll.ts';
import type { GetView, TargetHealthView } from '../../src/events.ts';
import { summarize } from '../../src/probes/batch.ts';

const seven = loadExperiment(join(EXPERIMENTS_DIR, 'seven-stages.yaml'), 'local');
const get = (kind: GetView['kind'], instanceId: string, status = kind === 'error' ? 502 : 200): GetView => ({
  status,
  kind,
  instanceId,
});
const target = (id: string, state: string, reason?: string, description?: string): TargetHealthView => ({
  id,
  port: 80,
  state,
  reason,
  description,
});
const healthy = [target('i-a', 'healthy'), target('i-b', 'healthy'), target('i-c', 'healthy')];

/** Every reason any expectation of the stage gives for this batch and target health (empty: the row holds). */
function reasons(stage: number, gets: GetView[], targets: TargetHealthView[], bad = 'i-c'): string[] {
  const sample = summarize(
    'test',
    0,
    1,
    gets.map((g) => ({ get: g, latencyMs: 1 })),
  );
  return (seven.method[stage - 1]?.expect ?? []).flatMap((c) =>
    reasonsOf(c, sample, targets, { selected: { bad } }).map((r) => `${c.name}: ${r}`),
  );
}

describe('the seven stages as checks', () => {
  it('stage 1 holds on real items from several instances with all targets healthy, not from one instance', () => {
    expect(reasons(1, [get('real', 'i-a'), get('real', 'i-b')], healthy)).toEqual([]);
    expect(reasons(1, [get('real', 'i-a'), get('real', 'i-a')], healthy).join(' ')).toMatch(
      /instances: expected ≥ 2, saw 1/,
    );
  });

  it('stage 2 wants 502 while every target stays healthy', () => {
    expect(reasons(2, [get('error', '', 502)], healthy)).toEqual([]);
    expect(reasons(2, [get('real', 'i-a')], healthy).join(' ')).toMatch(/HTTP 502: expected = 1/);
  });

  it('stage 4 wants a mix of real and static answers, all 200', () => {
    expect(reasons(4, [get('real', 'i-a'), get('static', 'i-c'), get('real', 'i-b')], healthy)).toEqual([]);
    expect(reasons(4, [get('real', 'i-a'), get('real', 'i-b')], healthy).join(' ')).toMatch(
      /static: expected ≥ 0.01/,
    );
  });

  it('stage 4 fails when a static answer comes from an instance other than the one with the SSM-only profile', () => {
    const gets = [get('real', 'i-a'), get('static', 'i-c'), get('static', 'i-b')];
    expect(reasons(4, gets, healthy).join(' ')).toMatch(
      /static answers came from an instance other than bad \(i-c\): 1 of 2, from i-b \(1\)/,
    );
    // The same answers hold once the static ones all come from the instance selected as bad.
    expect(reasons(4, gets, healthy, 'i-b').join(' ')).toMatch(/other than bad \(i-b\): 1 of 2, from i-c/);
    expect(reasons(4, [get('real', 'i-a'), get('static', 'i-c'), get('static', 'i-c')], healthy)).toEqual([]);
  });

  it('stage 5 wants the bad target unhealthy with ResponseCodeMismatch [503]', () => {
    const targets = [
      target('i-a', 'healthy'),
      target('i-b', 'healthy'),
      target(
        'i-c',
        'unhealthy',
        'Target.ResponseCodeMismatch',
        'Health checks failed with these codes: [503]',
      ),
    ];
    const gets = [get('real', 'i-a'), get('real', 'i-b')];
    expect(reasons(5, gets, targets)).toEqual([]);
    expect(reasons(5, gets, healthy).join(' ')).toMatch(/bad \(i-c\): expected unhealthy, saw healthy/);
    const noCode = targets.map((t) => (t.id === 'i-c' ? { ...t, description: 'timed out' } : t));
    expect(reasons(5, gets, noCode).join(' ')).toMatch(/expected a description with '\[503\]'/);
  });

  it('stage 6 wants three healthy targets and only real items; 5xx during the replacement break it for good', () => {
    expect(reasons(6, [get('real', 'i-a'), get('real', 'i-d')], healthy)).toEqual([]);
    const continuous = seven.method[5]?.continuous ?? [];
    expect(continuous).toHaveLength(1);
    const with5xx = summarize('test', 0, 1, [
      { get: get('real', 'i-a'), latencyMs: 1 },
      { get: get('error', '', 503), latencyMs: 1 },
    ]);
    const c = continuous[0];
    if (c === undefined) throw new Error('no continuous check');
    expect(reasonsOf(c, with5xx, healthy, {}).join(' ')).toMatch(
      /5xx: expected = 0 of requests, saw 50 % \(1 of 2\)/,
    );
  });

  it('stage 7 wants the static item from every instance with every target unhealthy (fail open)', () => {
    const unhealthy = healthy.map((t) => ({ ...t, state: 'unhealthy' }));
    const gets = [get('static', 'i-a'), get('static', 'i-b'), get('static', 'i-c')];
    expect(reasons(7, gets, unhealthy)).toEqual([]);
    expect(reasons(7, gets, healthy).join(' ')).toMatch(/expected every target unhealthy/);
    expect(reasons(7, gets.slice(0, 2), unhealthy).join(' ')).toMatch(/instances: expected ≥ 3, saw 2/);
  });
});
