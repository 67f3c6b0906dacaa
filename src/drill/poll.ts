/**
 * Polling an experiment's checks: batch after batch (with target health after each) until every check
 * has held in its required number of consecutive batches, a continuous check broke, a stop condition
 * held, or the deadline. What a stage's wait, its expectations and the hypothesis are judged on.
 */
import type { DrillFacts } from '../../machines/drill.ts';
import type { ProbeSample, TargetHealthView } from '../events.ts';
import type { Batch } from '../probes/batch.ts';
import { merged, requestsReasons, targetsReasons } from './checks.ts';
import type { Check } from './experiment.ts';

export interface PollOptions {
  readonly checks: readonly Check[];
  /** Judged over every batch so far (`samples`): one breach fails them for good. */
  readonly continuous: readonly Check[];
  readonly facts: DrillFacts;
  readonly probe: string;
  readonly next: () => Promise<Batch>;
  readonly samples: () => readonly ProbeSample[];
  readonly stopped: () => string | undefined;
  /** Target health after each batch; `undefined` when it could not be read (the batch does not count). */
  readonly readTargets: () => Promise<TargetHealthView[] | undefined>;
  readonly deadline: number;
}

export interface PollResult {
  readonly pass: boolean;
  readonly reasons: string[];
  readonly perCheck: Map<Check, string[]>;
  readonly stopped?: string;
  /** The last batch and target health read: what a stage's verdict shows. */
  readonly batch?: Batch;
  readonly targets: readonly TargetHealthView[];
}

/** One check against a batch and target health: the reasons it does not hold (empty: it holds). */
export const reasonsOf = (
  c: Check,
  sample: ProbeSample,
  targets: readonly TargetHealthView[],
  facts: DrillFacts,
): string[] =>
  c.probe === 'requests'
    ? requestsReasons(c, sample, facts.selected ?? {})
    : targetsReasons(c, targets, facts.selected ?? {});

const needs = (c: Check) => (c.probe === 'requests' ? (c.batches ?? 1) : 1);

export async function pollChecks(o: PollOptions): Promise<PollResult> {
  const held = new Map<Check, number>();
  const last = new Map<Check, string[]>();
  for (;;) {
    const batch = await o.next();
    const targets = await o.readTargets();
    for (const c of o.checks) {
      if ((held.get(c) ?? 0) >= needs(c)) continue;
      const reasons =
        targets === undefined ? ['target health unreadable'] : reasonsOf(c, batch.sample, targets, o.facts);
      last.set(c, reasons);
      held.set(c, reasons.length === 0 ? (held.get(c) ?? 0) + 1 : 0);
    }
    let broken = false;
    for (const c of o.continuous) {
      const reasons = reasonsOf(c, merged(o.probe, o.samples()), targets ?? [], o.facts);
      last.set(c, reasons);
      if (reasons.length > 0) broken = true;
    }
    const stop = o.stopped();
    const all = o.checks.every((c) => (held.get(c) ?? 0) >= needs(c));
    if (all || broken || stop !== undefined || Date.now() >= o.deadline) {
      const reasons = [...o.checks, ...o.continuous].flatMap((c) =>
        (held.get(c) ?? 0) >= needs(c) && !o.continuous.includes(c)
          ? []
          : (last.get(c) ?? []).map((r) => `${c.name}: ${r}`),
      );
      if (!all && reasons.length === 0) reasons.push('the checks did not hold in enough consecutive batches');
      return {
        pass: all && !broken && stop === undefined,
        reasons: stop === undefined ? reasons : [`stop condition '${stop}' held`, ...reasons],
        perCheck: last,
        ...(stop === undefined ? {} : { stopped: stop }),
        batch,
        targets: targets ?? [],
      };
    }
  }
}
