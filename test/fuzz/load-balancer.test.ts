/**
 * Hostile HTTP against the local load balancer, through the data plane: a real LB listener in front of
 * three instances that each run the real recommendation server as its own process. The target process
 * (the data plane) is separate from the test runner, so its crash shows as an exit and its heap is its own.
 * Gaps this fills (test/local/dataplane covers one malformed line and one huge header): exact ALB-style
 * statuses per kind of hostile request, framing attacks, pipelining, slowloris, and memory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertHostileAnswers, hostileRounds, hostileSample, mib } from './_helpers/drive.ts';
import { loadBalancerAnswers } from './_helpers/expectations.ts';
import { exchange, goodGet, slowloris } from './_helpers/raw-http.ts';
import { startTarget, type TargetProcess } from './_helpers/target-process.ts';

let target: TargetProcess;
let port: number;
beforeAll(async () => {
  target = await startTarget('load-balancer');
  port = Number(target.info['port']);
});
afterAll(async () => {
  await target?.close();
});

const statuses = (text: string): number[] =>
  [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1])).filter((s) => s !== 100);

describe('the local load balancer under hostile HTTP', () => {
  it('answers every malformed request with its ALB status, forwards the rest, and keeps serving', async () => {
    await assertHostileAnswers(port, loadBalancerAnswers, 200, (c, reply) => {
      // Anything the LB itself refused carries ALB's Server header; it never reached a target.
      if (reply.status === 400 && c.kind === 'huge-header')
        expect(reply.text).toMatch(/Server: awselb\/2\.0/);
    });
    expect(target.exited()).toBeUndefined();
    expect(await goodGet(port, '/healthcheck')).toBe(200);
    // The server cannot reach its table (no cloud behind this data plane): it closes, the LB says 502.
    expect(await goodGet(port, '/')).toBe(502);
  });

  it('answers pipelined requests in order, refuses a missing Host, and survives CONNECT', async () => {
    const pipelined = await exchange(
      port,
      'GET /healthcheck HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\nTRACE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      { keepOpen: true, quietMs: 1_000 },
    );
    expect(statuses(pipelined.text)).toEqual([200, 404, 405]);
    const noHost = await exchange(port, 'GET /healthcheck HTTP/1.1\r\nConnection: close\r\n\r\n', {
      keepOpen: true,
    });
    expect(noHost.status).toBe(400);
    const connect = await exchange(
      port,
      'CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n',
      {
        keepOpen: true,
      },
    );
    expect(connect.timedOut).toBe(false);
    expect(connect.status === undefined || connect.status >= 400).toBe(true);
    const expectContinue = await exchange(
      port,
      'POST /healthcheck HTTP/1.1\r\nHost: x\r\nConnection: close\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n',
      { keepOpen: true, quietMs: 1_000 },
    );
    expect(statuses(expectContinue.text)).toEqual([405]);
    expect(await goodGet(port, '/healthcheck')).toBe(200);
  });

  it('serves good requests while 100 slowloris connections trickle their headers', async () => {
    const attack = slowloris(port, 100, 50);
    try {
      for (let i = 0; i < 20; i++) expect(await goodGet(port, '/healthcheck')).toBe(200);
    } finally {
      attack.stop();
    }
    expect(target.exited()).toBeUndefined();
  });

  it('keeps its live heap flat over 800 more hostile requests', async () => {
    const cases = hostileSample(200);
    await hostileRounds(port, cases, 1); // warm-up: agent pools, lazy initialisation and JIT
    const before = await target.memory();
    await hostileRounds(port, cases, 4);
    const after = await target.memory();
    const growth = { heap: mib(after.heapUsed - before.heapUsed), rss: mib(after.rss - before.rss) };
    process.stdout.write(
      `load balancer memory growth over 800 hostile requests: ${JSON.stringify(growth)} MiB\n`,
    );
    // Same bound and reasoning as the server's: ~6 MiB of hostile input went through; a per-request leak
    // (an in-flight entry, a pooled socket, a buffered head) would keep well over 2 MiB of it alive.
    expect(growth.heap).toBeLessThan(2);
    expect(growth.rss).toBeLessThan(64);
    expect(await goodGet(port, '/healthcheck')).toBe(200);
  });
});
