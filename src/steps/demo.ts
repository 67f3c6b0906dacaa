import { fromPromise } from 'xstate';
import type { DemoFacts, StageInput, StageResult } from '../../machines/demo.ts';
import type { StepResult } from '../../machines/step-kit.ts';
import { ResilientError } from '../errors.ts';
import type { GetView, RunEvent, TargetHealthView } from '../events.ts';
import { deploymentTags } from '../names.ts';
import { type Batch, probeBatch, totals } from '../probes/batch.ts';
import { type ContinuousProbe, ProbeStoppedError, startContinuousProbe } from '../probes/continuous.ts';
import { healthProbe, readTargets } from '../probes/health.ts';
import { checkStage } from './demo/expectations.ts';
import { STAGE_TEXTS } from './demo/stage-texts.ts';
import { GROUP_SIZE } from './deploy.ts';
import { done, notYet, runStep, type StepDeps } from './deps.ts';

export const NOT_A_TABLE = 'this-is-not-a-table';
/** GETs per probe batch: enough for round-robin to reach every instance a few times. */
export const SAMPLE_GETS = 9;
/** A stage passes only when this many consecutive batches show its row (one lucky batch is not enough). */
export const CONSECUTIVE_BATCHES = 3;
/** The name of the built-in verification's probe in `probe-sample` events. */
export const VERIFY_PROBE = 'verify';

export interface DemoOptions {
  /** Pause between two probe batches (default: the demo's poll interval, 5 s of AWS time). */
  readonly probeIntervalMs?: number | undefined;
  /** Consecutive batches a stage's row must hold in (default 3). */
  readonly consecutive?: number | undefined;
}

/** Thrown between two mutating calls once Ctrl+C was pressed: the stage stops and resumes later. */
class Interrupted extends Error {
  readonly facts: Partial<DemoFacts>;
  constructor(facts: Partial<DemoFacts>) {
    super('interrupted');
    this.facts = facts;
  }
}

type Result = StepResult<DemoFacts>;

