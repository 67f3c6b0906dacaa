/**
 * The drill machine's actors: the experiment's actions on the cloud (through src/aws and, on the local
 * cloud, its control route), and its checks read with the probes (src/probes). Every action, probe
 * batch, health read, expectation, hypothesis check and stop condition is emitted: the journal.
 */
import { fromPromise } from 'xstate';
import type { DrillFacts, DrillStageInput, ObserveOutput } from '../../machines/drill.ts';
import type { StepResult } from '../../machines/step-kit.ts';
import type { ProbeSample, RunEvent, TargetHealthView } from '../events.ts';
import type { ApiFaultRates } from '../local/api/faults.ts';
import type { InstanceFault } from '../local/contracts.ts';
import { type Batch, probeBatch } from '../probes/batch.ts';
import { type ContinuousProbe, startContinuousProbe } from '../probes/continuous.ts';
import { healthProbe } from '../probes/health.ts';
import { done, runStep, type StepDeps } from '../steps/deps.ts';
import { drillActions } from './actions.ts';
import { merged, requestsReasons, stopMatches, targetsReasons } from './checks.ts';
import type { Action, Check, Experiment } from './experiment.ts';

/** The local cloud's control route, for `fault` and `api-faults` (absent on aws: validation refuses them). */
export interface DrillControl {
  setApiFaults(rates: ApiFaultRates): Promise<unknown>;
  injectInstanceFault(instanceId: string, fault: InstanceFault): Promise<void>;
}

export interface DrillDeps extends StepDeps {
  readonly control?: DrillControl | undefined;
}

class Interrupted extends Error {
  readonly facts: Partial<DrillFacts>;
  constructor(facts: Partial<DrillFacts>) {
    super('interrupted');
    this.facts = facts;
  }
}

export const DRILL_PROBE = 'drill';

