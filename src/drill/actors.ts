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
import { type ContinuousProbe, ProbeStoppedError, startContinuousProbe } from '../probes/continuous.ts';
import { healthProbe, readTargets } from '../probes/health.ts';
import { done, runStep, type StepDeps } from '../steps/deps.ts';
import { drillActions, StoppedBetweenCalls } from './actions.ts';
import { stopMatches } from './checks.ts';
import type { Action, Check, Experiment } from './experiment.ts';
import { type PollResult, pollChecks } from './poll.ts';
import { emitVerdicts } from './verdicts.ts';

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
const GET_TIMEOUT_MS = 5_000;

export function drillActors(deps: DrillDeps) {
  const { aws, names } = deps;
  const interrupted = () => deps.interrupt?.aborted === true;
  const scaled = (seconds: number) => Math.max(0, Math.round(seconds * 1_000 * deps.timeScale));
  const batchSize = (e: Experiment) => e.probe?.batchSize ?? 9;
  const intervalMs = (e: Experiment) => Math.max(50, scaled(e.probe?.intervalSeconds ?? 5));
  const url = (facts: DrillFacts) => `http://${facts.dnsName ?? ''}/`;
  let healthArn: string | undefined;
  let healthOf = healthProbe({ aws, targetGroupArn: '', groupName: names.group });
  const probes = new Map<number, { probe: ContinuousProbe; stopped?: string }>();
  /** Stage banners shown by this process: a retried action does not show its banner twice. */
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
      stage: input.phase === 'method' ? input.stage + 1 : undefined,
      targets: sample.targets,
      instances: sample.instances,
    });
    return [...sample.targets];
  };
  /** Target health after a batch; unreadable (a throttled read) is a batch that does not count. */
  const healthAfterBatch = (input: DrillStageInput, signal: AbortSignal) => () =>
    readHealth(input, signal).catch((error: unknown) => {
      if (signal.aborted) throw error;
      return undefined;
    });

  /** The stage's probe: from before its first action (with --yes) to its verdict; stop conditions watch it. */
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
        timeoutMs: GET_TIMEOUT_MS,
        intervalMs: intervalMs(input.experiment),
        get: deps.get,
        sleep: deps.sleep,
        // Ctrl+C stops observations at once.
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
  const stagePoll = (
    input: DrillStageInput,
    signal: AbortSignal,
    entry: { probe: ContinuousProbe; stopped?: string },
    checks: readonly Check[],
    continuous: readonly Check[],
    deadline: number,
  ) =>
    pollChecks({
      checks,
      continuous,
      facts: input.facts,
      probe: DRILL_PROBE,
      next: () => entry.probe.next(),
      samples: () => entry.probe.samples,
      stopped: () => entry.stopped,
      readTargets: healthAfterBatch(input, signal),
      deadline,
    });

  async function hypothesis(input: DrillStageInput, signal: AbortSignal): Promise<ObserveOutput> {
    const e = input.experiment;
    const stages = e.method.map((s, i) => ({ stage: i + 1, title: s.title }));
    if (input.phase === 'before' && input.attempt === 0)
      deps.emit({ type: 'experiment', at: Date.now(), phase: 'started', title: e.title, stages });
    const checks = e.steadyState?.probes ?? [];
    let result: Pick<PollResult, 'pass' | 'reasons' | 'perCheck'> = {
      pass: true,
      reasons: [],
      perCheck: new Map(),
    };
    if (checks.length > 0) {
      const samples: ProbeSample[] = [];
      result = await pollChecks({
        checks,
        continuous: [],
        facts: input.facts,
        probe: DRILL_PROBE,
        next: async (): Promise<Batch> => {
          const b = await probeBatch({
            probe: DRILL_PROBE,
            url: url(input.facts),
            size: batchSize(e),
            timeoutMs: GET_TIMEOUT_MS,
            get: deps.get,
            signal,
          });
          deps.emit({ type: 'probe-sample', sample: b.sample });
          samples.push(b.sample);
          await deps.sleep(intervalMs(e), signal);
          return b;
        },
        samples: () => samples,
        stopped: () => undefined,
        readTargets: healthAfterBatch(input, signal),
        deadline: input.deadline,
      });
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
        stages,
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
    // With --yes the probe starts before the action: what the stage does to requests is seen from its start.
    if (input.yes) probeFor(input);
    const selected = { ...(input.facts.selected ?? {}) };
    const actions = stage.actions ?? [];
    for (let i = input.facts.actionsDone ?? 0; i < actions.length; i++) {
      const a = actions[i] as Action;
      // After Ctrl+C no new call starts; the one in flight (sent without the abort signal) finishes.
      if (interrupted()) throw new Interrupted({ selected, actionsDone: i });
      try {
        emitAction(
          input,
          a.action,
          await perform(a, selected, input.deadline, signal, interrupted),
          'method',
        );
      } catch (error: unknown) {
        if (error instanceof StoppedBetweenCalls) throw new Interrupted({ selected, actionsDone: i });
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
    const r = await stagePoll(input, signal, entry, [wait.until], [], deadline);
    // Without --yes the menu follows: nothing samples in the background while a person reads it.
    if (!r.pass || !input.yes) endProbe(input.stage);
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
    const r: PollResult =
      expect.length === 0 && continuous.length === 0
        ? { pass: true, reasons: [], perCheck: new Map(), targets: [] }
        : await stagePoll(input, signal, entry, expect, continuous, input.deadline);
    endProbe(input.stage);
    emitVerdicts(
      deps.emit,
      input.experiment,
      input.stage + 1,
      [...expect, ...continuous],
      r,
      entry.probe.samples,
    );
    return { pass: r.pass, reasons: r.reasons, ...(r.stopped === undefined ? {} : { stopped: r.stopped }) };
  }

  /** Every rollback is tried (a transient error once more); failures are reported, never thrown. */
  async function rollback(input: DrillStageInput, signal: AbortSignal): Promise<void> {
    for (const stage of [...probes.keys()]) endProbe(stage);
    // A resumed method shows its banners again.
    shownStages.clear();
    const e = input.experiment;
    if (input.step === 'halt')
      deps.emit({
        type: 'info',
        message: 'Ctrl+C: rolling back before stopping (Ctrl+C again quits at once).',
      });
    if (e.rollbackBanner !== undefined)
      deps.emit({
        type: 'stage',
        stage: e.method.length + 1,
        title: e.rollbackBanner.title,
        text: e.rollbackBanner.text ?? '',
      });
    const selected = { ...(input.facts.selected ?? {}) };
    for (const a of e.rollbacks ?? []) {
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
  /** The actor's own abort (the run stopped, or the machine left the state) ends the stage's probe. */
  const tied = (fn: (input: DrillStageInput, signal: AbortSignal) => Promise<ObserveOutput>) =>
    fromPromise<ObserveOutput, DrillStageInput>(async ({ input, signal }) => {
      signal.addEventListener('abort', () => endProbe(input.stage), { once: true });
      try {
        return await fn(input, signal);
      } catch (error: unknown) {
        endProbe(input.stage);
        // The probe stopped under us: the run is stopping (Ctrl+C).
        if (error instanceof ProbeStoppedError && signal.aborted) throw signal.reason;
        throw error;
      }
    });
  const endpoint = (input: DrillStageInput) => url(input.facts);

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
    waitFor: tied(waitFor),
    observe: tied(observe),
    rollback: fromPromise<void, DrillStageInput>(({ input, signal }) => rollback(input, signal)),
    sendGet: fromPromise<void, DrillStageInput>(async ({ input }) => {
      const result = await deps.get(endpoint(input), GET_TIMEOUT_MS);
      deps.emit({ type: 'get-result', url: endpoint(input), result });
    }),
    checkHealth: fromPromise<void, DrillStageInput>(async ({ input, signal }) => {
      deps.emit({
        type: 'target-health',
        targets: await readTargets(aws, input.facts.targetGroupArn ?? '', signal),
      });
    }),
  };
}
