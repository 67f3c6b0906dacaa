import { existsSync, readFileSync, rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { DEPLOY_STEPS, type DeployStep } from '../../machines/deploy.ts';
import { openCheckpoint } from '../../src/checkpoint/store.ts';
import type { Question } from '../../src/events.ts';
import { MACHINE_VERSION } from '../../src/run/index.ts';
import { runHarness } from './_fakes/run-harness.ts';

describe('run outcomes over the fake cloud', () => {
  let h: ReturnType<typeof runHarness> | undefined;
  afterEach(() => {
    h?.cleanup();
    h = undefined;
  });

  it('a demo stage that fails still ends in a destroy that leaves nothing', async () => {
    h = runHarness();
    const cloud = h.cloud;
    const run = h.start({
      onCheckpoint: ({ states }) => {
        if (states.includes('demo:method.stage3.acting.running') && cloud.faults.fired.length === 0)
          cloud.faults.arm('fatal', { op: 'ssm.putParameter' });
      },
    });
    const result = await run;
    expect(result.outcome).toBe('failed');
    expect(result.output?.demo).toMatchObject({
      outcome: 'failed',
      error: expect.stringMatching(/^stage 3: /),
    });
    expect(result.output?.destroy?.outcome).toBe('succeeded');
    expect(cloud.leftovers()).toEqual([]);
    expect(existsSync(h.checkpoint())).toBe(false);
  });

  it('with --keep a failed stage leaves the deployment and its checkpoint; destroy by name removes both', async () => {
    h = runHarness();
    const cloud = h.cloud;
    const run = h.start({
      keep: true,
      onCheckpoint: ({ states }) => {
        if (states.includes('demo:method.stage2.acting.running') && cloud.faults.fired.length === 0)
          cloud.faults.arm('fatal', { op: 'ssm.putParameter' });
      },
    });
    const result = await run;
    expect(result.outcome).toBe('failed');
    expect(result.output?.destroy).toBeUndefined();
    expect(cloud.leftovers()).toContain('load-balancer resilient-demo-lb');
    expect(existsSync(h.checkpoint())).toBe(true);
    const destroyed = await h.destroy({ name: 'demo' });
    expect(destroyed.outcome).toBe('succeeded');
    expect(cloud.leftovers()).toEqual([]);
    expect(existsSync(h.checkpoint())).toBe(false);
  });

  it('interactively: the menu is offered after every stage, and "no" to the clean-up keeps everything', async () => {
    h = runHarness();
    const asked = new Map<number, number>();
    const run = h.start({ yes: false }, (q) => {
      if (q.kind === 'confirm-destroy') return { kind: 'confirm-destroy', yes: false };
      if (q.kind !== 'demo-menu') return undefined;
      // At each stage: GET, then HEALTH, then NEXT.
      const seen = asked.get(q.stage) ?? 0;
      asked.set(q.stage, seen + 1);
      return { kind: 'demo-menu', choice: seen === 0 ? 'get' : seen === 1 ? 'health' : 'next' };
    });
    const result = await run;
    expect(result.outcome).toBe('kept');
    const menus = run.host.questions.flatMap((q) => (q.kind === 'demo-menu' ? [q.stage] : []));
    expect([...new Set(menus)]).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(run.host.events.filter((e) => e.type === 'get-result')).toHaveLength(7);
    expect(run.host.events.filter((e) => e.type === 'target-health')).toHaveLength(7);
    expect(run.host.events.filter((e) => e.type === 'observation')).toHaveLength(0);
    expect(run.host.questions.at(-1)?.kind).toBe('confirm-destroy');
    expect(h.cloud.leftovers().length).toBeGreaterThan(0);
    expect((await h.destroy()).outcome).toBe('succeeded');
    expect(h.cloud.leftovers()).toEqual([]);
  });

  it.each([
    { allow: true, outcome: 'succeeded' },
    { allow: false, outcome: 'failed' },
  ])(
    'on AWS, an endpoint closed to the caller asks for a /32 rule (answer $allow): $outcome, and nothing remains',
    async ({ allow, outcome }) => {
      h = runHarness();
      // The endpoint does not answer until the rule exists (the check looks at the security group after 2 misses).
      h.cloud.faults.arm('retryable', { op: 'get', times: 3 });
      const run = h.start({ yes: false }, (q) => {
        if (q.kind === 'ingress') return { kind: 'ingress', yes: allow };
        if (q.kind === 'demo-menu') return { kind: 'demo-menu', choice: 'next' };
        return { kind: 'confirm-destroy', yes: true };
      });
      const result = await run;
      expect(result.outcome).toBe(outcome);
      expect(run.host.questions[0]).toMatchObject({
        kind: 'ingress',
        groupId: 'sg-default',
        cidr: '203.0.113.7/32',
        port: 80,
      });
      const added = run.host.events.some(
        (e) => e.type === 'resource' && e.kind === 'ingress-rule' && e.action === 'deleted',
      );
      expect(added).toBe(allow);
      expect(h.cloud.world.creations.has('ingress-rule:sg-default|203.0.113.7/32|80')).toBe(allow);
      expect(h.cloud.leftovers()).toEqual([]);
    },
  );

  it('a step that never stops waiting ends the deploy timed out after its attempts; destroy still runs', async () => {
    h = runHarness();
    h.cloud.faults.arm('throttle', { op: 'elbv2.createListener', times: 1_000 });
    const result = await h.start();
    expect(result.outcome).toBe('timed-out');
    expect(result.output?.deploy).toMatchObject({
      outcome: 'timed-out',
      failedStep: 'creatingListener',
      error: expect.stringMatching(/^gave up after 8 attempts: transient cloud error ThrottlingException/),
    });
    expect(result.output?.demo).toBeUndefined();
    expect(result.output?.destroy?.outcome).toBe('succeeded');
    expect(h.cloud.leftovers()).toEqual([]);
  });

  it('with 10 % of API calls throttled after the SDK gave up, the whole run still succeeds and leaves nothing', async () => {
    h = runHarness();
    h.cloud.faults.throttleRate = 0.1;
    const result = await h.start();
    const throttles = h.cloud.faults.fired.filter((f) => f.kind === 'throttle').length;
    expect(throttles).toBeGreaterThan(5);
    expect(result.outcome).toBe('succeeded');
    expect(h.cloud.leftovers()).toEqual([]);
    expect(h.cloud.duplicates()).toEqual([]);
  });

  it('Ctrl+C lets the call in flight finish and records it; resume goes on from the next step', async () => {
    h = runHarness();
    const controller = new AbortController();
    let current = '';
    let inFlight = '';
    const run = h.start({
      signal: controller.signal,
      onCheckpoint: ({ states }) => {
        current = states.find((s) => s.startsWith('deploy:'))?.slice('deploy:'.length) ?? current;
        // The signal arrives between two turns of the event loop, while some step's call is in flight.
        if (current === 'creatingTargetGroup' && inFlight === '')
          setImmediate(() => {
            inFlight = current;
            controller.abort();
          });
      },
    });
    expect((await run).outcome).toBe('interrupted');
    const next = DEPLOY_STEPS[DEPLOY_STEPS.indexOf(inFlight as DeployStep) + 1];
    const file = JSON.parse(readFileSync(h.checkpoint(), 'utf8'));
    expect(file.snapshot.status).toBe('active');
    expect(file.snapshot.children.deploy.snapshot.value).toBe(next);
    const resumed = h.resume();
    expect((await resumed).outcome).toBe('succeeded');
    const started = resumed.host.events.flatMap((e) => (e.type === 'step-started' ? [e.step] : []));
    expect(started).not.toContain(inFlight);
    expect(started).toContain(next);
    expect(h.cloud.duplicates()).toEqual([]);
    expect(h.cloud.leftovers()).toEqual([]);
  });

  it('Ctrl+C during a long observation stops it at once and rolls back; resume runs the stages again', async () => {
    h = runHarness();
    const cloud = h.cloud;
    const controller = new AbortController();
    const failureResponse = '/resilient/demo/failure-response';
    const run = h.start({
      signal: controller.signal,
      onCheckpoint: ({ states }) => {
        if (!states.includes('demo:method.stage3.observing') || controller.signal.aborted) return;
        // Stage 3 will not hold (its observation would poll until the stage deadline, 30 s away) ...
        cloud.world.parameters.set(failureResponse, 'none');
        // ... and the user presses Ctrl+C while it polls.
        setTimeout(() => controller.abort(), 20);
      },
    });
    expect((await run).outcome).toBe('interrupted');
    const file = JSON.parse(readFileSync(h.checkpoint(), 'utf8'));
    expect(file.snapshot.children.demo.snapshot.value).toBe('halted');
    expect(file.snapshot.children.demo.snapshot.context.stage).toBe(2);
    expect(run.host.events.filter((e) => e.type === 'observation')).toHaveLength(2);
    // The rollback ran before the stop.
    expect(cloud.world.parameters.get('/resilient/demo/table')).toBe('resilient-demo-recommendations');
    const resumed = h.resume();
    expect((await resumed).outcome).toBe('succeeded');
    const observed = resumed.host.events.flatMap((e) => (e.type === 'observation' ? [e.stage] : []));
    expect(observed).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(cloud.leftovers()).toEqual([]);
  });

  it('Ctrl+C while a question waits rolls back and stops; resume asks the stages’ questions again from the first', async () => {
    h = runHarness();
    const controller = new AbortController();
    const asked: Question[] = [];
    const run = h.start({
      yes: false,
      signal: controller.signal,
      // Nobody answers the stage 2 menu; the user presses Ctrl+C instead.
      ask: (q) => {
        asked.push(q);
        if (q.kind === 'demo-menu' && q.stage === 2) {
          setImmediate(() => controller.abort());
          return new Promise<never>(() => {});
        }
        return Promise.resolve({ kind: 'demo-menu', choice: 'next' });
      },
    });
    expect((await run).outcome).toBe('interrupted');
    const file = JSON.parse(readFileSync(h.checkpoint(), 'utf8'));
    expect(file.snapshot.children.demo.snapshot.value).toBe('halted');
    expect(h.cloud.world.parameters.get('/resilient/demo/table')).toBe('resilient-demo-recommendations');
    const resumed = h.resume({}, (q) =>
      q.kind === 'confirm-destroy' ? { kind: 'confirm-destroy', yes: true } : undefined,
    );
    expect((await resumed).outcome).toBe('succeeded');
    expect(resumed.host.questions[0]).toEqual({ kind: 'demo-menu', stage: 1, defaultAnswer: 'next' });
    expect(
      resumed.host.questions
        .filter((q) => q.kind === 'demo-menu')
        .map((q) => q.kind === 'demo-menu' && q.stage),
    ).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(asked.map((q) => q.kind === 'demo-menu' && q.stage)).toEqual([1, 2]);
    expect(h.cloud.leftovers()).toEqual([]);
  });

  it('a checkpoint written before the run started cannot be resumed, and destroy sweeps by name', async () => {
    h = runHarness();
    const store = openCheckpoint({
      stateDir: h.stateDir,
      name: 'demo',
      machineVersion: MACHINE_VERSION,
      create: { target: { kind: 'aws', region: 'us-west-2' } },
    });
    store.release();
    await h.cloud.aws.dynamodb.createTable({ name: 'resilient-demo-recommendations', tags: [] });
    await expect(h.resume()).rejects.toMatchObject({
      code: 'USAGE',
      message: expect.stringMatching(/never started/),
    });
    const result = await h.destroy();
    expect(result.outcome).toBe('succeeded');
    expect(h.cloud.leftovers()).toEqual([]);
  });

  it('destroy with no checkpoint at all finds the deployment by name and tag', async () => {
    h = runHarness();
    expect((await h.start({ keep: true })).outcome).toBe('kept');
    rmSync(h.checkpoint());
    rmSync(`${h.stateDir}/demo.lock`, { force: true });
    const result = await h.destroy({ name: 'demo' });
    expect(result.outcome).toBe('succeeded');
    expect(h.cloud.leftovers()).toEqual([]);
  });
});