export function drillActors(deps: DrillDeps) {
  const { aws, names } = deps;
  const interrupted = () => deps.interrupt?.aborted === true;
  const scaled = (seconds: number) => Math.max(0, Math.round(seconds * 1_000 * deps.timeScale));
  const batchSize = (e: Experiment) => e.probe?.batchSize ?? 9;
  const intervalMs = (e: Experiment) => Math.max(50, scaled(e.probe?.intervalSeconds ?? 5));
  const url = (facts: DrillFacts) => `http://${facts.dnsName ?? ''}/`;
  const health = healthProbe({ aws, targetGroupArn: '', groupName: names.group });
  let healthArn = '';
  let healthOf = health;
  const probes = new Map<number, { probe: ContinuousProbe; stopped?: string }>();
  const shownStages = new Set<number>();

  const readHealth = async (input: DrillStageInput, signal: AbortSignal): Promise<TargetHealthView[]> => {
    const arn = input.facts.targetGroupArn ?? '';
    if (arn !== healthArn) {
      healthArn = arn;
      healthOf = healthProbe({ aws, targetGroupArn: arn, groupName: names.group });
    }
    const sample = await healthOf.read(signal);
    deps.emit({
      type: 'health-sample',
      at: sample.at,
      stage: input.stage + 1,
      targets: sample.targets,
      instances: sample.instances,
    });
    return [...sample.targets];
  };

  /** The stage's probe: from before its first action to its verdict; stop conditions watch it. */
  const probeFor = (input: DrillStageInput) => {
    const running = probes.get(input.stage);
    if (running !== undefined && !running.probe.stopped) return running;
    const conditions = input.experiment.stopConditions ?? [];
    const since = new Map<string, number>();
    const entry: { probe: ContinuousProbe; stopped?: string } = {
      probe: startContinuousProbe({
        probe: DRILL_PROBE,
        url: url(input.facts),
        batchSize: batchSize(input.experiment),
        timeoutMs: 5_000,
        intervalMs: intervalMs(input.experiment),
        get: deps.get,
        sleep: deps.sleep,
        signals: [deps.interrupt],
        onBatch: (batch) => {
          deps.emit({ type: 'probe-sample', stage: input.stage + 1, sample: batch.sample });
          for (const c of conditions) {
            if (!stopMatches(c, batch.sample)) {
              since.delete(c.name);
              continue;
            }
            const from = since.get(c.name) ?? batch.sample.startedAt;
            since.set(c.name, from);
            if (entry.stopped === undefined && batch.sample.endedAt - from >= scaled(c.forSeconds)) {
              entry.stopped = c.name;
              deps.emit({
                type: 'stop-condition',
                at: Date.now(),
                name: c.name,
                seen: `${batch.sample.counts['5xx']} 5xx, ${batch.sample.counts.transport} failed connections of ${batch.gets.length} requests, p99 ${batch.sample.latencyMs.p99} ms, for ${Math.round((batch.sample.endedAt - from) / 100) / 10} s`,
              });
            }
          }
        },
      }),
    };
    probes.set(input.stage, entry);
    return entry;
  };
  const endProbe = (stage: number) => {
    const entry = probes.get(stage);
    probes.delete(stage);
    void entry?.probe.stop();
  };

  const emitAction = (
    input: DrillStageInput,
    action: string,
    detail: string,
    phase: 'method' | 'rollback',
    error?: string,
  ) =>
    deps.emit({
      type: 'action',
      at: Date.now(),
      stage: input.phase === 'method' ? input.stage + 1 : undefined,
      action,
      detail,
      phase,
      outcome: error === undefined ? 'done' : 'failed',
      ...(error === undefined ? {} : { error }),
    } satisfies RunEvent);

  const { perform } = drillActions(deps);

  /** One check against the latest batch and target health: the reasons it does not hold. */
  const reasonsOf = (
    c: Check,
    sample: ProbeSample,
    targets: readonly TargetHealthView[],
    facts: DrillFacts,
  ) =>
    c.probe === 'requests' ? requestsReasons(c, sample) : targetsReasons(c, targets, facts.selected ?? {});

  /**
   * Polls checks until each has held in its required number of consecutive batches (requests:
   * `batches`, default 1), or the deadline. `continuous` checks are judged over every batch so far.
   */
  async function poll(
    input: DrillStageInput,
    checks: readonly Check[],
    continuous: readonly Check[],
    signal: AbortSignal,
    next: () => Promise<Batch>,
    samples: () => readonly ProbeSample[],
    stopped: () => string | undefined,
    deadline: number,
  ): Promise<{ pass: boolean; reasons: string[]; perCheck: Map<Check, string[]>; stopped?: string }> {
    const held = new Map<Check, number>();
    const last = new Map<Check, string[]>();
    const needs = (c: Check) => (c.probe === 'requests' ? (c.batches ?? 1) : 1);
    for (;;) {
      const batch = await next();
      const targets = await readHealth(input, signal).catch((error: unknown) => {
        if (signal.aborted) throw error;
        return undefined;
      });
      for (const c of checks) {
        if ((held.get(c) ?? 0) >= needs(c)) continue;
        const reasons =
          targets === undefined
            ? ['target health unreadable']
            : reasonsOf(c, batch.sample, targets, input.facts);
        last.set(c, reasons);
        held.set(c, reasons.length === 0 ? (held.get(c) ?? 0) + 1 : 0);
      }
      let broken = false;
      for (const c of continuous) {
        const reasons = reasonsOf(c, merged(DRILL_PROBE, samples()), targets ?? [], input.facts);
        last.set(c, reasons);
        if (reasons.length > 0) broken = true;
      }
      const stop = stopped();
      const all = checks.every((c) => (held.get(c) ?? 0) >= needs(c));
      if (all || broken || stop !== undefined || Date.now() >= deadline) {
        const reasons = [...checks, ...continuous].flatMap((c) =>
          (held.get(c) ?? 0) >= needs(c) && !continuous.includes(c)
            ? []
            : (last.get(c) ?? []).map((r) => `${c.name}: ${r}`),
        );
        if (!all && reasons.length === 0)
          reasons.push('the checks did not hold in enough consecutive batches');
        return {
          pass: all && !broken && stop === undefined,
          reasons: stop === undefined ? reasons : [`stop condition '${stop}' held`, ...reasons],
          perCheck: last,
          ...(stop === undefined ? {} : { stopped: stop }),
        };
      }
    }
  }

  async function hypothesis(input: DrillStageInput, signal: AbortSignal): Promise<ObserveOutput> {
    const e = input.experiment;
    if (input.phase === 'before' && input.attempt === 0)
      deps.emit({
        type: 'experiment',
        at: Date.now(),
        phase: 'started',
        title: e.title,
        stages: e.method.map((s, i) => ({ stage: i + 1, title: s.title })),
      });
    const checks = e.steadyState?.probes ?? [];
    let result: { pass: boolean; reasons: string[]; perCheck: Map<Check, string[]> } = {
      pass: true,
      reasons: [],
      perCheck: new Map(),
    };
    if (checks.length > 0) {
      const samples: ProbeSample[] = [];
      result = await poll(
        input,
        checks,
        [],
        signal,
        async () => {
          const b = await probeBatch({
            probe: DRILL_PROBE,
            url: url(input.facts),
            size: batchSize(e),
            timeoutMs: 5_000,
            get: deps.get,
            signal,
          });
          deps.emit({ type: 'probe-sample', sample: b.sample });
          samples.push(b.sample);
          await deps.sleep(intervalMs(e), signal);
          return b;
        },
        () => samples,
        () => undefined,
        Date.now() + (input.deadline - Date.now()),
      );
      for (const c of checks) {
        const reasons = result.perCheck.get(c) ?? [];
        deps.emit({
          type: 'expectation',
          at: Date.now(),
          scope: input.phase === 'before' ? 'hypothesis-before' : 'hypothesis-after',
          name: c.name,
          pass: reasons.length === 0,
          seen: reasons.length === 0 ? 'held' : reasons.join('; '),
          reasons,
        });
      }
    }
    if (input.phase === 'after')
      deps.emit({
        type: 'experiment',
        at: Date.now(),
        phase: 'finished',
        title: e.title,
        stages: e.method.map((s, i) => ({ stage: i + 1, title: s.title })),
        outcome: input.outcome === 'passed' && !result.pass ? 'failed' : input.outcome,
      });
    return { pass: result.pass, reasons: result.reasons };
  }

  async function act(input: DrillStageInput, signal: AbortSignal): Promise<StepResult<DrillFacts>> {
    const stage = input.experiment.method[input.stage];
    if (stage === undefined) return done();
    if (!shownStages.has(input.stage)) {
      shownStages.add(input.stage);
      deps.emit({ type: 'stage', stage: input.stage + 1, title: stage.title, text: stage.text ?? '' });
    }
    probeFor(input);
    const selected = { ...(input.facts.selected ?? {}) };
    const actions = stage.actions ?? [];
    for (let i = input.facts.actionsDone ?? 0; i < actions.length; i++) {
      const a = actions[i] as Action;
      if (interrupted()) throw new Interrupted({ selected, actionsDone: i });
      try {
        emitAction(input, a.action, await perform(a, selected, input.deadline, signal), 'method');
      } catch (error: unknown) {
        emitAction(
          input,
          a.action,
          a.action,
          'method',
          error instanceof Error ? error.message : String(error),
        );
        throw Object.assign(error as object, { progress: { selected, actionsDone: i } });
      }
    }
    return done({ selected, actionsDone: actions.length });
  }

  async function waitFor(input: DrillStageInput, signal: AbortSignal): Promise<ObserveOutput> {
    const wait = input.experiment.method[input.stage]?.wait;
    if (wait === undefined) return { pass: true, reasons: [] };
    const entry = probeFor(input);
    const deadline =
      wait.timeoutSeconds === undefined
        ? input.deadline
        : Math.min(input.deadline, Date.now() + scaled(wait.timeoutSeconds));
    deps.emit({ type: 'wait-progress', what: wait.until.name, deadline, detail: `stage ${input.stage + 1}` });
    const r = await poll(
      input,
      [wait.until],
      [],
      signal,
      () => entry.probe.next(),
      () => entry.probe.samples,
      () => entry.stopped,
      deadline,
    );
    if (!r.pass) endProbe(input.stage);
    return {
      pass: r.pass,
      reasons: r.pass ? [] : [`timed out waiting for ${wait.until.name}`, ...r.reasons],
      stopped: r.stopped,
    };
  }

  async function observe(input: DrillStageInput, signal: AbortSignal): Promise<ObserveOutput> {
    const stage = input.experiment.method[input.stage];
    const entry = probeFor(input);
    const expect = stage?.expect ?? [];
    const continuous = stage?.continuous ?? [];
    const r =
      expect.length === 0 && continuous.length === 0
        ? { pass: true, reasons: [], perCheck: new Map<Check, string[]>() }
        : await poll(
            input,
            expect,
            continuous,
            signal,
            () => entry.probe.next(),
            () => entry.probe.samples,
            () => entry.stopped,
            input.deadline,
          );
    endProbe(input.stage);
    for (const c of [...expect, ...continuous]) {
      const reasons = r.perCheck.get(c) ?? [];
      deps.emit({
        type: 'expectation',
        at: Date.now(),
        scope: 'stage',
        stage: input.stage + 1,
        name: c.name,
        pass: reasons.length === 0 && (!('stopped' in r) || r.stopped === undefined),
        seen: reasons.length === 0 ? 'held' : reasons.join('; '),
        reasons,
      });
    }
    return {
      pass: r.pass,
      reasons: r.reasons,
      ...('stopped' in r && r.stopped !== undefined ? { stopped: r.stopped } : {}),
    };
  }

  /** Every rollback is tried (a transient error once more); failures are reported, never thrown. */
  async function rollback(input: DrillStageInput, signal: AbortSignal): Promise<void> {
    for (const stage of [...probes.keys()]) endProbe(stage);
    const selected = { ...(input.facts.selected ?? {}) };
    for (const a of input.experiment.rollbacks ?? []) {
      if ('instance' in a && selected[a.instance] === undefined) {
        emitAction(input, a.action, `${a.instance}: never chosen, nothing to undo`, 'rollback');
        continue;
      }
      for (let attempt = 0; ; attempt++) {
        try {
          emitAction(
            input,
            a.action,
            await perform(a, selected, Date.now() + scaled(300), signal),
            'rollback',
          );
          break;
        } catch (error: unknown) {
          if (attempt === 0 && !signal.aborted) continue;
          emitAction(
            input,
            a.action,
            a.action,
            'rollback',
            error instanceof Error ? error.message : String(error),
          );
          break;
        }
      }
    }
  }

  const stepInput = (input: DrillStageInput) => ({
    step: input.step,
    facts: input.facts,
    attempt: input.attempt,
    deadline: input.deadline,
  });

  return {
    hypothesis: fromPromise<ObserveOutput, DrillStageInput>(({ input, signal }) => hypothesis(input, signal)),
    act: fromPromise<StepResult<DrillFacts>, DrillStageInput>(async ({ input, signal }) => {
      try {
        return await runStep<DrillFacts>(() => act(input, signal), stepInput(input), signal);
      } catch (error: unknown) {
        if (error instanceof Interrupted)
          return { outcome: 'retry', reason: 'interrupted by Ctrl+C', facts: error.facts };
        endProbe(input.stage);
        throw error;
      }
    }),
    waitFor: fromPromise<ObserveOutput, DrillStageInput>(({ input, signal }) => {
      signal.addEventListener('abort', () => endProbe(input.stage), { once: true });
      return waitFor(input, signal);
    }),
    observe: fromPromise<ObserveOutput, DrillStageInput>(({ input, signal }) => {
      signal.addEventListener('abort', () => endProbe(input.stage), { once: true });
      return observe(input, signal);
    }),
    rollback: fromPromise<void, DrillStageInput>(({ input, signal }) => rollback(input, signal)),
  };
}
