/**
 * The drill machine with scripted actors: the menu after each stage (what `start` shows in a
 * terminal), `--yes` verdicts, failures that still roll back, waits that keep what they learnt, and
 * Ctrl+C (`INTERRUPT`): the action in flight finishes, the rollbacks run, the drill waits in `halted`,
 * and `RESUME` runs the method again from its first stage.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Actor, createActor, fromPromise, toPromise } from 'xstate';
import {
  type DrillFacts,
  type DrillOutput,
  type DrillStageInput,
  drillMachine,
  type ObserveOutput,
} from '../../machines/drill.ts';
import type { StepResult } from '../../machines/step-kit.ts';
import { EXPERIMENTS_DIR, loadExperiment } from '../../src/drill/load.ts';

const seven = loadExperiment(join(EXPERIMENTS_DIR, 'seven-stages.yaml'), 'local');

/** Actors that record their calls; `verdict` decides each observation, `actFails` breaks a stage (1-based). */
function actors(
  options: {
    verdict?: (stage: number) => boolean;
    actFails?: number;
    /** A result other than done for a stage's attempt (a wait, a timeout), or undefined. */
    actRetries?: (stage: number, attempt: number) => StepResult<DrillFacts> | undefined;
    /** Holds a stage's act until the returned promise settles. */
    holdAct?: (stage: number) => Promise<void> | undefined;
  } = {},
) {
  const calls: { actor: string; stage: number; facts: DrillFacts }[] = [];
  const note = (actor: string, input: DrillStageInput) =>
    calls.push({ actor, stage: input.phase === 'method' ? input.stage + 1 : 0, facts: input.facts });
  const ok = async (): Promise<ObserveOutput> => ({ pass: true, reasons: [] });
  return {
    calls,
    machine: drillMachine.provide({
      actors: {
        hypothesis: fromPromise<ObserveOutput, DrillStageInput>(ok),
        act: fromPromise<StepResult<DrillFacts>, DrillStageInput>(async ({ input }) => {
          const stage = input.stage + 1;
          note('act', input);
          await options.holdAct?.(stage);
          if (stage === options.actFails) throw new Error('PutParameter denied');
          const wait = options.actRetries?.(stage, input.attempt);
          if (wait !== undefined) return wait;
          return stage === 4
            ? { outcome: 'done', facts: { selected: { bad: 'i-bad' } } }
            : { outcome: 'done' };
        }),
        waitFor: fromPromise<ObserveOutput, DrillStageInput>(ok),
        observe: fromPromise<ObserveOutput, DrillStageInput>(async ({ input }) => {
          note('observe', input);
          const pass = options.verdict?.(input.stage + 1) ?? true;
          return { pass, reasons: pass ? [] : ['expected 502, saw 200'] };
        }),
        rollback: fromPromise<void, DrillStageInput>(async ({ input }) => {
          note(input.step === 'halt' ? 'halt' : 'rollback', input);
        }),
        sendGet: fromPromise<void, DrillStageInput>(async ({ input }) => {
          note('get', input);
        }),
        checkHealth: fromPromise<void, DrillStageInput>(async ({ input }) => {
          note('health', input);
        }),
      },
    }),
  };
}

const input = (yes: boolean) => ({
  experiment: seven,
  facts: { dnsName: 'lb.example' },
  yes,
  stageTimeoutMs: 60_000,
  timeScale: 0.001,
});

type Snapshot = ReturnType<Actor<typeof drillMachine>['getSnapshot']>;
/** Waits for the next snapshot that matches, with a deadline. */
function until(actor: Actor<typeof drillMachine>, test: (s: Snapshot) => boolean) {
  return new Promise<void>((resolve, reject) => {
    if (test(actor.getSnapshot())) return resolve();
    const timer = setTimeout(() => {
      sub.unsubscribe();
      reject(new Error(`never reached the state; it is in ${JSON.stringify(actor.getSnapshot().value)}`));
    }, 5_000);
    const sub = actor.subscribe((s) => {
      if (!test(s)) return;
      clearTimeout(timer);
      sub.unsubscribe();
      resolve();
    });
  });
}
const atMenu = (stage: number) => (s: Snapshot) => s.hasTag('prompt') && s.context.stage === stage - 1;

