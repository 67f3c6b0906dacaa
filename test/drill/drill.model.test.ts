/**
 * Model-based tests over generated experiments (fast-check): experiment files generated from the
 * schema's vocabulary round-trip through YAML and validation, and the drill machine run with scripted
 * actors (each stage passes, fails, errors, is stopped, or is interrupted and retried) keeps its
 * invariants: the gate decides whether anything is changed, stages run in order and once each,
 * rollbacks run exactly once and always, the hypothesis is checked again after them, and the outcome
 * follows from what happened.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, toPromise } from 'xstate';
import { stringify } from 'yaml';
import {
  type DrillOutput,
  type DrillStageInput,
  drillMachine,
  type ObserveOutput,
} from '../../machines/drill.ts';
import type { StepResult } from '../../machines/step-kit.ts';
import type { Action, Check, Experiment, Stage } from '../../src/drill/experiment.ts';
import { parseExperiment } from '../../src/drill/load.ts';

const low = fc.double({ min: 0, max: 0.5, noNaN: true });
const high = fc.double({ min: 0.5, max: 1, noNaN: true });
const fraction = fc.oneof(
  fc.record({ min: low }),
  fc.record({ max: high }),
  fc.record({ min: low, max: high }),
);
const requests: fc.Arbitrary<Check> = fc.record(
  {
    probe: fc.constant('requests' as const),
    name: fc.string({ minLength: 1, maxLength: 20 }),
    batches: fc.integer({ min: 1, max: 5 }),
    real: fraction,
    '5xx': fraction,
    instances: fc.record({ min: fc.integer({ min: 0, max: 3 }) }),
  },
  { requiredKeys: ['probe', 'name'] },
);
const targets: fc.Arbitrary<Check> = fc.record(
  {
    probe: fc.constant('targets' as const),
    name: fc.string({ minLength: 1, maxLength: 20 }),
    healthy: fc.record({ equals: fc.integer({ min: 0, max: 3 }) }),
    all: fc.constantFrom('healthy' as const, 'unhealthy' as const),
    instance: fc.record({
      select: fc.constant('v'),
      state: fc.constantFrom('healthy' as const, 'unhealthy' as const, 'absent' as const),
    }),
  },
  { requiredKeys: ['probe', 'name'] },
);
const check = fc.oneof(requests, targets);
const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({
    action: fc.constant('set-parameter' as const),
    parameter: fc.constant('health-check' as const),
    value: fc.constantFrom('shallow', 'deep'),
  }),
  fc.record({
    action: fc.constant('set-parameter' as const),
    parameter: fc.constant('table' as const),
    value: fc.constantFrom('ours', 'this-is-not-a-table'),
  }),
  fc.record({
    action: fc.constantFrom('swap-profile' as const, 'terminate' as const, 'restore-profile' as const),
    instance: fc.constant('v'),
  }),
  fc.record({
    action: fc.constant('fault' as const),
    instance: fc.constant('v'),
    fault: fc.constantFrom('crash' as const, 'hang' as const, 'heal' as const),
  }),
  fc.record({
    action: fc.constant('api-faults' as const),
    throttle: fc.double({ min: 0, max: 0.5, noNaN: true }),
  }),
  fc.record({ action: fc.constant('wait' as const), seconds: fc.integer({ min: 0, max: 60 }) }),
);
const stage: fc.Arbitrary<Stage> = fc.record(
  {
    title: fc.string({ minLength: 1, maxLength: 30 }),
    actions: fc.array(action, { maxLength: 3 }),
    wait: fc.record({ until: check }),
    expect: fc.array(check, { maxLength: 2 }),
    continuous: fc.array(requests, { maxLength: 1 }),
  },
  { requiredKeys: ['title'] },
);
const experiment: fc.Arbitrary<Experiment> = fc.record(
  {
    version: fc.constant(1 as const),
    title: fc.string({ minLength: 1, maxLength: 30 }),
    targets: fc.constant(['local' as const]),
    instances: fc.constant({ v: { pick: 'one-in-service' as const } }),
    steadyState: fc.record({ probes: fc.array(check, { minLength: 1, maxLength: 2 }) }),
    method: fc.array(stage, { minLength: 1, maxLength: 5 }),
    rollbacks: fc.array(action, { maxLength: 3 }),
    stopConditions: fc.array(
      fc.record({
        name: fc.string({ minLength: 1, maxLength: 10 }),
        when: fc.record({ '5xx': fc.record({ min: fc.double({ min: 0.1, max: 1, noNaN: true }) }) }),
        forSeconds: fc.integer({ min: 1, max: 60 }),
      }),
      { maxLength: 1 },
    ),
  },
  { requiredKeys: ['version', 'title', 'method', 'targets', 'instances'] },
);

type StageScript = 'pass' | 'fail' | 'error' | 'stop' | 'retry-then-pass' | 'wait-fails';

describe('generated experiments', () => {
  it('every generated experiment file round-trips through YAML and validates', () => {
    fc.assert(
      fc.property(experiment, (e) => {
        const parsed = parseExperiment('generated.yaml', stringify(e), 'local');
        expect(parsed).toEqual(JSON.parse(JSON.stringify(e)));
      }),
      { numRuns: 200 },
    );
  });

  it('the drill machine keeps its invariants over generated experiments and outcomes', async () => {
    await fc.assert(
      fc.asyncProperty(
        experiment,
        fc.boolean(),
        fc.boolean(),
        fc.array(
          fc.constantFrom<StageScript>(
            'pass',
            'pass',
            'pass',
            'fail',
            'error',
            'stop',
            'retry-then-pass',
            'wait-fails',
          ),
          {
            minLength: 5,
            maxLength: 5,
          },
        ),
        async (e, gate, after, scripts) => {
          const calls: string[] = [];
          const note = (what: string, input: DrillStageInput) =>
            calls.push(input.phase === 'method' ? `${what}:${input.stage}` : `${what}:${input.phase}`);
          const script = (i: number) => scripts[i] ?? 'pass';
          const machine = drillMachine.provide({
            actors: {
              hypothesis: fromPromise<ObserveOutput, DrillStageInput>(async ({ input }) => {
                note('hypothesis', input);
                const pass = input.phase === 'before' ? gate : after;
                return { pass, reasons: pass ? [] : ['not steady'] };
              }),
              act: fromPromise<StepResult<Record<string, unknown>>, DrillStageInput>(async ({ input }) => {
                note('act', input);
                const s = script(input.stage);
                if (s === 'error') throw new Error('AccessDenied');
                if (s === 'retry-then-pass' && input.attempt === 0)
                  return { outcome: 'retry', reason: 'interrupted', facts: { selected: { v: 'i-1' } } };
                return { outcome: 'done', facts: { selected: { v: 'i-1' } } };
              }),
              waitFor: fromPromise<ObserveOutput, DrillStageInput>(async ({ input }) => {
                note('wait', input);
                return script(input.stage) === 'wait-fails'
                  ? { pass: false, reasons: ['timed out'] }
                  : { pass: true, reasons: [] };
              }),
              observe: fromPromise<ObserveOutput, DrillStageInput>(async ({ input }) => {
                note('observe', input);
                const s = script(input.stage);
                if (s === 'stop') return { pass: false, reasons: ['stopped'], stopped: 'too many 5xx' };
                return s === 'fail' ? { pass: false, reasons: ['no'] } : { pass: true, reasons: [] };
              }),
              rollback: fromPromise<void, DrillStageInput>(async ({ input }) => {
                note('rollback', input);
              }),
            },
          });
          const actor = createActor(machine, {
            input: { experiment: e, facts: {}, stageTimeoutMs: 6_000, timeScale: 0.001 },
          });
          const output = (await toPromise(actor.start())) as DrillOutput;

          // The gate: when the steady state does not hold, nothing is acted on.
          if (!gate) expect(calls.filter((c) => c.startsWith('act'))).toEqual([]);
          // Rollbacks run exactly once, after every method actor, and the hypothesis is checked after them.
          expect(calls.filter((c) => c === 'rollback:rollback')).toHaveLength(1);
          const rb = calls.indexOf('rollback:rollback');
          expect(calls.slice(rb + 1)).toEqual(['hypothesis:after']);
          expect(calls[0]).toBe('hypothesis:before');
          // Stages are acted on in order, each once (twice when its first attempt had to wait).
          const acted = calls.filter((c) => c.startsWith('act:')).map((c) => Number(c.slice(4)));
          const distinct = [...new Set(acted)];
          expect(distinct).toEqual(distinct.map((_, i) => i));
          for (const s of distinct)
            expect(acted.filter((x) => x === s)).toHaveLength(script(s) === 'retry-then-pass' ? 2 : 1);
          // The drill stops at the first stage that does not pass.
          const firstBad = e.method.findIndex((_, i) => !['pass', 'retry-then-pass'].includes(script(i)));
          const expectedStages = !gate ? 0 : firstBad === -1 ? e.method.length : firstBad + 1;
          expect(distinct).toHaveLength(expectedStages);
          // The outcome follows from what happened.
          const stopped = gate && firstBad !== -1 && script(firstBad) === 'stop';
          const passed = gate && after && firstBad === -1;
          expect(output.outcome).toBe(stopped ? 'aborted' : passed ? 'passed' : 'failed');
          expect(output.results.every((r) => r.pass)).toBe(
            !gate || firstBad === -1 || script(firstBad) === 'error',
          );
          if (gate && firstBad !== -1 && script(firstBad) === 'error')
            expect(output.error).toMatch(/AccessDenied/);
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);
});
