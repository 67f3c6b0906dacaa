/**
 * How a stage's verdict is told: per check (an `expectation` event each, a JUnit testcase each), or,
 * for an experiment with `verdict: stage` such as the built-in seven stages, as one verdict per stage:
 * the `observation` the terminal shows as "Stage N verification" (what the last batch saw) and one
 * `expectation` named after the stage (one testcase per stage).
 */
import type { GetView, RunEvent, TargetHealthView } from '../events.ts';
import { totals } from '../probes/batch.ts';
import type { Check, Experiment } from './experiment.ts';
import type { PollResult } from './poll.ts';

const tally = (gets: readonly GetView[], key: (g: GetView) => string) => {
  const out: Record<string, number> = {};
  for (const g of gets) out[key(g)] = (out[key(g)] ?? 0) + 1;
  return out;
};

const targetsText = (targets: readonly TargetHealthView[]) =>
  targets.map((t) => `${t.id} ${t.state}`).join(', ') || 'none';

export function emitVerdicts(
  emit: (event: RunEvent) => void,
  experiment: Experiment,
  stage: number,
  checks: readonly Check[],
  r: PollResult,
  samples: Parameters<typeof totals>[0],
): void {
  const at = Date.now();
  if (experiment.verdict !== 'stage') {
    for (const c of checks) {
      const reasons = r.perCheck.get(c) ?? [];
      emit({
        type: 'expectation',
        at,
        scope: 'stage',
        stage,
        name: c.name,
        pass: reasons.length === 0 && r.stopped === undefined,
        seen: reasons.length === 0 ? 'held' : reasons.join('; '),
        reasons,
      });
    }
    return;
  }
  const gets = r.batch?.gets ?? [];
  const statusCounts = tally(gets, (g) => String(g.status));
  emit({
    type: 'observation',
    stage,
    pass: r.pass,
    statusCounts,
    kinds: tally(gets, (g) => g.kind),
    instances: [...new Set(gets.flatMap((g) => (g.instanceId ? [g.instanceId] : [])))],
    zones: [...new Set(gets.flatMap((g) => (g.zone ? [g.zone] : [])))],
    targets: r.targets,
    reasons: r.reasons,
  });
  const all = totals(samples);
  const counts = Object.entries(all.counts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  const last = Object.entries(statusCounts)
    .map(([k, n]) => `${k}×${n}`)
    .join(' ');
  emit({
    type: 'expectation',
    at,
    scope: 'stage',
    stage,
    name: `Stage ${stage}: ${experiment.method[stage - 1]?.title ?? ''}`,
    pass: r.pass,
    seen: `${samples.length} batches, ${all.requests} requests: ${counts}; last batch HTTP ${last}; targets ${targetsText(r.targets)}`,
    reasons: r.reasons,
  });
}