/** The drill's output, or an error after a deadline (a hang must fail, not stall the suite). */
function finished(actor: Actor<typeof drillMachine>): Promise<DrillOutput> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      actor.stop();
      reject(new Error('the drill did not finish'));
    }, 5_000);
  });
  return Promise.race([toPromise(actor), deadline]).finally(() => clearTimeout(timer));
}

describe('drill machine: the menu (start in a terminal)', () => {
  it('shows the menu after each stage: GET and HEALTH run and come back to it, NEXT goes on', async () => {
    const { calls, machine } = actors();
    const actor = createActor(machine, { input: input(false) }).start();
    await until(actor, atMenu(1));
    actor.send({ type: 'GET' });
    await until(actor, (s) => atMenu(1)(s) && calls.some((c) => c.actor === 'get'));
    actor.send({ type: 'HEALTH' });
    await until(actor, (s) => atMenu(1)(s) && calls.some((c) => c.actor === 'health'));
    for (let stage = 1; stage <= 7; stage++) {
      await until(actor, atMenu(stage));
      actor.send({ type: 'NEXT' });
    }
    const output = await finished(actor);
    expect(output.outcome).toBe('passed');
    expect(calls.map((c) => `${c.actor} ${c.stage}`)).toEqual([
      'act 1',
      'get 1',
      'health 1',
      ...[2, 3, 4, 5, 6, 7].map((s) => `act ${s}`),
      'rollback 0',
    ]);
    // The menu never observes: verdicts are only for --yes.
    expect(output.results).toEqual([]);
  });

  it('ignores menu events while a stage is still acting', async () => {
    const { machine } = actors();
    const actor = createActor(machine, { input: input(false) }).start();
    await until(actor, (s) => s.matches({ method: { stage: 'acting' } }));
    actor.send({ type: 'NEXT' });
    expect(actor.getSnapshot().matches({ method: { stage: 'acting' } })).toBe(true);
    await until(actor, atMenu(1));
    actor.stop();
  });
});

describe('drill machine: --yes verdicts', () => {
  it('observes every stage, passes them all, then rolls back', async () => {
    const { calls, machine } = actors();
    const output = await finished(createActor(machine, { input: input(true) }).start());
    expect(output.outcome).toBe('passed');
    expect(output.results.map((r) => [r.stage, r.pass])).toEqual([1, 2, 3, 4, 5, 6, 7].map((s) => [s, true]));
    expect(calls.at(-1)).toMatchObject({ actor: 'rollback' });
    // What stage 4 chose (the instance with bad credentials) reaches stages 5 and 6.
    expect(calls.find((c) => c.actor === 'act' && c.stage === 6)?.facts.selected?.bad).toBe('i-bad');
    expect(output.facts.selected?.bad).toBe('i-bad');
  });

  it('stops at the first stage that does not behave, still rolls back, and fails', async () => {
    const { calls, machine } = actors({ verdict: (stage) => stage !== 3 });
    const output = await finished(createActor(machine, { input: input(true) }).start());
    expect(output.outcome).toBe('failed');
    expect(output.results.map((r) => [r.stage, r.pass, r.reasons])).toEqual([
      [1, true, []],
      [2, true, []],
      [3, false, ['expected 502, saw 200']],
    ]);
    expect(
      calls.filter((c) => c.actor === 'act' || c.actor === 'rollback').map((c) => c.actor + c.stage),
    ).toEqual(['act1', 'act2', 'act3', 'rollback0']);
  });

  it('a stage whose action fails goes straight to the rollbacks and reports the stage', async () => {
    const { calls, machine } = actors({ actFails: 2 });
    const output = await finished(createActor(machine, { input: input(true) }).start());
    expect(output).toMatchObject({ outcome: 'failed', error: 'stage 2: PutParameter denied' });
    expect(calls.filter((c) => c.actor === 'act').map((c) => c.stage)).toEqual([1, 2]);
    expect(calls.at(-1)?.actor).toBe('rollback');
  });

  it('an action that has to wait keeps what it learnt, sleeps, and tries again within the stage', async () => {
    const { calls, machine } = actors({
      actRetries: (stage, attempt) =>
        stage === 4 && attempt < 2
          ? { outcome: 'retry', reason: 'association associating', facts: { selected: { bad: 'i-chosen' } } }
          : undefined,
    });
    const output = await finished(createActor(machine, { input: input(true) }).start());
    expect(output.outcome).toBe('passed');
    const stage4 = calls.filter((c) => c.actor === 'act' && c.stage === 4);
    expect(stage4).toHaveLength(3);
    // The instance chosen on the first attempt is the one the later attempts get.
    expect(stage4.slice(1).map((c) => c.facts.selected?.bad)).toEqual(['i-chosen', 'i-chosen']);
  });

  it('an action that times out fails its stage and still rolls back', async () => {
    const { calls, machine } = actors({
      actRetries: (stage) =>
        stage === 2 ? { outcome: 'timeout', reason: 'timed out waiting for x.' } : undefined,
    });
    const output = await finished(createActor(machine, { input: input(true) }).start());
    expect(output).toMatchObject({ outcome: 'failed', error: 'stage 2: timed out waiting for x.' });
    expect(calls.filter((c) => c.actor === 'act').map((c) => c.stage)).toEqual([1, 2]);
    expect(calls.at(-1)?.actor).toBe('rollback');
  });
});

