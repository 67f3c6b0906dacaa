/**
 * The demo on a real account's terms (issue #10 B7–B9), over the fake cloud through the run API:
 * Ctrl+C lets a mutating call finish and stops before the next one; stage 4 reboots only once the new
 * profile association is `associated`; `--yes` verification cannot be fooled by one lucky batch or
 * by a 5xx during the instance replacement.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Aws } from '../../src/aws/index.ts';
import type { RunEvent } from '../../src/events.ts';
import type { FakeSession } from './_fakes/fake-cloud.ts';
import { runHarness } from './_fakes/run-harness.ts';

const NOT_A_TABLE = 'this-is-not-a-table';
const MUTATING = new Set([
  'ssm.putParameter',
  'ec2.replaceProfileAssociation',
  'ec2.rebootInstances',
  'autoscaling.terminateInstance',
]);

type Harness = ReturnType<typeof runHarness>;
let h: Harness | undefined;
afterEach(() => h?.cleanup());

/**
 * A session over the harness's cloud whose calls a test can hold on the wire, and that logs every
 * call it makes (`log`), the association states it reported, and every GET.
 */
function interceptingSession(
  harness: Harness,
  hold: (op: string, args: unknown[]) => Promise<unknown> | undefined,
) {
  const base = harness.cloud.session();
  const log: string[] = [];
  let gets = 0;
  const wrap = <S extends object>(service: string, impl: S): S =>
    Object.fromEntries(
      Object.entries(impl).map(([method, fn]) => [
        method,
        async (...args: unknown[]) => {
          const op = `${service}.${method}`;
          const held = hold(op, args);
          if (held !== undefined) await held;
          const out = await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
          log.push(
            op === 'ec2.profileAssociation'
              ? `${op}:${(out as { state?: string } | undefined)?.state ?? 'none'}`
              : op,
          );
          return out;
        },
      ]),
    ) as S;
  const aws = Object.fromEntries(
    Object.entries(base.aws).map(([service, impl]) => [service, wrap(service, impl as object)]),
  ) as unknown as Aws;
  const session: FakeSession = {
    aws,
    get: async (url, timeoutMs) => {
      gets += 1;
      return base.get(url, timeoutMs);
    },
    kill: base.kill,
  };
  return {
    session,
    log,
    gets: () => gets,
  };
}

