/**
 * Hostile HTTP against the recommendation server running as its own process (as on an instance). Covers
 * what test/server/fuzz.test.ts does not: the exact status for each kind of malformed request, framing
 * attacks, a bounded slowloris, and the process's live heap over repeated hostile rounds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertHostileAnswers, hostileRounds, hostileSample, mib } from './_helpers/drive.ts';
import { serverAnswers } from './_helpers/expectations.ts';
import { goodGet, slowloris } from './_helpers/raw-http.ts';
import { startTarget, type TargetProcess } from './_helpers/target-process.ts';

let target: TargetProcess;
let port: number;
beforeAll(async () => {
  target = await startTarget('server');
  port = Number(target.info['port']);
});
afterAll(async () => {
  await target?.close();
});

describe('the recommendation server under hostile HTTP', () => {
  it('answers every malformed request with its correct 4xx and keeps serving', async () => {
    await assertHostileAnswers(port, serverAnswers, 200);
    expect(target.exited()).toBeUndefined();
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
    await hostileRounds(port, cases, 1); // warm-up: lazy initialisation and JIT are not leaks
    const before = await target.memory();
    await hostileRounds(port, cases, 4);
    const after = await target.memory();
    const growth = { heap: mib(after.heapUsed - before.heapUsed), rss: mib(after.rss - before.rss) };
    process.stdout.write(`server memory growth over 800 hostile requests: ${JSON.stringify(growth)} MiB\n`);
    // The 800 requests carry ~6 MiB of input (a quarter are 9-120 KB heads): keeping even one request's
    // parser state or buffers per connection would add well over 2 MiB of live heap. GC'd heap noise is
    // well under 1 MiB. RSS only bounds allocator growth (it is not returned to the OS eagerly).
    expect(growth.heap).toBeLessThan(2);
    expect(growth.rss).toBeLessThan(64);
    expect(await goodGet(port, '/healthcheck')).toBe(200);
  });
});
