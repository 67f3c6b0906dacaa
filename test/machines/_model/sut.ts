import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MACHINE_VERSION } from '../../../machines/run.ts';
import type { CheckpointFile } from '../../../src/checkpoint/schema.ts';
import { type CheckpointStore, openCheckpoint } from '../../../src/checkpoint/store.ts';
import type { RunEvent } from '../../../src/events.ts';
import { resourceNames } from '../../../src/names.ts';
import { abortableSleep, type StepDeps } from '../../../src/steps/deps.ts';
import { recordingHost } from '../../_support/recording-host.ts';
import { createFakeCloud, type FakeSession } from '../../run/_fakes/fake-cloud.ts';
import { REGION } from '../../run/_fakes/world.ts';
import { faultFor, type Injection, type Outcome } from './outcomes.ts';

export const NAME = 'demo';
export const NAMES = resourceNames(NAME, REGION);

/** One checkpoint write as the disk holds it right after the write. */
export interface Saved {
  readonly value: unknown;
  readonly file: CheckpointFile;
  /** What the fake cloud held at that instant. */
  readonly cloud: string[];
}

/**
 * The system under test for model paths: the real steps over the fake cloud, a real checkpoint file,
 * and a host that arms each step's planned fault when the step starts (its first call has not reached
 * the cloud yet: every fake call waits a macrotask first).
 */
export function phaseHarness(options: { target?: 'local' | 'aws' } = {}) {
  const cloud = createFakeCloud();
  const stateDir = mkdtempSync(join(tmpdir(), 'resilient-model-'));
  let store: CheckpointStore = openCheckpoint({
    stateDir,
    name: NAME,
    machineVersion: MACHINE_VERSION,
    create: {
      target: { kind: options.target ?? 'local', region: REGION },
      plan: { yes: true, keep: false, timeScale: 0.001 },
    },
  });
  const saves: Saved[] = [];

  /** A host that arms faults per plan, and deps for the steps. */
  const process = (
    plan: ReadonlyMap<string, Outcome>,
    injections: Readonly<Record<string, Injection>>,
    session: FakeSession = cloud.session(),
  ) => {
    const host = recordingHost();
    const record = host.emit;
    host.emit = (event: RunEvent) => {
      record(event);
      if (event.type !== 'step-started' || event.attempt !== 0) return;
      const outcome = plan.get(event.step);
      const how = injections[event.step];
      const fault = outcome === undefined || how === undefined ? undefined : faultFor(how, outcome);
      if (fault !== undefined) cloud.faults.arm(fault.kind, fault.op === undefined ? {} : { op: fault.op });
    };
    const deps: StepDeps = {
      aws: session.aws,
      ledger: store.ledger,
      names: NAMES,
      target: options.target ?? 'local',
      region: REGION,
      timeScale: 0.001,
      emit: (e) => host.emit(e),
      userData: () => '#!/bin/bash\n',
      get: session.get,
      callerIp: async () => '203.0.113.7',
      sleep: abortableSleep,
    };
    return { host, deps };
  };

  return {
    cloud,
    stateDir,
    get store() {
      return store;
    },
    saves,
    process,
    /** Records the file after each snapshot write (the drive's `onSaved`). */
    onSaved: (persisted: unknown) => {
      const file = JSON.parse(readFileSync(store.path, 'utf8')) as CheckpointFile;
      saves.push({
        value: (persisted as { value?: unknown }).value,
        file,
        cloud: cloud.world.leftovers(),
      });
    },
    /** A new process opens the checkpoint (after the previous one released it). */
    reopen() {
      store.release();
      store = openCheckpoint({ stateDir, name: NAME, machineVersion: MACHINE_VERSION });
      return store;
    },
    cleanup() {
      store.release();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