export function demoActors(deps: StepDeps, options: DemoOptions = {}) {
  const { aws, names } = deps;
  const tags = deploymentTags(names.deployment);
  const pollMs = () => Math.max(50, Math.round(5_000 * deps.timeScale));
  const probeIntervalMs = () => options.probeIntervalMs ?? pollMs();
  const consecutive = options.consecutive ?? CONSECUTIVE_BATCHES;
  const endpoint = (facts: DemoFacts) => `http://${facts.dnsName ?? ''}/`;
  const interrupted = () => deps.interrupt?.aborted === true;
  const at = () => Date.now();

  /** Stage banners shown by this process: a retried action does not show its banner twice. */
  const shown = new Set<number>();
  /** The probe running through a stage, from its action to its verdict (`--yes` only). */
  const probes = new Map<number, ContinuousProbe>();
  const health = new Map<string, ReturnType<typeof healthProbe>>();

  const healthOf = (facts: DemoFacts) => {
    const arn = facts.targetGroupArn ?? '';
    let probe = health.get(arn);
    if (probe === undefined) {
      probe = healthProbe({ aws, targetGroupArn: arn, groupName: names.group });
      health.set(arn, probe);
    }
    return probe;
  };
  /** Target health (and the group's instances), emitted as a `health-sample`. */
  const readHealth = async (input: StageInput, signal: AbortSignal): Promise<TargetHealthView[]> => {
    const sample = await healthOf(input.facts).read(signal);
    deps.emit({
      type: 'health-sample',
      at: sample.at,
      stage: input.stage,
      targets: sample.targets,
      instances: sample.instances,
    });
    return [...sample.targets];
  };
  const emitBatch = (stage: number) => (batch: Batch) =>
    deps.emit({ type: 'probe-sample', stage, sample: batch.sample });

  const probeFor = (input: StageInput): ContinuousProbe => {
    const running = probes.get(input.stage);
    if (running !== undefined && !running.stopped) return running;
    const probe = startContinuousProbe({
      probe: VERIFY_PROBE,
      url: endpoint(input.facts),
      batchSize: SAMPLE_GETS,
      timeoutMs: 5_000,
      intervalMs: probeIntervalMs(),
      get: deps.get,
      sleep: deps.sleep,
      onBatch: emitBatch(input.stage),
      // Ctrl+C stops observations at once.
      signals: [deps.interrupt],
    });
    probes.set(input.stage, probe);
    return probe;
  };
  /** Stops a stage's probe (its verdict is in, the stage failed, or the run stops). */
  const endProbe = (stage: number) => {
    const probe = probes.get(stage);
    probes.delete(stage);
    void probe?.stop();
  };
  /** The actor's own abort (the run stopped, or the machine left the state) ends the stage's probe. */
  const tieProbe = (stage: number, signal: AbortSignal) =>
    signal.addEventListener('abort', () => endProbe(stage), { once: true });

  /** One batch: the stage's running probe's next one with `--yes`, else a batch of its own (emitted too). */
  const batchOf = async (input: StageInput, signal: AbortSignal): Promise<Batch> => {
    if (input.auto === true) return probeFor(input).next();
    const batch = await probeBatch({
      probe: VERIFY_PROBE,
      url: endpoint(input.facts),
      size: SAMPLE_GETS,
      timeoutMs: 5_000,
      get: deps.get,
      signal,
    });
    emitBatch(input.stage)(batch);
    return batch;
  };

  /**
   * A mutating call. It is sent without the actor's abort signal: once on the wire it finishes, even
   * if the run is stopping (docs/architecture.md#interrupts). After Ctrl+C no new one starts.
   */
  const mutate = async <T>(
    input: StageInput,
    progress: Partial<DemoFacts>,
    action: string,
    detail: string,
    call: () => Promise<T>,
  ): Promise<T> => {
    if (interrupted()) throw new Interrupted(progress);
    const emit = (outcome: 'done' | 'failed', error?: string) =>
      deps.emit({
        type: 'action',
        at: at(),
        stage: input.stage,
        action,
        detail,
        phase: 'method',
        outcome,
        ...(error === undefined ? {} : { error }),
      } satisfies RunEvent);
    try {
      const result = await call();
      emit('done');
      return result;
    } catch (error: unknown) {
      emit('failed', error instanceof Error ? error.message : String(error));
      throw error;
    }
  };
  const put = (input: StageInput, progress: Partial<DemoFacts>, name: string, value: string) =>
    mutate(input, progress, 'set-parameter', `${name} = ${value}`, () => {
      deps.emit({ type: 'info', message: `Setting parameter ${name} to '${value}'.` });
      return aws.ssm.putParameter({ name, value, tags });
    });

  const waiting = (input: StageInput, what: string, facts?: Partial<DemoFacts>): Result => {
    deps.emit({ type: 'wait-progress', what, deadline: input.deadline, detail: `stage ${input.stage}` });
    const result = notYet<DemoFacts>(
      {
        step: input.step ?? 'demo',
        facts: input.facts,
        attempt: input.attempt ?? 0,
        deadline: input.deadline,
      },
      what,
    );
    return result.outcome === 'timeout'
      ? { outcome: 'timeout', reason: `timed out waiting for ${what}.` }
      : facts === undefined
        ? result
        : { ...result, facts };
  };

  function banner(input: StageInput) {
    if (shown.has(input.stage)) return;
    shown.add(input.stage);
    const text = STAGE_TEXTS[input.stage];
    if (input.stage === 1 && (input.attempt ?? 0) === 0)
      deps.emit({
        type: 'experiment',
        at: at(),
        phase: 'started',
        title: 'The seven stages',
        stages: [1, 2, 3, 4, 5, 6, 7].map((stage) => ({ stage, title: STAGE_TEXTS[stage]?.title ?? '' })),
      });
    if (text !== undefined)
      deps.emit({ type: 'stage', stage: input.stage, title: text.title, text: text.text });
  }

  async function act(input: StageInput, signal: AbortSignal): Promise<Result> {
    banner(input);
    // The probe starts before the action: what the stage does to requests is seen from its start.
    if (input.auto === true && input.stage !== 8) probeFor(input);
    const p = names.parameters;
    try {
      switch (input.stage) {
        case 1:
          await put(input, {}, p.table, names.table);
          await put(input, {}, p.failureResponse, 'none');
          await put(input, {}, p.healthCheck, 'shallow');
          return done();
        case 2:
          await put(input, {}, p.table, NOT_A_TABLE);
          return done();
        case 3:
          await put(input, {}, p.failureResponse, 'static');
          return done();
        case 4:
          return await giveBadCredentials(input, signal);
        case 5:
          await put(input, {}, p.healthCheck, 'deep');
          return done();
        case 6: {
          const bad = input.facts.badInstanceId;
          if (bad === undefined) throw new ResilientError('INTERNAL', 'stage 6 without a bad instance');
          const group = await aws.autoscaling.describeGroup(names.group, { signal });
          const inGroup = (group?.Instances ?? []).some(
            (i) => i.InstanceId === bad && !String(i.LifecycleState ?? '').startsWith('Terminat'),
          );
          // A resumed stage whose terminate went through does not terminate again.
          if (inGroup)
            await mutate(input, {}, 'terminate', `${bad} in ${names.group}, capacity kept`, () =>
              aws.autoscaling.terminateInstance(bad, false),
            );
          deps.emit({
            type: 'info',
            message: `Terminated instance ${bad}; Auto Scaling starts a replacement.`,
          });
          return done();
        }
        case 7:
          await put(input, {}, p.table, NOT_A_TABLE);
          return done();
        default:
          await put(input, {}, p.table, names.table);
          deps.emit({
            type: 'experiment',
            at: at(),
            phase: 'finished',
            title: 'The seven stages',
            stages: [1, 2, 3, 4, 5, 6, 7].map((stage) => ({ stage, title: STAGE_TEXTS[stage]?.title ?? '' })),
            outcome: input.passed === false ? 'failed' : 'passed',
          });
          return done();
      }
    } catch (error: unknown) {
      if (error instanceof Interrupted)
        return { outcome: 'retry', reason: 'interrupted by Ctrl+C', facts: error.facts };
      throw error;
    }
  }

  /**
   * Stage 4: restore the table, choose one in-service instance (recorded at once, so a resumed stage
   * means the same one), replace its profile with the SSM-only one, wait (bounded by the stage) until
   * the new association is `associated`, then reboot it so that it picks up the new credentials.
   */
  async function giveBadCredentials(input: StageInput, signal: AbortSignal): Promise<Result> {
    let chosen = input.facts.badInstanceId;
    if (chosen === undefined) {
      await put(input, {}, names.parameters.table, names.table);
      const group = await aws.autoscaling.describeGroup(names.group, { signal });
      chosen = (group?.Instances ?? [])
        .filter((i) => i.LifecycleState === 'InService' && i.InstanceId !== undefined)
        .map((i) => i.InstanceId ?? '')
        .sort()[0];
      if (chosen === undefined)
        throw new ResilientError('CLOUD', `No instance in service in ${names.group}.`);
    }
    const progress = { badInstanceId: chosen };
    const association = await aws.ec2.profileAssociation(chosen, { signal });
    if (association === undefined)
      throw new ResilientError(
        'CLOUD',
        `Instance ${chosen} has no instance profile association (it is gone, or its association was removed outside resilient).`,
        { hint: 'The stage cannot continue with this instance; destroy the deployment and start again.' },
      );
    if (!association.profileArn.endsWith(`/${names.bcProfile}`)) {
      const replaced = await mutate(input, progress, 'swap-profile', `${chosen} → ${names.bcProfile}`, () =>
        aws.ec2.replaceProfileAssociation(association.associationId, names.bcProfile),
      );
      if (replaced === 'not-found')
        throw new ResilientError(
          'CLOUD',
          `The profile association ${association.associationId} of ${chosen} no longer exists: it vanished while being replaced.`,
        );
      if (replaced === 'profile-not-ready')
        return waiting(input, `profile ${names.bcProfile} to be usable`, progress);
      // EC2 answers a replace with `associating`: reboot only once the new association is in place.
      return waiting(input, `the new profile association of ${chosen} to be associated`, progress);
    }
    if (association.state === 'associating')
      return waiting(input, `the new profile association of ${chosen} to be associated`, progress);
    deps.emit({
      type: 'info',
      message: `Replaced the instance profile of ${chosen} with ${names.bcProfile}; rebooting it.`,
    });
    await mutate(input, progress, 'reboot', chosen, () => aws.ec2.rebootInstances([chosen]));
    return done(progress);
  }

  async function settle(input: StageInput, signal: AbortSignal): Promise<Result> {
    switch (input.stage) {
      case 4: {
        const chosen = input.facts.badInstanceId ?? '';
        const batch = await batchOf(input, signal);
        return batch.gets.some((g) => g.instanceId === chosen && g.kind === 'static')
          ? done()
          : waiting(input, `${chosen} to serve again with its new credentials`);
      }
      case 6: {
        const bad = input.facts.badInstanceId;
        const now = await readHealth(input, signal);
        return now.filter((t) => t.state === 'healthy' && t.id !== bad).length >= GROUP_SIZE
          ? done()
          : waiting(input, 'the replacement instance to be healthy');
      }
      default:
        return done();
    }
  }

  const tally = (gets: readonly GetView[], key: (g: GetView) => string) => {
    const out: Record<string, number> = {};
    for (const g of gets) out[key(g)] = (out[key(g)] ?? 0) + 1;
    return out;
  };

  /**
   * `--yes`: reads the stage's probe batch by batch, with target health after each, until the row
   * holds in `consecutive` batches in a row, or the deadline. Stage 6 also needs zero 5xx (and zero
   * failed connections) over every batch since before the terminate.
   */
  async function observe(input: StageInput, signal: AbortSignal): Promise<StageResult> {
    const probe = probeFor(input);
    let held = 0;
    for (;;) {
      const batch = await probe.next();
      let seen: TargetHealthView[] = [];
      let reasons: string[];
      try {
        seen = await readHealth(input, signal);
        reasons = [
          ...checkStage(input.stage, {
            gets: batch.gets,
            targets: seen,
            badInstanceId: input.facts.badInstanceId,
            groupSize: GROUP_SIZE,
          }).reasons,
        ];
      } catch (error: unknown) {
        if (signal.aborted) throw error;
        // A throttled health read is a batch that does not count, not a failed stage.
        reasons = [`target health unreadable: ${error instanceof Error ? error.message : String(error)}`];
      }
      let final = false;
      if (input.stage === 6) {
        const { counts, requests } = totals(probe.samples);
        if (counts['5xx'] + counts.transport > 0) {
          reasons.push(
            `saw ${counts['5xx']} 5xx and ${counts.transport} failed connections in ${requests} requests since the terminate; expected none`,
          );
          final = true; // it can never pass any more
        }
      }
      held = reasons.length === 0 ? held + 1 : 0;
      const pass = held >= consecutive;
      if (pass || final || Date.now() >= input.deadline) {
        if (!pass && reasons.length === 0)
          reasons.push(`the row held in ${held} consecutive batches, expected ${consecutive}`);
        endProbe(input.stage);
        const gets = batch.gets;
        deps.emit({
          type: 'observation',
          stage: input.stage,
          pass,
          statusCounts: tally(gets, (g) => String(g.status)),
          kinds: tally(gets, (g) => g.kind),
          instances: [...new Set(gets.flatMap((g) => (g.instanceId ? [g.instanceId] : [])))],
          zones: [...new Set(gets.flatMap((g) => (g.zone ? [g.zone] : [])))],
          targets: seen,
          reasons,
        });
        const all = totals(probe.samples);
        deps.emit({
          type: 'expectation',
          at: at(),
          scope: 'stage',
          stage: input.stage,
          name: `Stage ${input.stage}: ${STAGE_TEXTS[input.stage]?.title ?? ''}`,
          pass,
          seen: `${probe.samples.length} batches, ${all.requests} requests: ${Object.entries(all.counts)
            .filter(([, n]) => n > 0)
            .map(([k, n]) => `${n} ${k}`)
            .join(', ')}; last batch HTTP ${Object.entries(tally(gets, (g) => String(g.status)))
            .map(([k, n]) => `${k}×${n}`)
            .join(' ')}; targets ${seen.map((t) => `${t.id} ${t.state}`).join(', ') || 'none'}`,
          reasons,
        });
        return { stage: input.stage, pass, reasons };
      }
    }
  }

  /** An actor that ends its stage's probe when it fails or is stopped, and turns transient errors into waits. */
  const staged = (fn: (input: StageInput, signal: AbortSignal) => Promise<Result>) =>
    fromPromise<Result, StageInput>(async ({ input, signal }) => {
      tieProbe(input.stage, signal);
      try {
        return await runStep<DemoFacts>(
          (i, s) => fn({ ...input, ...i }, s),
          {
            step: input.step ?? 'demo',
            facts: input.facts,
            attempt: input.attempt ?? 0,
            deadline: input.deadline,
          },
          signal,
        );
      } catch (error: unknown) {
        endProbe(input.stage);
        throw error;
      }
    });

  return {
    act: staged(act),
    settle: staged(settle),
    observeStage: fromPromise<StageResult, StageInput>(async ({ input, signal }) => {
      tieProbe(input.stage, signal);
      try {
        return await observe(input, signal);
      } catch (error: unknown) {
        endProbe(input.stage);
        // The probe stopped under us: the run is stopping (Ctrl+C), the stage is re-observed on resume.
        if (error instanceof ProbeStoppedError && signal.aborted) throw signal.reason;
        throw error;
      }
    }),
    sendGet: fromPromise<void, StageInput>(async ({ input }) => {
      deps.emit({
        type: 'get-result',
        url: endpoint(input.facts),
        result: await deps.get(endpoint(input.facts), 5_000),
      });
    }),
    checkHealth: fromPromise<void, StageInput>(async ({ input, signal }) => {
      deps.emit({
        type: 'target-health',
        targets: await readTargets(aws, input.facts.targetGroupArn ?? '', signal),
      });
    }),
  };
}
