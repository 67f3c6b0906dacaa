import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fromPromise } from 'xstate';
import { DEPLOY_STEPS, type DeployFacts, type DeployOutput, deployMachine } from '../../machines/deploy.ts';
import type { StepInput, StepResult } from '../../machines/step-kit.ts';
import { openCheckpoint } from '../../src/checkpoint/store.ts';
import { drive } from '../../src/run/drive.ts';
import { recordingHost } from '../_support/recording-host.ts';

const policies = { default: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2, timeoutMs: 10_000 } };

/**
 * A cloud where each step creates one resource, idempotently by name (what the real steps do), and
 * `lbProvisioning` needs two polls. `created` counts real creations: a duplicate shows as 2.
 */
function fakeSteps(created: Map<string, number>, calls: string[]) {
  return Object.fromEntries(
    DEPLOY_STEPS.map((step) => [
      step,
      fromPromise<StepResult<DeployFacts>, StepInput<DeployFacts>>(async ({ input }) => {
        calls.push(step);
        if (!created.has(step)) created.set(step, 1);
        await new Promise((r) => setTimeout(r, 2));
        if (step === 'lbProvisioning' && input.attempt < 2)
          return { outcome: 'retry', reason: 'provisioning' };
        return { outcome: 'done', facts: step === 'creatingLoadBalancer' ? { dnsName: 'lb.local' } : {} };
      }),
    ]),
  );
}

describe('deploy machine: crash at every state, then resume from the checkpoint file', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const statesOfAFullRun = [...DEPLOY_STEPS.filter((s) => s !== 'addingIngress'), 'lbNotYetActive'];

  for (const crashAt of statesOfAFullRun) {
    it(`resumes after a crash in ${crashAt} and creates nothing twice`, async () => {
      dir = mkdtempSync(join(tmpdir(), 'resume-'));
      const created = new Map<string, number>();
      const calls: string[] = [];
      const machine = deployMachine.provide({ actors: fakeSteps(created, calls) });
      const target = { kind: 'local' as const, region: 'us-west-2' };
      const store = openCheckpoint({ stateDir: dir, name: 'demo', machineVersion: 't', create: { target } });
      const controller = new AbortController();
      const host = recordingHost();
      const origin = host.emit;
      host.emit = (e) => {
        origin(e);
        if (
          (e.type === 'step-started' && e.step === crashAt) ||
          (e.type === 'step-retrying' && crashAt === 'lbNotYetActive')
        ) {
          if (!controller.signal.aborted) controller.abort();
        }
      };
      const first = await drive({
        machine,
        store,
        host,
        signal: controller.signal,
        input: { name: 'demo', policies },
        prompts: () => undefined,
      });
      expect(first.status).toBe('interrupted');
      store.release();
      const onDisk = JSON.parse(readFileSync(join(dir, 'demo.json'), 'utf8'));
      expect(onDisk.snapshot.status).toBe('active');

      const again = openCheckpoint({ stateDir: dir, name: 'demo', machineVersion: 't' });
      const second = await drive({
        machine,
        store: again,
        host: recordingHost(),
        snapshot: again.read().snapshot,
        prompts: () => undefined,
      });
      again.release();
      expect(second.status).toBe('done');
      expect((second as { output: DeployOutput }).output.outcome).toBe('succeeded');
      expect([...created.values()].every((n) => n === 1)).toBe(true);
      expect(created.size).toBe(DEPLOY_STEPS.length - 1);
    });
  }
});