const mutatingAfter = (log: readonly string[], index: number) =>
  log.slice(index + 1).filter((op) => MUTATING.has(op.split(':')[0] ?? ''));

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Ctrl+C in the demo (B7)', () => {
  it('once, while a PutParameter is on the wire: the call finishes, no other stage call starts, the rollback restores the table, the run stops interrupted; resume runs the stages again', async () => {
    h = runHarness();
    const harness = h;
    const controller = new AbortController();
    let settled = false;
    let settledWhileOnTheWire: boolean | undefined;
    let heldAt = -1;
    const spy = interceptingSession(harness, (op, args) => {
      const value = (args[0] as { value?: string } | undefined)?.value;
      if (op !== 'ssm.putParameter' || value !== NOT_A_TABLE || controller.signal.aborted) return undefined;
      // Stage 2's PutParameter has been sent: Ctrl+C arrives (on the next turn of the event loop)
      // while the call stays on the wire for a while.
      setImmediate(() => controller.abort());
      return tick(30).then(() => {
        settledWhileOnTheWire = settled;
        heldAt = spy.log.length; // the held call is logged next
      });
    });
    const run = h.start({ session: spy.session, signal: controller.signal });
    void run.finally(() => {
      settled = true;
    });
    expect((await run).outcome).toBe('interrupted');
    expect(settledWhileOnTheWire).toBe(false);
    // The call finished, no call of the stage came after it, and the rollback put the table back.
    expect(spy.log[heldAt]).toBe('ssm.putParameter');
    expect(mutatingAfter(spy.log, heldAt)).toEqual(['ssm.putParameter']);
    expect(harness.cloud.world.parameters.get('/resilient/demo/table')).toBe(
      'resilient-demo-recommendations',
    );
    const file = JSON.parse(readFileSync(harness.checkpoint(), 'utf8'));
    expect(file.snapshot.children.demo.snapshot.value).toBe('halted');
    expect(file.snapshot.children.demo.snapshot.context.stage).toBe(1);

    // The interrupted trial was rolled back: the resumed run goes through every stage again.
    const resumed = h.resume();
    expect((await resumed).outcome).toBe('succeeded');
    const observed = resumed.host.events.flatMap((e) =>
      e.type === 'observation' ? [[e.stage, e.pass]] : [],
    );
    expect(observed).toEqual([1, 2, 3, 4, 5, 6, 7].map((s) => [s, true]));
    expect(harness.cloud.leftovers()).toEqual([]);
  });

  it('once, during stage 4’s profile swap: the swap finishes, the reboot is not sent, the rollbacks give the instance its profile back; resume runs the stages again and ends clean', async () => {
    h = runHarness();
    const harness = h;
    const controller = new AbortController();
    const spy = interceptingSession(harness, (op) => {
      if (op !== 'ec2.replaceProfileAssociation' || controller.signal.aborted) return undefined;
      setImmediate(() => controller.abort());
      return tick(30);
    });
    const run = h.start({ session: spy.session, signal: controller.signal });
    expect((await run).outcome).toBe('interrupted');
    const swap = spy.log.indexOf('ec2.replaceProfileAssociation');
    expect(swap).toBeGreaterThan(-1);
    // Not the stage's reboot: only the rollbacks' table and profile restore (replace, then its reboot).
    expect(mutatingAfter(spy.log, swap)).toEqual([
      'ssm.putParameter',
      'ec2.replaceProfileAssociation',
      'ec2.rebootInstances',
    ]);
    const file = JSON.parse(readFileSync(harness.checkpoint(), 'utf8'));
    const chosen = file.snapshot.children.demo.snapshot.context.facts.selected.bad as string;
    expect(chosen).toMatch(/^i-/);
    // The checkpoint names the instance, and the rollback gave it its own profile back.
    expect(harness.cloud.world.instances.get(chosen)?.profile).not.toMatch(/bc/);

    const again = interceptingSession(harness, () => undefined);
    const resumed = h.resume({ session: again.session });
    expect((await resumed).outcome).toBe('succeeded');
    expect(again.log.filter((op) => op === 'ec2.replaceProfileAssociation')).toHaveLength(1);
    expect(again.log.filter((op) => op === 'ec2.rebootInstances')).toHaveLength(1);
    const info = resumed.host.events.find(
      (e) => e.type === 'info' && e.message.startsWith('Replaced the instance profile of'),
    );
    expect(info?.type === 'info' && info.message).toMatch(/with resilient-demo-.*bc; rebooting it\./);
    expect(harness.cloud.leftovers()).toEqual([]);
  });

  it('once, during an observation: no GET is sent after the run has stopped', async () => {
    h = runHarness();
    const controller = new AbortController();
    const spy = interceptingSession(h, () => undefined);
    const run = h.start({
      session: spy.session,
      signal: controller.signal,
      onCheckpoint: ({ states }) => {
        if (states.includes('demo:method.stage3.observing') && !controller.signal.aborted)
          setTimeout(() => controller.abort(), 1);
      },
    });
    expect((await run).outcome).toBe('interrupted');
    const atStop = spy.gets();
    await tick(50);
    expect(spy.gets()).toBe(atStop);
  });
});

describe('stage 4 and its profile association (B8)', () => {
  it('reboots only once DescribeIamInstanceProfileAssociations says the new association is associated', async () => {
    h = runHarness();
    h.cloud.world.associatingReads = 3;
    const spy = interceptingSession(h, () => undefined);
    const result = await h.start({ session: spy.session });
    expect(result.outcome).toBe('succeeded');
    const swap = spy.log.indexOf('ec2.replaceProfileAssociation');
    const reboot = spy.log.indexOf('ec2.rebootInstances');
    const between = spy.log.slice(swap + 1, reboot).filter((op) => op.startsWith('ec2.profileAssociation'));
    expect(between).toContain('ec2.profileAssociation:associating');
    expect(between.at(-1)).toBe('ec2.profileAssociation:associated');
  });

  it('a run interrupted while the association is associating resumes, waits for it, and passes', async () => {
    h = runHarness();
    h.cloud.world.associatingReads = 2;
    const controller = new AbortController();
    const spy = interceptingSession(h, (op) => {
      if (op !== 'ec2.replaceProfileAssociation' || controller.signal.aborted) return undefined;
      setImmediate(() => controller.abort());
      return tick(5);
    });
    expect((await h.start({ session: spy.session, signal: controller.signal })).outcome).toBe('interrupted');
    const again = interceptingSession(h, () => undefined);
    const resumed = h.resume({ session: again.session });
    expect((await resumed).outcome).toBe('succeeded');
    expect(again.log).toContain('ec2.profileAssociation:associating');
    expect(again.log.indexOf('ec2.rebootInstances')).toBeGreaterThan(
      again.log.indexOf('ec2.profileAssociation:associated'),
    );
  });

  it('an association that vanished while being replaced fails stage 4 at once with a clear error, without retrying', async () => {
    h = runHarness();
    const harness = h;
    const spy = interceptingSession(harness, (op) => {
      if (op !== 'ec2.replaceProfileAssociation') return undefined;
      // Someone removed the association: EC2 answers InvalidAssociationID.NotFound.
      for (const i of harness.cloud.world.instances.values()) i.associationId = 'iip-assoc-gone';
      return undefined;
    });
    const result = await h.start({ session: spy.session });
    expect(result.outcome).toBe('failed');
    expect(result.output?.demo?.error).toMatch(/^stage 4: .*no longer exists/);
    expect(spy.log.filter((op) => op === 'ec2.replaceProfileAssociation')).toHaveLength(1);
    expect(harness.cloud.leftovers()).toEqual([]);
  });
});

