import { describe, expect, it } from 'vitest';
import { type Actor, createActor, fromPromise, toPromise } from 'xstate';
import {
  type DemoFacts,
  type DemoOutput,
  demoMachine,
  type StageInput,
  type StageResult,
} from '../../machines/demo.ts';
import type { StepResult } from '../../machines/step-kit.ts';

/** Demo actors that record their calls; `verdict` decides each observation, `applyFails` breaks a stage. */
function actors(
  options: {
    verdict?: (stage: number) => boolean;
    applyFails?: number;
    /** A result other than done for a stage's attempt (a wait, a timeout), or undefined. */
    actRetries?: (stage: number, attempt: number) => StepResult<DemoFacts> | undefined;
  } = {},
) {
  const calls: { actor: string; stage: number; facts: DemoFacts }[] = [];
  const note = (actor: string, input: StageInput) =>
    calls.push({ actor, stage: input.stage, facts: input.facts });
  return {
    calls,
    machine: demoMachine.provide({
      actors: {
        act: fromPromise<StepResult<DemoFacts>, StageInput>(async ({ input }) => {
          note('apply', input);
          if (input.stage === options.applyFails) throw new Error('PutParameter denied');
          const wait = options.actRetries?.(input.stage, input.attempt ?? 0);
          if (wait !== undefined) return wait;
          return input.stage === 4
            ? { outcome: 'done', facts: { badInstanceId: 'i-bad' } }
            : { outcome: 'done' };
        }),
        settle: fromPromise<StepResult<DemoFacts>, StageInput>(async () => ({ outcome: 'done' })),
        observeStage: fromPromise<StageResult, StageInput>(async ({ input }) => {
          note('observe', input);
          const pass = options.verdict?.(input.stage) ?? true;
          return { stage: input.stage, pass, reasons: pass ? [] : ['expected 502, saw 200'] };
        }),
        sendGet: fromPromise<void, StageInput>(async ({ input }) => {
          note('get', input);
        }),
        checkHealth: fromPromise<void, StageInput>(async ({ input }) => {
          note('health', input);
        }),
      },
    }),
  };
}

const input = (auto: boolean) => ({ facts: { dnsName: 'lb.example' }, auto, stageTimeoutMs: 60_000 });

/** Waits for the next snapshot that matches, with a deadline. */
function until(
  actor: ReturnType<typeof createActor>,
  test: (s: ReturnType<typeof actor.getSnapshot>) => boolean,
) {
  return new Promise<void>((resolve, reject) => {
    if (test(actor.getSnapshot())) return resolve();
    const timer = setTimeout(() => {
      sub.unsubscribe();
      reject(
        new Error(`demo never reached the state; it is in ${JSON.stringify(actor.getSnapshot().value)}`),
      );
    }, 5_000);
    const sub = actor.subscribe((s) => {
      if (!test(s)) return;
      clearTimeout(timer);
      sub.unsubscribe();
      resolve();
    });
  });
}

/** The demo's output, or an error after a deadline (a hang must fail, not stall the suite). */
function finished(actor: Actor<typeof demoMachine>): Promise<DemoOutput> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      actor.stop();
      reject(new Error('the demo did not finish'));
    }, 5_000);
  });
  return Promise.race([toPromise(actor), deadline]).finally(() => clearTimeout(timer));
}

