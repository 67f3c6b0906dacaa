/**
 * Experiments run as drill machines over the fake cloud (real steps and probes, an in-memory AWS with
 * real instance, load balancer and health semantics): the built-in seven stages pass as a file,
 * rollbacks always run, a stop condition aborts, and an interrupted drill resumes at its stage with
 * the instance its selector chose.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createActor, fromPromise, toPromise } from 'xstate';
import { type DeployOutput, deployMachine } from '../../machines/deploy.ts';
import { type DrillOutput, type DrillStageInput, drillMachine } from '../../machines/drill.ts';
import { drillActors } from '../../src/drill/actors.ts';
import type { Experiment } from '../../src/drill/experiment.ts';
import { EXPERIMENTS_DIR, loadExperiment, parseExperiment } from '../../src/drill/load.ts';
import type { RunEvent } from '../../src/events.ts';
import { drive } from '../../src/run/drive.ts';
import { deployActors } from '../../src/steps/deploy.ts';
import { policiesFor } from '../machines/_model/outcomes.ts';
import { NAMES, phaseHarness } from '../machines/_model/sut.ts';

describe('drills over the fake cloud', () => {
  let h: ReturnType<typeof phaseHarness>;
  let facts: DeployOutput['facts'];

  beforeEach(async () => {
    h = phaseHarness();
    const deployer = h.process(new Map(), {});
    const deployed = await drive({
      machine: deployMachine.provide({ actors: deployActors(deployer.deps) }),
      store: h.store,
      host: deployer.host,
      input: { name: 'demo', policies: policiesFor(new Map()) },
      prompts: () => undefined,
    });
    facts = (deployed as { output: DeployOutput }).output.facts;
  });
  afterEach(() => h.cleanup());

  const runDrill = async (
    experiment: Experiment,
    options: {
      signal?: AbortSignal;
      snapshot?: unknown;
      onEvent?: (e: RunEvent) => void;
      onSaved?: (persisted: unknown) => void;
      /** Replaces real actors (e.g. rollbacks that do nothing, as if the process died before them). */
      actors?: Partial<ReturnType<typeof drillActors>>;
    } = {},
  ) => {
    const { host, deps } = h.process(new Map(), {});
    const emit = host.emit;
    host.emit = (e) => {
      emit(e);
      options.onEvent?.(e);
    };
    let saved: unknown;
    const result = await drive({
      machine: drillMachine.provide({
        actors: { ...drillActors({ ...deps, interrupt: options.signal }), ...options.actors },
      }),
      store: { ...h.store, saveSnapshot: (s: unknown) => (saved = s) } as typeof h.store,
      host,
      signal: options.signal,
      ...(options.snapshot === undefined
        ? { input: { experiment, facts, stageTimeoutMs: 10_000, timeScale: 0.001 } }
        : { snapshot: options.snapshot, input: undefined }),
      prompts: () => undefined,
      onSaved: options.onSaved,
    });
    return {
      result,
      output: result.status === 'done' ? (result.output as DrillOutput) : undefined,
      events: host.events,
      saved,
    };
  };

  it('the built-in seven stages pass as an experiment file: every expectation held, the rollback ran', async () => {
    const seven = loadExperiment(join(EXPERIMENTS_DIR, 'seven-stages.yaml'), 'local');
    const { output, events } = await runDrill(seven);
    expect(output?.results.map((r) => [r.stage, r.pass, r.reasons])).toEqual(
      [1, 2, 3, 4, 5, 6, 7].map((s) => [s, true, []]),
    );
    expect(output?.outcome).toBe('passed');
    // One verdict per stage (`verdict: stage`): an observation and one expectation named after it.
    const expectations = events.filter((e) => e.type === 'expectation');
    expect(expectations.map((e) => e.type === 'expectation' && [e.name, e.pass])).toEqual(
      seven.method.map((stage, i) => [`Stage ${i + 1}: ${stage.title}`, true]),
    );
    expect(events.filter((e) => e.type === 'observation')).toHaveLength(7);
    // The rollbacks start with the experiment's banner: the seven stages' Reset.
    expect(events).toContainEqual(expect.objectContaining({ type: 'stage', stage: 8, title: 'Reset' }));
    // The rollback restored the table; the instance stage 4 chose is the one stage 6 terminated.
    expect(h.cloud.world.parameters.get(NAMES.parameters.table)).toBe(NAMES.table);
    const bad = output?.facts.selected?.bad ?? '';
    expect(bad).toMatch(/^i-/);
    expect([...h.cloud.world.instances.keys()]).not.toContain(bad);
    expect(events.some((e) => e.type === 'action' && e.phase === 'rollback' && e.outcome === 'done')).toBe(
      true,
    );
    expect(
      events.filter((e) => e.type === 'experiment').map((e) => e.type === 'experiment' && e.phase),
    ).toEqual(['started', 'finished']);
  });

  it('a stage that does not behave fails the drill, and the rollbacks still run', async () => {
    const e = parseExperiment(
      'x.yaml',
      `version: 1
title: wrong expectation
method:
  - title: break the table
    actions: [{ action: set-parameter, parameter: table, value: this-is-not-a-table }]
    timeoutSeconds: 1
    expect: [{ probe: requests, name: still real (wrong), real: { equals: 1 } }]
  - title: never reached
rollbacks: [{ action: set-parameter, parameter: table, value: ours }]
`,
    );
    const { output } = await runDrill(e);
    expect(output?.outcome).toBe('failed');
    expect(output?.results).toHaveLength(1);
    expect(output?.results[0]?.reasons.join(' ')).toMatch(
      /still real \(wrong\): real: expected = 1 of requests, saw 0 %/,
    );
    expect(h.cloud.world.parameters.get(NAMES.parameters.table)).toBe(NAMES.table);
  });

  it('a stop condition that holds aborts the method, then the rollbacks run', async () => {
    const e = parseExperiment(
      'x.yaml',
      `version: 1
title: stop
stopConditions: [{ name: every request fails, when: { 5xx: { min: 0.9 } }, forSeconds: 0.05 }]
method:
  - title: break it for longer than the stop condition allows
    actions: [{ action: set-parameter, parameter: table, value: this-is-not-a-table }]
    timeoutSeconds: 5
    expect: [{ probe: requests, name: never true, static: { equals: 1 } }]
rollbacks: [{ action: set-parameter, parameter: table, value: ours }]
`,
    );
    const { output, events } = await runDrill(e);
    expect(output).toMatchObject({ outcome: 'aborted', stopped: 'every request fails' });
    expect(events.some((x) => x.type === 'stop-condition' && x.name === 'every request fails')).toBe(true);
    expect(h.cloud.world.parameters.get(NAMES.parameters.table)).toBe(NAMES.table);
  });

  const resumable = () =>
    parseExperiment(
      'x.yaml',
      `version: 1
title: resume
instances: { victim: { pick: one-in-service } }
method:
  - title: swap
    actions:
      - { action: set-parameter, parameter: failure-response, value: static }
      - { action: swap-profile, instance: victim }
    wait: { until: { probe: requests, name: static appears, static: { min: 0.01 } } }
  - title: deep
    actions: [{ action: set-parameter, parameter: health-check, value: deep }]
    expect: [{ probe: targets, name: victim unhealthy, instance: { select: victim, state: unhealthy } }]
rollbacks:
  - { action: set-parameter, parameter: health-check, value: shallow }
  - { action: restore-profile, instance: victim }
`,
    );
  const stageOf = (persisted: unknown) =>
    (persisted as { value?: unknown; context?: { stage?: number } }).value !== undefined &&
    JSON.stringify((persisted as { value: unknown }).value).includes('"stage"')
      ? (persisted as { context: { stage: number } }).context.stage
      : undefined;

  it('a drill that died in a stage resumes at that stage with the instance its selector chose, rollbacks included', async () => {
    const e = resumable();
    const controller = new AbortController();
    let image: unknown;
    // The process "dies" in stage 2: its last checkpoint is from inside the stage, and its rollbacks never ran.
    const first = await runDrill(e, {
      signal: controller.signal,
      actors: { rollback: fromPromise<void, DrillStageInput>(async () => {}) },
      onSaved: (persisted) => {
        if (image === undefined && stageOf(persisted) === 1) {
          image = structuredClone(persisted);
          setImmediate(() => controller.abort());
        }
      },
    });
    expect(first.result.status).toBe('interrupted');
    const chosen = (image as { context: { facts: { selected: Record<string, string> } } }).context.facts
      .selected.victim;
    expect(chosen).toMatch(/^i-/);
    const second = await runDrill(e, { snapshot: image });
    expect(second.output?.outcome).toBe('passed');
    expect(second.output?.facts.selected?.victim).toBe(chosen);
    expect(second.events.some((x) => x.type === 'stage' && x.stage === 1)).toBe(false);
    expect(h.cloud.world.instances.get(chosen ?? '')?.profile).toBe(NAMES.instanceProfile);
    expect(h.cloud.world.parameters.get(NAMES.parameters.healthCheck)).toBe('shallow');
  });

  it('Ctrl+C aborts the method and runs the rollbacks before stopping; a resume runs the method again from its first stage', async () => {
    const e = resumable();
    const controller = new AbortController();
    const first = await runDrill(e, {
      signal: controller.signal,
      onEvent: (x) => {
        if (x.type === 'stage' && x.stage === 2) setImmediate(() => controller.abort());
      },
    });
    expect(first.result.status).toBe('interrupted');
    // The rollbacks ran before the stop: the victim has its own profile back, health checks are shallow.
    const victim = (first.saved as { context: { facts: { selected: Record<string, string> } } }).context.facts
      .selected.victim;
    expect(h.cloud.world.instances.get(victim ?? '')?.profile).toBe(NAMES.instanceProfile);
    expect(h.cloud.world.parameters.get(NAMES.parameters.healthCheck)).toBe('shallow');
    expect(
      first.events
        .filter((x) => x.type === 'action' && x.phase === 'rollback')
        .map((x) => x.type === 'action' && x.outcome),
    ).toEqual(['done', 'done']);
    expect((first.saved as { value: unknown }).value).toBe('halted');
    const second = await runDrill(e, { snapshot: first.saved });
    expect(second.output?.outcome).toBe('passed');
    expect(second.events.filter((x) => x.type === 'stage').map((x) => x.type === 'stage' && x.stage)).toEqual(
      [1, 2],
    );
    expect(h.cloud.world.parameters.get(NAMES.parameters.healthCheck)).toBe('shallow');
  });

  it('the menu’s actions report one classified GET and the target health', async () => {
    const { host, deps } = h.process(new Map(), {});
    const actors = drillActors(deps);
    const input = {
      experiment: parseExperiment('x.yaml', 'version: 1\ntitle: menu\nmethod: [{ title: a }]\n'),
      stage: 0,
      facts,
      deadline: Date.now() + 10_000,
      attempt: 0,
      step: 'menu',
      phase: 'method' as const,
      outcome: 'passed' as const,
      yes: false,
    };
    await toPromise(createActor(actors.sendGet, { input }).start());
    await toPromise(createActor(actors.checkHealth, { input }).start());
    const get = host.events.find((e) => e.type === 'get-result');
    expect(get).toMatchObject({ url: `http://${facts.dnsName}/`, result: { status: 200, kind: 'real' } });
    const health = host.events.find((e) => e.type === 'target-health');
    expect(health?.type === 'target-health' && health.targets.map((t) => t.state)).toEqual([
      'healthy',
      'healthy',
      'healthy',
    ]);
  });

  const swap = (timeoutSeconds: number) =>
    parseExperiment(
      'x.yaml',
      `version: 1
title: swap
instances: { victim: { pick: one-in-service } }
method:
  - title: swap
    timeoutSeconds: ${timeoutSeconds}
    actions:
      - { action: set-parameter, parameter: failure-response, value: static }
      - { action: swap-profile, instance: victim }
    wait: { until: { probe: requests, name: static appears, static: { min: 0.01 } } }
rollbacks:
  - { action: restore-profile, instance: victim }
`,
    );

  it('a profile swap that EC2 is not ready for yet is tried again within the stage, then done', async () => {
    h.cloud.faults.arm('retryable', { op: 'ec2.replaceProfileAssociation', times: 2 });
    const { output } = await runDrill(swap(600));
    expect(output?.outcome).toBe('passed');
    expect(h.cloud.faults.fired.filter((f) => f.op === 'ec2.replaceProfileAssociation')).toHaveLength(2);
    const victim = output?.facts.selected?.victim ?? '';
    expect(h.cloud.world.instances.get(victim)?.profile).toBe(NAMES.instanceProfile);
  });

  it('a stage that cannot reach its state by its deadline fails with a timeout, not a hang, and still rolls back', async () => {
    h.cloud.faults.arm('retryable', { op: 'ec2.replaceProfileAssociation', times: 1_000 });
    const { output, events } = await runDrill(swap(1_000));
    expect(output?.outcome).toBe('failed');
    expect(output?.error).toMatch(/^stage 1: .*(timed out|gave up)/);
    expect(events.some((e) => e.type === 'action' && e.phase === 'rollback')).toBe(true);
  });
});