describe('drill machine: Ctrl+C', () => {
  it('during an action: the action finishes, then the rollbacks run and the drill waits halted; RESUME starts the method over', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    const { calls, machine } = actors({ holdAct: (stage) => (stage === 4 ? held : undefined) });
    const actor = createActor(machine, { input: input(true) }).start();
    await until(actor, (s) => s.context.stage === 3 && s.matches({ method: { stage: 'acting' } }));
    actor.send({ type: 'INTERRUPT' });
    // The action is still on the wire: nothing rolls back under it, and the driver is told to wait.
    expect(actor.getSnapshot().hasTag('rollback')).toBe(true);
    expect(calls.some((c) => c.actor === 'halt')).toBe(false);
    release();
    await until(actor, (s) => s.hasTag('halted'));
    expect(calls.filter((c) => c.actor === 'halt')).toHaveLength(1);
    // What the interrupted action chose is kept for the rollbacks.
    expect(calls.find((c) => c.actor === 'halt')?.facts.selected?.bad).toBe('i-bad');
    actor.send({ type: 'RESUME' });
    const output = await finished(actor);
    expect(output.outcome).toBe('passed');
    const acted = calls.filter((c) => c.actor === 'act').map((c) => c.stage);
    expect(acted).toEqual([1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 7]);
    // The new trial chose its instance afresh (the stage 1 act after RESUME saw no selection).
    expect(calls.filter((c) => c.actor === 'act')[4]?.facts.selected).toEqual({});
  });

  it('at the menu: the rollbacks run at once', async () => {
    const { calls, machine } = actors();
    const actor = createActor(machine, { input: input(false) }).start();
    await until(actor, atMenu(1));
    actor.send({ type: 'NEXT' });
    await until(actor, atMenu(2));
    actor.send({ type: 'INTERRUPT' });
    await until(actor, (s) => s.hasTag('halted'));
    expect(calls.map((c) => c.actor)).toEqual(['act', 'act', 'halt']);
    actor.stop();
  });

  it('before the method (the steady-state check) it is ignored: nothing was changed, the driver stops the drill', async () => {
    const { machine } = actors();
    const actor = createActor(machine, { input: input(true) }).start();
    expect(actor.getSnapshot().matches('before')).toBe(true);
    actor.send({ type: 'INTERRUPT' });
    expect(actor.getSnapshot().matches('before')).toBe(true);
    expect(actor.getSnapshot().hasTag('rollback')).toBe(false);
    actor.stop();
  });
});
