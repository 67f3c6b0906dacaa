/**
 * What only the load balancer is fuzzed with, beyond the hostile HTTP every target gets: pipelining, a
 * missing Host, CONNECT and `Expect: 100-continue`.
 */
import { expect, it } from 'vitest';
import { exchange, goodGet } from './raw-http.ts';

const statuses = (text: string): number[] =>
  [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1])).filter((s) => s !== 100);

/** Registers the load-balancer-only tests inside the shared suite's describe, on the port it started. */
export function loadBalancerCases(portOf: () => number): void {
  it('answers pipelined requests in order, refuses a missing Host, and survives CONNECT', async () => {
    const pipelined = await exchange(
      portOf(),
      'GET /healthcheck HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\nTRACE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      { keepOpen: true, quietMs: 1_000 },
    );
    expect(statuses(pipelined.text)).toEqual([200, 404, 405]);
    const noHost = await exchange(portOf(), 'GET /healthcheck HTTP/1.1\r\nConnection: close\r\n\r\n', {
      keepOpen: true,
    });
    expect(noHost.status).toBe(400);
    const connect = await exchange(
      portOf(),
      'CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n',
      {
        keepOpen: true,
      },
    );
    expect(connect.timedOut).toBe(false);
    expect(connect.status === undefined || connect.status >= 400).toBe(true);
    const expectContinue = await exchange(
      portOf(),
      'POST /healthcheck HTTP/1.1\r\nHost: x\r\nConnection: close\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n',
      { keepOpen: true, quietMs: 1_000 },
    );
    expect(statuses(expectContinue.text)).toEqual([405]);
    expect(await goodGet(portOf(), '/healthcheck')).toBe(200);
  });
}
