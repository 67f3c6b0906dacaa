import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { DataPlane, TargetHealthObservation } from '../../../src/local/contracts.ts';
import type { InstanceRuntime } from '../../../src/local/dataplane/instance-runtime.ts';
import { type Harness, request, startHarness, waitFor } from '../../_support/dataplane-harness.ts';
import { SHALLOW_CHECK } from '../../_support/fake-view.ts';

const LB = 'arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/lb/1';
const TG = 'arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/tg/1';
const IDS = ['i-one', 'i-two', 'i-three'];

const runtimeOf = (plane: DataPlane, id: string): InstanceRuntime | undefined =>
  (plane as unknown as { instance(id: string): InstanceRuntime | undefined }).instance(id);

/** Three fixture instances behind one active load balancer; returns the LB port. */
async function deploy(h: Harness, ids = IDS): Promise<number> {
  for (const id of ids) h.view.addInstance(id);
  const port = await h.plane.reserveLoadBalancerPort(LB);
  h.view.balance(ids, port, { lb: LB, tg: TG });
  h.plane.reconcile();
  await waitFor('all healthy', () =>
    ids.every((id) => health(h, id)?.state === 'healthy') ? true : undefined,
  );
  return port;
}

const health = (h: Harness, id: string): TargetHealthObservation | undefined =>
  h.plane.targetHealth(TG, id, 80);

const setFixtureHealth = async (h: Harness, id: string, status: number): Promise<void> => {
  const port = runtimeOf(h.plane, id)?.endpointFor(80);
  if (port === undefined) throw new Error(`${id} has no endpoint`);
  await request(port, `/control/health?status=${status}`, { method: 'POST' });
};

