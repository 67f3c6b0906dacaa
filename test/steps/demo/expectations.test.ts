import { describe, expect, it } from 'vitest';
import type { GetView, TargetHealthView } from '../../../src/events.ts';
import { checkStage } from '../../../src/steps/demo/expectations.ts';

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

describe('stage expectations (docs/architecture.md#the-seven-stages)', () => {
  it('stage 1 passes on real items from several instances with all targets healthy, and fails on one instance', () => {
    expect(
      checkStage(1, { gets: [get('real', 'i-a'), get('real', 'i-b')], targets: healthy, groupSize: 3 }).pass,
    ).toBe(true);
    const one = checkStage(1, {
      gets: [get('real', 'i-a'), get('real', 'i-a')],
      targets: healthy,
      groupSize: 3,
    });
    expect(one).toEqual({ pass: false, reasons: ['expected answers from several instances'] });
  });

  it('stage 2 wants 502 while every target stays healthy', () => {
    expect(checkStage(2, { gets: [get('error', '', 502)], targets: healthy, groupSize: 3 }).pass).toBe(true);
    expect(checkStage(2, { gets: [get('real', 'i-a')], targets: healthy, groupSize: 3 }).pass).toBe(false);
  });

  it('stage 4 wants a mix, with static answers only from the bad instance', () => {
    const gets = [get('real', 'i-a'), get('static', 'i-c'), get('real', 'i-b')];
    expect(checkStage(4, { gets, targets: healthy, badInstanceId: 'i-c', groupSize: 3 }).pass).toBe(true);
    expect(checkStage(4, { gets, targets: healthy, badInstanceId: 'i-a', groupSize: 3 }).pass).toBe(false);
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
    expect(checkStage(5, { gets, targets, badInstanceId: 'i-c', groupSize: 3 }).pass).toBe(true);
    expect(checkStage(5, { gets, targets: healthy, badInstanceId: 'i-c', groupSize: 3 }).reasons).toContain(
      'expected i-c unhealthy, saw healthy',
    );
  });

  it('stage 7 wants static answers from every instance while all targets are unhealthy (fail open)', () => {
    const targets = healthy.map((t) => ({ ...t, state: 'unhealthy' }));
    const gets = [get('static', 'i-a'), get('static', 'i-b'), get('static', 'i-c')];
    expect(checkStage(7, { gets, targets, groupSize: 3 }).pass).toBe(true);
    expect(checkStage(7, { gets: gets.slice(0, 2), targets, groupSize: 3 }).pass).toBe(false);
  });
});
