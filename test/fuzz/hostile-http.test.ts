/**
 * One hostile-HTTP suite, run alike against the three things that face the network: the recommendation
 * server, the local load balancer (a real listener in front of three instances, each the real server as
 * its own process) and the local cloud's API gateway. Each runs as its own process (`_targets/`), so a
 * crash shows as an exit and its heap is its own. Every target must answer every hostile request
 * (bad request lines, huge headers, bad chunking and framing, half-closed sockets) with one of its correct
 * statuses in time, keep serving through a bounded slowloris, and keep its live heap flat over repeated
 * rounds. Target-specific cases follow in the same describe: pipelining for the load balancer, mutated
 * SigV4 and malformed JSON for the gateway. test/server/fuzz.test.ts fuzzes the server in-process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertHostileAnswers, hostileRounds, hostileSample, mib } from './_helpers/drive.ts';
import { type Answer, gatewayAnswers, loadBalancerAnswers, serverAnswers } from './_helpers/expectations.ts';
import { gatewayCases, gatewayRegression } from './_helpers/gateway-cases.ts';
import type { HostileCase } from './_helpers/hostile.ts';
import { loadBalancerCases } from './_helpers/load-balancer-cases.ts';
import { goodGet, type RawReply, slowloris } from './_helpers/raw-http.ts';
import { startTarget, type TargetProcess } from './_helpers/target-process.ts';

interface Target {
  readonly kind: 'server' | 'load-balancer' | 'gateway';
  readonly name: string;
  readonly answers: (c: HostileCase) => readonly Answer[];
  /** Where a good request is answered 200. */
  readonly healthPath: string;
  readonly port: (t: TargetProcess) => number;
  /** A check on each hostile answer beyond its status. */
  readonly onAnswer?: (c: HostileCase, reply: RawReply) => void;
  /** After the hostile requests, besides the health path answering 200. */
  readonly afterHostile?: (port: number) => Promise<void>;
  /** Tests only this target gets, registered in its describe. */
  readonly specific?: (target: () => TargetProcess, port: () => number) => void;
}

const TARGETS: readonly Target[] = [
  {
    kind: 'server',
    name: 'the recommendation server',
    answers: serverAnswers,
    healthPath: '/healthcheck',
    port: (t) => Number(t.info['port']),
  },
  {
    kind: 'load-balancer',
    name: 'the local load balancer',
    answers: loadBalancerAnswers,
    healthPath: '/healthcheck',
    port: (t) => Number(t.info['port']),
    onAnswer: (c, reply) => {
      // Anything the LB itself refused carries ALB's Server header; it never reached a target.
      if (reply.status === 400 && c.kind === 'huge-header')
        expect(reply.text).toMatch(/Server: awselb\/2\.0/);
    },
    afterHostile: async (port) => {
      // The server cannot reach its table (no cloud behind this data plane): it closes, the LB says 502.
      expect(await goodGet(port, '/')).toBe(502);
    },
    specific: (_target, port) => loadBalancerCases(port),
  },
  {
    kind: 'gateway',
    name: 'the API gateway',
    answers: gatewayAnswers,
    healthPath: '/_local/health',
    port: (t) => Number(new URL(String(t.info['endpoint'])).port),
    onAnswer: (_c, reply) => {
      // Whatever reached the gateway's own code is an AWS error: it carries a request id.
      if (reply.status === 403) expect(reply.text.toLowerCase()).toContain('x-amzn-requestid');
    },
    specific: (target) => gatewayCases(target),
  },
];

describe.each(TARGETS)('$name under hostile HTTP', (t) => {
  let target: TargetProcess;
  let port: number;
  beforeAll(async () => {
    target = await startTarget(t.kind);
    port = t.port(target);
  });
  afterAll(async () => {
    await target?.close();
  });

  it('answers every malformed request with one of its correct statuses and keeps serving', async () => {
    await assertHostileAnswers(port, t.answers, 200, t.onAnswer);
    expect(target.exited()).toBeUndefined();
    expect(await goodGet(port, t.healthPath)).toBe(200);
    await t.afterHostile?.(port);
  });

  t.specific?.(
    () => target,
    () => port,
  );

  it('serves good requests while 100 slowloris connections trickle their headers', async () => {
    const attack = slowloris(port, 100, 50);
    try {
      for (let i = 0; i < 20; i++) expect(await goodGet(port, t.healthPath)).toBe(200);
    } finally {
      attack.stop();
    }
    expect(target.exited()).toBeUndefined();
  });

  it('keeps its live heap flat over 800 more hostile requests', async () => {
    const cases = hostileSample(200);
    await hostileRounds(port, cases, 1); // warm-up: agent pools, lazy initialisation and JIT are not leaks
    const before = await target.memory();
    await hostileRounds(port, cases, 4);
    const after = await target.memory();
    const growth = { heap: mib(after.heapUsed - before.heapUsed), rss: mib(after.rss - before.rss) };
    process.stdout.write(
      `${t.kind} memory growth over 800 hostile requests: ${JSON.stringify(growth)} MiB\n`,
    );
    // The 800 requests carry ~6 MiB of input (a quarter are 9-120 KB heads): keeping even one request's
    // parser state, buffers, an in-flight entry or a pooled socket per connection would add well over
    // 2 MiB of live heap. GC'd heap noise is well under 1 MiB. RSS only bounds allocator growth (it is
    // not returned to the OS eagerly).
    expect(growth.heap).toBeLessThan(2);
    expect(growth.rss).toBeLessThan(64);
    expect(await goodGet(port, t.healthPath)).toBe(200);
  });
});

gatewayRegression();