describe('data plane over real instance processes', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('reports Target.NotInUse until a listener uses the group, then checks it into healthy', async () => {
    h = startHarness();
    h.view.addInstance('i-one');
    h.view.targetGroupList = [
      {
        arn: TG,
        port: 80,
        healthCheck: SHALLOW_CHECK,
        targets: [{ id: 'i-one', port: 80, drainingUntil: undefined }],
      },
    ];
    h.plane.reconcile();
    expect(health(h, 'i-one')).toMatchObject({ state: 'unused', reason: 'Target.NotInUse' });
    const port = await h.plane.reserveLoadBalancerPort(LB);
    h.view.loadBalancerList = [
      { arn: LB, port, state: 'active', listeners: [{ arn: 'l', port: 80, targetGroupArn: TG }] },
    ];
    h.plane.reconcile();
    expect(health(h, 'i-one')).toMatchObject({ state: 'initial', reason: 'Elb.RegistrationInProgress' });
    await waitFor('healthy', () => (health(h as Harness, 'i-one')?.state === 'healthy' ? true : undefined));
    expect(health(h, 'i-one')).toEqual({ state: 'healthy' });
    expect((await request(port, '/')).status).toBe(200);
  });

  it('serves every instance in turn through the load balancer', async () => {
    h = startHarness();
    const port = await deploy(h);
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add(JSON.parse((await request(port, '/')).body).instanceId);
    expect([...seen].sort()).toEqual([...IDS].sort());
  });

  it('marks exactly the failing instance unhealthy with [503], routes around it, and measures detection', async () => {
    h = startHarness();
    const port = await deploy(h);
    const start = Date.now();
    await setFixtureHealth(h, 'i-two', 503);
    await waitFor('i-two unhealthy', () =>
      health(h as Harness, 'i-two')?.state === 'unhealthy' ? true : undefined,
    );
    const detectedMs = Date.now() - start;
    // Bound of docs/local-cloud.md#timing: U·I (+ T for timeouts); at time scale 0.05, I = 500 ms, U = 2.
    process.stdout.write(`[measure] 503 detection: ${detectedMs} ms (bound U·I = 1000 ms at scale 0.05)\n`);
    expect(health(h, 'i-two')).toEqual({
      state: 'unhealthy',
      reason: 'Target.ResponseCodeMismatch',
      description: 'Health checks failed with these codes: [503]',
    });
    expect(health(h, 'i-one')).toEqual({ state: 'healthy' });
    for (let i = 0; i < 6; i++)
      expect(JSON.parse((await request(port, '/')).body).instanceId).not.toBe('i-two');
    await setFixtureHealth(h, 'i-two', 200);
    await waitFor('i-two healthy again', () =>
      health(h as Harness, 'i-two')?.state === 'healthy' ? true : undefined,
    );
  });

  it('fails open when every instance fails its check', async () => {
    h = startHarness();
    const port = await deploy(h);
    await Promise.all(IDS.map((id) => setFixtureHealth(h as Harness, id, 503)));
    await waitFor('all unhealthy', () =>
      IDS.every((id) => health(h as Harness, id)?.state === 'unhealthy') ? true : undefined,
    );
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const res = await request(port, '/');
      expect(res.status).toBe(200);
      seen.add(JSON.parse(res.body).instanceId);
    }
    expect(seen.size).toBe(3);
  });

  it('answers 502 when an instance crashes mid-request, then checks it out as Target.FailedHealthChecks', async () => {
    h = startHarness();
    const port = await deploy(h, ['i-one']);
    const inFlight = request(port, '/hold');
    await new Promise((r) => setTimeout(r, 100));
    const start = Date.now();
    h.plane.injectInstanceFault('i-one', { kind: 'crash' });
    expect((await inFlight).status).toBe(502);
    await waitFor('unhealthy', () =>
      health(h as Harness, 'i-one')?.state === 'unhealthy' ? true : undefined,
    );
    process.stdout.write(`[measure] crash detection: ${Date.now() - start} ms\n`);
    expect(health(h, 'i-one')).toMatchObject({
      reason: 'Target.FailedHealthChecks',
      description: 'Health checks failed',
    });
    expect(h.plane.instanceStatus('i-one')).toBe('impaired');
    // Fail-open on the single unhealthy target: the client still sees a 502, not a hang.
    expect((await request(port, '/')).status).toBe(502);
  });

  it('answers 504 for a hung instance and checks it out as Target.Timeout; heal brings it back', async () => {
    h = startHarness({ idleTimeoutMs: 10_000 });
    const port = await deploy(h, ['i-one', 'i-two']);
    const start = Date.now();
    h.plane.injectInstanceFault('i-one', { kind: 'hang' });
    const statuses: number[] = [];
    for (let i = 0; i < 2; i++) statuses.push((await request(port, '/')).status);
    expect(statuses.sort()).toEqual([200, 504]);
    await waitFor('timeout', () =>
      health(h as Harness, 'i-one')?.reason === 'Target.Timeout' ? true : undefined,
    );
    process.stdout.write(`[measure] hang detection: ${Date.now() - start} ms (bound U·I+T = 1250 ms)\n`);
    expect(health(h, 'i-one')).toEqual({
      state: 'unhealthy',
      reason: 'Target.Timeout',
      description: 'Request timed out',
    });
    h.plane.injectInstanceFault('i-one', { kind: 'heal' });
    await waitFor('healed', () => (health(h as Harness, 'i-one')?.state === 'healthy' ? true : undefined));
  });

  it('delays every response of a slowed instance: past the idle timeout the client gets 504, heal undoes it', async () => {
    h = startHarness({ idleTimeoutMs: 10_000 });
    const port = await deploy(h, ['i-one']);
    // Idle timeout 500 ms at scale 0.05; the injected delay is four times that.
    h.plane.injectInstanceFault('i-one', { kind: 'slow', delayMs: 2_000 });
    expect((await request(port, '/')).status).toBe(504);
    h.plane.injectInstanceFault('i-one', { kind: 'heal' });
    expect((await request(port, '/')).status).toBe(200);
  });

  it('swallows a request in flight on a pooled direct connection when the instance hangs (504), as the relay did', async () => {
    // Idle timeout 2 s real at scale 0.05: the delayed answer (1 s) would make it without the hang.
    h = startHarness({ idleTimeoutMs: 40_000 });
    const port = await deploy(h, ['i-one']);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      // Leaves a pooled LB → workload connection, which the next request reuses.
      expect((await request(port, '/', { agent })).status).toBe(200);
      const inFlight = request(port, '/delay?ms=1000', { agent });
      await new Promise((r) => setTimeout(r, 100));
      h.plane.injectInstanceFault('i-one', { kind: 'hang' });
      expect((await inFlight).status).toBe(504);
      h.plane.injectInstanceFault('i-one', { kind: 'heal' });
      const healed = await request(port, '/', { agent });
      expect(healed.status).toBe(200);
      expect(JSON.parse(healed.body).instanceId).toBe('i-one');
    } finally {
      agent.destroy();
    }
  });

  it('resets a request in flight when its instance reboots (502) instead of letting the draining workload answer', async () => {
    // A long SIGTERM grace: the workload drains and would answer the delayed request if its connection lived.
    h = startHarness({ stopGraceMs: 100_000 });
    const port = await deploy(h, ['i-one']);
    expect((await request(port, '/')).status).toBe(200);
    const inFlight = request(port, '/delay?ms=1000');
    await new Promise((r) => setTimeout(r, 100));
    h.view.updateInstance('i-one', { bootId: 2 });
    h.plane.reconcile();
    expect((await inFlight).status).toBe(502);
  });

  it('shows draining targets as Target.DeregistrationInProgress and sends them no new requests', async () => {
    h = startHarness();
    const port = await deploy(h, ['i-one', 'i-two']);
    h.view.targetGroupList = [
      {
        arn: TG,
        port: 80,
        healthCheck: SHALLOW_CHECK,
        targets: [
          { id: 'i-one', port: 80, drainingUntil: Date.now() + 60_000 },
          { id: 'i-two', port: 80, drainingUntil: undefined },
        ],
      },
    ];
    h.plane.reconcile();
    expect(health(h, 'i-one')).toEqual({
      state: 'draining',
      reason: 'Target.DeregistrationInProgress',
      description: 'Target deregistration is in progress',
    });
    for (let i = 0; i < 4; i++) expect(JSON.parse((await request(port, '/')).body).instanceId).toBe('i-two');
  });

  it('restores processes and the same load-balancer port in a new data plane over the same view', async () => {
    h = startHarness();
    const port = await deploy(h, ['i-one']);
    const view = h.view;
    await h.stop();
    const restored = startHarness();
    h = restored;
    restored.view.instanceList = view.instanceList;
    restored.view.targetGroupList = view.targetGroupList;
    restored.view.loadBalancerList = view.loadBalancerList;
    restored.plane.reconcile();
    await waitFor('healthy after restore', () =>
      health(restored, 'i-one')?.state === 'healthy' ? true : undefined,
    );
    const res = await request(port, '/');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).instanceId).toBe('i-one');
  });
});
