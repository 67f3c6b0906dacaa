/**
 * A synthetic seven-stage run as the event stream carries it (stage, info, observation, probe and
 * health samples, actions, expectations), for the recorder, JUnit, schema and view tests, without a
 * cloud. Times are made up but ordered; pass `fail` to make a stage's verdict fail.
 */

import { BUILT_IN_EXPERIMENT, loadExperiment } from '../../src/drill/load.ts';
import type { ProbeOutcome, RunEvent, TargetHealthView } from '../../src/events.ts';

/** The seven stages' banners, as the built-in experiment file has them. */
const STAGES = loadExperiment(BUILT_IN_EXPERIMENT, 'local').method;

const T0 = Date.UTC(2026, 11, 2, 1, 0, 0);
const IDS = ['i-0a1b2c3d4e5f60718', 'i-1b2c3d4e5f6071829', 'i-2c3d4e5f607182930'];
const NEW = 'i-3d4e5f60718293041';

export interface TimedEvent {
  readonly at: number;
  readonly event: RunEvent;
}

const counts = (c: Partial<Record<ProbeOutcome, number>>): Record<ProbeOutcome, number> => ({
  real: 0,
  static: 0,
  '5xx': 0,
  other: 0,
  transport: 0,
  ...c,
});

export function syntheticRun(options: { fail?: number; withActions?: boolean } = {}): TimedEvent[] {
  const out: TimedEvent[] = [];
  let t = T0;
  const push = (event: RunEvent, dt = 200) => {
    t += dt;
    out.push({ at: t, event });
  };
  push({ type: 'phase', phase: 'deploy' });
  push({ type: 'resource', action: 'created', kind: 'dynamodb-table', name: 'demo-recommendation-service' });
  push({ type: 'endpoint', url: 'http://demo-lb.elb.localhost:40123/' });
  push({ type: 'phase', phase: 'demo' }, 1000);
  const healthy = (ids: string[]): TargetHealthView[] =>
    ids.map((id) => ({ id, port: 80, state: 'healthy' }));
  const bad = IDS[0] as string;
  for (let stage = 1; stage <= 7; stage++) {
    const text = STAGES[stage - 1];
    push({ type: 'stage', stage, title: text?.title ?? '', text: text?.text ?? '' });
    if (options.withActions === true)
      push({
        type: 'action',
        at: t,
        stage,
        action: 'set-parameter',
        detail: `stage ${stage} <change> & "quotes"`,
        phase: 'method',
        outcome: 'done',
      });
    push({ type: 'info', message: `Setting parameter demo-parameter to 'value-${stage}'.` });
    const targets: TargetHealthView[] =
      stage === 5
        ? [
            {
              id: bad,
              port: 80,
              state: 'unhealthy',
              reason: 'Target.ResponseCodeMismatch',
              description: 'Health checks failed with these codes: [503]',
            },
            ...healthy(IDS.slice(1)),
          ]
        : stage === 6
          ? [
              { id: bad, port: 80, state: 'draining', reason: 'Target.DeregistrationInProgress' },
              ...healthy([...IDS.slice(1), NEW]),
            ]
          : stage === 7
            ? [...IDS.slice(1), NEW].map((id) => ({
                id,
                port: 80,
                state: 'unhealthy',
                reason: 'Target.ResponseCodeMismatch',
              }))
            : healthy(IDS);
    for (let s = 0; s < 6; s++) {
      const c =
        stage === 2
          ? counts({ '5xx': 3 })
          : stage === 3 || stage === 7
            ? counts({ static: 3 })
            : stage === 4
              ? counts({ real: 2, static: 1 })
              : counts({ real: 3 });
      push(
        {
          type: 'probe-sample',
          stage,
          sample: {
            probe: 'watch',
            startedAt: t,
            endedAt: t + 900,
            counts: c,
            statuses: stage === 2 ? { '502': 3 } : { '200': 3 },
            instances: IDS,
            zones: ['us-west-2a', 'us-west-2b'],
            latencyMs: { p50: 2, p99: 5, max: 6 },
          },
        },
        1000,
      );
      push(
        {
          type: 'health-sample',
          at: t,
          stage,
          targets,
          instances: targets.map((x) => ({
            id: x.id,
            zone: 'us-west-2a',
            lifecycle: x.state === 'draining' ? 'Terminating' : 'InService',
          })),
        },
        10,
      );
    }
    const pass = options.fail !== stage;
    push({
      type: 'observation',
      stage,
      pass,
      statusCounts: stage === 2 ? { '502': 9 } : { '200': 9 },
      kinds: stage === 2 ? { error: 9 } : stage === 3 || stage === 7 ? { static: 9 } : { real: 9 },
      instances: IDS,
      zones: ['us-west-2a', 'us-west-2b'],
      targets,
      reasons: pass ? [] : ['expected every GET to be 200 real, saw 502/error <&>'],
    });
  }
  push({ type: 'phase', phase: 'destroy' }, 500);
  push({ type: 'resource', action: 'deleted', kind: 'dynamodb-table', name: 'demo-recommendation-service' });
  push({ type: 'run-finished', outcome: options.fail === undefined ? 'succeeded' : 'failed' });
  return out;
}

/** `syntheticRun({ withActions: true })` as a journal (`{ run, entries }`), as report.html and the live view read one. */
export function syntheticJournal() {
  return {
    run: { name: 'demo', target: 'local', region: 'us-west-2', timeScale: 0.05 },
    entries: syntheticRun({ withActions: true }).map(({ at, event }, i) => ({
      seq: i + 1,
      at,
      stage: 'stage' in event && typeof event.stage === 'number' ? event.stage : null,
      event,
    })),
  };
}