describe('demo machine', () => {
  it('shows the menu after each stage: GET and HEALTH run and come back to it, NEXT goes on', async () => {
    const { calls, machine } = actors();
    const actor = createActor(machine, { input: input(false) }).start();
    await until(actor, (s) => s.matches({ stage1: 'menu' }));
    expect(actor.getSnapshot().hasTag('prompt')).toBe(true);
    actor.send({ type: 'GET' });
    await until(actor, (s) => s.matches({ stage1: 'menu' }) && calls.some((c) => c.actor === 'get'));
    actor.send({ type: 'HEALTH' });
    await until(actor, (s) => s.matches({ stage1: 'menu' }) && calls.some((c) => c.actor === 'health'));
    actor.send({ type: 'NEXT' });
    await until(actor, (s) => s.matches({ stage2: 'menu' }));
    for (let stage = 2; stage <= 7; stage++) {
      await until(actor, (s) => s.matches({ [`stage${stage}`]: 'menu' }));
      actor.send({ type: 'NEXT' });
    }
    const output = await finished(actor);
    expect(output.outcome).toBe('succeeded');
    expect(calls.map((c) => `${c.actor} ${c.stage}`)).toEqual([
      'apply 1',
      'get 1',
      'health 1',
      ...[2, 3, 4, 5, 6, 7, 8].map((s) => `apply ${s}`),
    ]);
    // The menu never observes: results are only for --yes.
    expect(output.results).toEqual([]);
  });

  it('ignores menu events while a stage is still being applied', async () => {
    const { machine } = actors();
    const actor = createActor(machine, { input: input(false) }).start();
    actor.send({ type: 'NEXT' });
    expect(actor.getSnapshot().matches({ stage1: 'acting' })).toBe(true);
    await until(actor, (s) => s.matches({ stage1: 'menu' }));
    actor.stop();
  });

  it('with --yes observes every stage, passes them all, then resets', async () => {
    const { calls, machine } = actors();
    const output = await finished(createActor(machine, { input: input(true) }).start());
    expect(output.outcome).toBe('succeeded');
    expect(output.results.map((r) => [r.stage, r.pass])).toEqual([1, 2, 3, 4, 5, 6, 7].map((s) => [s, true]));
    expect(calls.at(-1)).toMatchObject({ actor: 'apply', stage: 8 });
    // What stage 4 learnt (the instance with bad credentials) reaches stages 5 and 6.
    expect(calls.find((c) => c.actor === 'apply' && c.stage === 6)?.facts.badInstanceId).toBe('i-bad');
    expect(output.facts.badInstanceId).toBe('i-bad');
  });

  it('with --yes stops at the first stage that does not behave, still resets, and fails', async () => {
    const { calls, machine } = actors({ verdict: (stage) => stage !== 3 });
    const output = await finished(createActor(machine, { input: input(true) }).start());
    expect(output.outcome).toBe('failed');
    expect(output.results).toEqual([
      { stage: 1, pass: true, reasons: [] },
      { stage: 2, pass: true, reasons: [] },
      { stage: 3, pass: false, reasons: ['expected 502, saw 200'] },
    ]);
    expect(calls.filter((c) => c.actor === 'apply').map((c) => c.stage)).toEqual([1, 2, 3, 8]);
  });

  it('a stage whose action fails goes straight to the reset and reports the stage', async () => {
    const { calls, machine } = actors({ applyFails: 2 });
    const output = await finished(createActor(machine, { input: input(true) }).start());
    expect(output).toMatchObject({ outcome: 'failed', error: 'stage 2: PutParameter denied' });
    expect(calls.filter((c) => c.actor === 'apply').map((c) => c.stage)).toEqual([1, 2, 8]);
  });

  it('an action that has to wait keeps what it learnt, sleeps, and tries again within the stage', async () => {
    const { calls, machine } = actors({
      actRetries: (stage, attempt) =>
        stage === 4 && attempt < 2
          ? { outcome: 'retry', reason: 'association associating', facts: { badInstanceId: 'i-chosen' } }
          : undefined,
    });
    const output = await finished(createActor(machine, { input: input(true) }).start());
    expect(output.outcome).toBe('succeeded');
    const stage4 = calls.filter((c) => c.actor === 'apply' && c.stage === 4);
    expect(stage4).toHaveLength(3);
    // The instance chosen on the first attempt is the one the later attempts get.
    expect(stage4.slice(1).map((c) => c.facts.badInstanceId)).toEqual(['i-chosen', 'i-chosen']);
  });

  it('an action that times out fails its stage and still resets', async () => {
    const { calls, machine } = actors({
      actRetries: (stage) =>
        stage === 2 ? { outcome: 'timeout', reason: 'timed out waiting for x.' } : undefined,
    });
    const output = await finished(createActor(machine, { input: input(true) }).start());
    expect(output).toMatchObject({ outcome: 'failed', error: 'stage 2: timed out waiting for x.' });
    expect(calls.filter((c) => c.actor === 'apply').map((c) => c.stage)).toEqual([1, 2, 8]);
  });

  it('a failed reset fails the demo even when every stage passed', async () => {
    const { machine } = actors({ applyFails: 8 });
    const output = await finished(createActor(machine, { input: input(true) }).start());
    expect(output).toMatchObject({ outcome: 'failed', error: 'stage 8: PutParameter denied' });
    expect(output.results.every((r) => r.pass)).toBe(true);
  });
});
