import type { GetView, TargetHealthView } from '../../events.ts';

export interface StageSample {
  readonly gets: readonly GetView[];
  readonly targets: readonly TargetHealthView[];
  readonly badInstanceId?: string | undefined;
  readonly groupSize: number;
}

export interface Verdict {
  readonly pass: boolean;
  readonly reasons: readonly string[];
}

const count = <T>(items: readonly T[], test: (item: T) => boolean): number => items.filter(test).length;

/**
 * Whether a sample shows a stage's row (docs/architecture.md#the-seven-stages). Pure: the demo's `--yes` observation polls
 * until this passes or its deadline passes. `reasons` say what did not hold.
 */
export function checkStage(stage: number, sample: StageSample): Verdict {
  const { gets, targets, badInstanceId, groupSize } = sample;
  const reasons: string[] = [];
  const expect = (ok: boolean, why: string) => {
    if (!ok) reasons.push(why);
  };
  const healthy = targets.filter((t) => t.state === 'healthy');
  const allHealthy = () =>
    expect(
      healthy.length === groupSize && healthy.length === targets.length,
      `expected ${groupSize} healthy targets, saw ${targets.map((t) => t.state).join(',') || 'none'}`,
    );
  const all = (kind: GetView['kind'], status: number) =>
    expect(
      gets.length > 0 && gets.every((g) => g.kind === kind && g.status === status),
      `expected every GET to be ${status} ${kind}, saw ${gets.map((g) => `${g.status}/${g.kind}`).join(',')}`,
    );
  expect(gets.length > 0, 'no GET was sent');
  switch (stage) {
    case 1: {
      all('real', 200);
      expect(new Set(gets.map((g) => g.instanceId)).size >= 2, 'expected answers from several instances');
      allHealthy();
      break;
    }
    case 2:
      expect(
        gets.every((g) => g.status === 502),
        `expected 502, saw ${gets.map((g) => g.status).join(',')}`,
      );
      allHealthy();
      break;
    case 3:
      all('static', 200);
      allHealthy();
      break;
    case 4: {
      expect(
        count(gets, (g) => g.kind === 'real') > 0 && count(gets, (g) => g.kind === 'static') > 0,
        'expected a mix of real and static answers',
      );
      expect(
        gets.every((g) => g.status === 200),
        'expected only 200 answers',
      );
      expect(
        gets.filter((g) => g.kind === 'static').every((g) => g.instanceId === badInstanceId),
        'static answers came from an instance with good credentials',
      );
      allHealthy();
      break;
    }
    case 5: {
      all('real', 200);
      const bad = targets.find((t) => t.id === badInstanceId);
      expect(
        bad?.state === 'unhealthy',
        `expected ${badInstanceId} unhealthy, saw ${bad?.state ?? 'absent'}`,
      );
      expect(
        bad?.reason === 'Target.ResponseCodeMismatch' && (bad.description ?? '').includes('[503]'),
        'expected Target.ResponseCodeMismatch with [503]',
      );
      expect(
        count(targets, (t) => t.id !== badInstanceId && t.state === 'healthy') === groupSize - 1,
        'expected the other targets healthy',
      );
      break;
    }
    case 6: {
      all('real', 200);
      expect(
        !healthy.some((t) => t.id === badInstanceId),
        'the terminated instance is still healthy in the target group',
      );
      expect(
        healthy.length === groupSize,
        `expected ${groupSize} healthy targets after the replacement, saw ${healthy.length}`,
      );
      break;
    }
    case 7: {
      all('static', 200);
      expect(
        targets.length > 0 && targets.every((t) => t.state === 'unhealthy'),
        'expected every target unhealthy (fail open)',
      );
      const answered = new Set(gets.map((g) => g.instanceId));
      expect(
        targets.every((t) => answered.has(t.id)),
        'expected a static answer from every instance',
      );
      break;
    }
    default:
      reasons.push(`no expectation for stage ${stage}`);
  }
  return { pass: reasons.length === 0, reasons };
}
