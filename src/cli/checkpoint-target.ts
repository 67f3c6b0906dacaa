/** The target a checkpoint records, and the connection to it (resume and destroy go where the run went). */
import { ResilientError } from '../errors.ts';
import { type Connection, connectAws, connectLocal } from './connect.ts';
import type { Io } from './io.ts';
import type { Prompter } from './prompter.ts';

export interface RecordedRun {
  readonly name: string;
  readonly target: {
    readonly kind: 'local' | 'aws';
    readonly region: string;
    readonly endpoint?: string | undefined;
  };
  readonly timeScale: number;
  readonly stateDir: string;
  /** The run was started with --yes: it answers its own questions. */
  readonly yes: boolean;
}

/** `anyMachineVersion`: destroy reads the checkpoint of any older version (it needs no snapshot). */
export async function readRecordedRun(
  file: string,
  stateDir: string,
  anyMachineVersion = false,
): Promise<RecordedRun | undefined> {
  const { readCheckpointFile } = await import('../checkpoint/store.ts');
  const { MACHINE_VERSION } = await import('../../machines/run.ts');
  const cp = readCheckpointFile(file, MACHINE_VERSION, { anyMachineVersion });
  if (cp === undefined) return undefined;
  return {
    name: cp.name,
    target: cp.target,
    timeScale: cp.plan.timeScale,
    stateDir,
    yes: cp.plan.yes,
  };
}

export async function checkpointFileOf(stateDir: string, name: string): Promise<string> {
  const { checkpointPath } = await import('../checkpoint/store.ts');
  return checkpointPath(stateDir, name);
}

/**
 * `timed`: the run's waits scale with its time scale, fixed when it started, so a running local cloud
 * may only be faster (resume); a destroy has no scaled waits and adopts whatever the running cloud uses.
 */
export async function connectRecorded(
  io: Io,
  prompter: Prompter,
  run: RecordedRun,
  timed: boolean,
): Promise<Connection> {
  if (run.target.kind === 'local') {
    // The local cloud keeps its resources across restarts, so starting it is how we reach them again.
    return connectLocal(io, {
      stateDir: run.stateDir,
      timeScale: run.timeScale,
      region: run.target.region,
      onOtherTimeScale: timed ? 'adopt-if-faster' : 'adopt',
    });
  }
  const aws = await connectAws(io, prompter, { region: run.target.region, creating: false });
  // connectAws only asks (and may return undefined) when it is about to create something.
  if (aws === undefined) throw new ResilientError('INTERNAL', 'connecting without creating never asks');
  return aws;
}