describe('--yes verification that cannot be fooled (B9)', () => {
  const byStage = (events: readonly RunEvent[], type: RunEvent['type'], stage: number) =>
    events.flatMap((e, i) => (e.type === type && (e as { stage?: number }).stage === stage ? [i] : []));

  it('a probe runs through every stage, from before its action to its verdict', async () => {
    h = runHarness();
    const run = h.start();
    expect((await run).outcome).toBe('succeeded');
    const events = run.host.events;
    for (const stage of [1, 2, 3, 4, 5, 6, 7]) {
      const samples = byStage(events, 'probe-sample', stage);
      const actions = byStage(events, 'action', stage);
      const verdict = byStage(events, 'observation', stage)[0] ?? -1;
      expect({ stage, samples: samples.length >= 3 }).toEqual({ stage, samples: true });
      // The probe was running before the stage's first change, and its last batch is the verdict's.
      expect(
        events.slice(0, actions[0] ?? 0).some((e) => e.type === 'probe-sample' && e.stage === stage),
      ).toBe(false);
      expect(samples.at(-1) ?? 0).toBeLessThan(verdict);
      expect(byStage(events, 'expectation', stage)).toHaveLength(1);
    }
  });

  it('stage 6 fails when one request answers 5xx while the instance is replaced', async () => {
    // The replacement takes a while (boot and first health verdict), as it does on a real group.
    h = runHarness({ bootMs: 150, healthyMs: 150 });
    const harness = h;
    let terminatedAt: number | undefined;
    let served503 = false;
    const spy = interceptingSession(harness, (op) => {
      if (op === 'autoscaling.terminateInstance') terminatedAt = Date.now();
      return undefined;
    });
    const session: FakeSession = {
      ...spy.session,
      // One 503 in the first 100 ms after the terminate, long before the replacement is healthy.
      get: async (url, timeoutMs) => {
        if (terminatedAt !== undefined && !served503 && Date.now() < terminatedAt + 100) {
          served503 = true;
          return { status: 503, kind: 'error', body: '503 Service Temporarily Unavailable' };
        }
        return spy.session.get(url, timeoutMs);
      },
    };
    const run = h.start({ session });
    const result = await run;
    expect(terminatedAt).toBeDefined();
    expect(result.outcome).toBe('failed');
    const six = run.host.events.find((e) => e.type === 'observation' && e.stage === 6);
    expect(six).toMatchObject({ pass: false });
    expect(six?.type === 'observation' && six.reasons.join(' ')).toMatch(
      /5xx: expected = 0 of requests, saw .* \(1 of \d+\)/,
    );
    expect(harness.cloud.leftovers()).toEqual([]);
  });

  it('a stage passes only after several consecutive batches show its row, not one', async () => {
    h = runHarness();
    const harness = h;
    const failureResponse = '/resilient/demo/failure-response';
    let observingFrom: number | undefined;
    let from = 0;
    let getsAtVerdict = 0;
    const spy = interceptingSession(harness, () => undefined);
    // Stage 3's row (every GET static) holds in batches 0, 2 and 4 on; batches 1 and 3 break it.
    const get = spy.session.get;
    const session: FakeSession = {
      ...spy.session,
      get: async (url, timeoutMs) => {
        if (observingFrom !== undefined) {
          const batch = Math.floor((spy.gets() - observingFrom) / 9);
          harness.cloud.world.parameters.set(failureResponse, batch === 1 || batch === 3 ? 'none' : 'static');
        }
        return get(url, timeoutMs);
      },
    };
    const run = h.start({
      session,
      onCheckpoint: ({ states }) => {
        if (!states.includes('demo:method.stage3.observing') || observingFrom !== undefined || from > 0)
          return;
        from = spy.gets();
        observingFrom = from;
      },
    });
    const host = run.host;
    const emit = host.emit;
    host.emit = (e) => {
      if (e.type === 'observation' && e.stage === 3) {
        getsAtVerdict = spy.gets();
        observingFrom = undefined;
      }
      emit(e);
    };
    expect((await run).outcome).toBe('succeeded');
    expect(from).toBeGreaterThan(0);
    // Batch 0 showed the row, and so did batch 4, the first after it last broke: neither was enough.
    expect(getsAtVerdict - from).toBeGreaterThan(5 * 9);
  });
});
