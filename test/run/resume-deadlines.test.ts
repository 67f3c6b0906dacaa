import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runHarness } from './_fakes/run-harness.ts';

const HOURS = 3 * 3_600_000;

/** The checkpoint as if it had been written `ms` ago: its write time and every deadline in it moved back. */
function age(path: string, ms: number): void {
  const file = JSON.parse(readFileSync(path, 'utf8'));
  const walk = (node: unknown, key = ''): unknown => {
    if (typeof node === 'number' && (key === 'deadline' || key.startsWith('deadlines.'))) return node - ms;
    if (Array.isArray(node)) return node.map((v) => walk(v));
    if (typeof node !== 'object' || node === null) return node;
    return Object.fromEntries(
      Object.entries(node).map(([k, v]) => [k, walk(v, key === 'deadlines' ? `deadlines.${k}` : k)]),
    );
  };
  const aged = walk(file) as Record<string, unknown>;
  aged.updatedAt = new Date(Date.parse(file.updatedAt) - ms).toISOString();
  writeFileSync(path, JSON.stringify(aged));
}

describe('deadlines across an interruption', () => {
  let h: ReturnType<typeof runHarness>;
  afterEach(() => h.cleanup());

  it('a wait resumed hours later gets the budget it had left, not an instant timeout', async () => {
    h = runHarness();
    // The load balancer stays `provisioning` for several polls: the run is interrupted while it waits.
    h.cloud.faults.arm('retryable', { op: 'elbv2.describeLoadBalancer', times: 3 });
    const controller = new AbortController();
    const first = await h.start({
      signal: controller.signal,
      onCheckpoint: ({ states }) => {
        if (states.includes('deploy:lbNotYetActive')) controller.abort();
      },
    });
    expect(first.outcome).toBe('interrupted');
    age(h.checkpoint(), HOURS);

    const resumed = await h.resume();
    expect(resumed.output?.deploy?.error).toBeUndefined();
    expect(resumed.outcome).toBe('succeeded');
    expect(h.cloud.leftovers()).toEqual([]);
  });
});
