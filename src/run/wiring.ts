/**
 * How the run API reaches a cloud and a checkpoint: the connection the CLI (or a test) hands in, the
 * SDK wrappers for a target, the step dependencies, and the checkpoint opened pinned to its account.
 */
import { renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { MACHINE_VERSION } from '../../machines/run.ts';
import type { ClientConfig } from '../aws/clients.ts';
import { type Aws, createAws } from '../aws/index.ts';
import type { CheckpointFile, Target } from '../checkpoint/schema.ts';
import { type CheckpointStore, checkpointPath, readCheckpointFile } from '../checkpoint/store.ts';
import type { DrillControl, DrillDeps } from '../drill/actors.ts';
import { ResilientError } from '../errors.ts';
import type { Host } from '../events.ts';
import { assertValidName, DEFAULT_NAME, resourceNames } from '../names.ts';
import { abortableSleep, type StepDeps } from '../steps/deps.ts';
import { httpGet } from '../steps/http.ts';
import { renderUserData } from '../userdata/index.ts';
import { assertPinnedAccount, callerAccount, scaleOf } from './pin.ts';

export interface Connection {
  readonly stateDir: string;
  readonly region?: string | undefined;
  readonly endpoint?: string | undefined;
  readonly credentials?: ClientConfig['credentials'];
  readonly host: Host;
  readonly signal?: AbortSignal | undefined;
  /** Replace the AWS wrappers (tests: an in-memory cloud). */
  readonly aws?: Aws | undefined;
  readonly userData?: (() => string) | undefined;
  readonly get?: StepDeps['get'] | undefined;
  /** The local cloud's control route, for an experiment's local faults (undefined on aws). */
  readonly control?: DrillControl | undefined;
  /** The caller's public IPv4 address for the ingress offer on AWS (default: checkip.amazonaws.com). */
  readonly callerIp?: StepDeps['callerIp'] | undefined;
  /**
   * Called after every checkpoint write with the file and the active states it records (the run's and
   * its phase machine's, e.g. `['deploying', 'deploy:creatingTable']`). For tests and diagnostics.
   */
  readonly onCheckpoint?: ((saved: { path: string; states: string[] }) => void) | undefined;
}

/** The caller's public IPv4 address as AWS sees it. */
async function publicIp(): Promise<string | undefined> {
  const seen = await httpGet('https://checkip.amazonaws.com/', 5_000);
  return typeof seen.body === 'string' && /^\d+\.\d+\.\d+\.\d+$/.test(seen.body.trim())
    ? seen.body.trim()
    : undefined;
}

/** The cloud a run talks to: the injected one (tests), or SDK clients for its target. */
export function openAws(conn: Connection, target: Target): { aws: Aws; close(): void } {
  if (conn.aws !== undefined) return { aws: conn.aws, close: () => {} };
  return createAws({
    region: target.region,
    endpoint: conn.endpoint ?? target.endpoint,
    credentials: conn.credentials,
  });
}

export function buildDeps(
  store: CheckpointStore,
  file: CheckpointFile,
  conn: Connection,
  aws: Aws,
): DrillDeps {
  const region = file.target.region;
  const names = resourceNames(file.name, region);
  return {
    aws,
    ledger: store.ledger,
    names,
    target: file.target.kind,
    region,
    timeScale: scaleOf(file, conn.aws !== undefined),
    emit: (event) => conn.host.emit(event),
    userData: conn.userData ?? (() => renderUserData({ region, parameterNames: names.parameters })),
    get: conn.get ?? httpGet,
    callerIp: conn.callerIp ?? publicIp,
    sleep: abortableSleep,
    interrupt: conn.signal,
    control: conn.control,
  };
}

/**
 * Opens an existing checkpoint and the cloud, and refuses before any other call when the caller's
 * account is not the one the checkpoint names (B1): nothing is touched, the lock is released.
 */
export async function openPinned(
  conn: Connection,
  open: () => CheckpointStore,
  doing: string,
): Promise<{ store: CheckpointStore; made: { aws: Aws; close(): void } }> {
  const store = open();
  let made: { aws: Aws; close(): void } | undefined;
  try {
    made = openAws(conn, store.read().target);
    assertPinnedAccount(store.read(), await callerAccount(made.aws, conn.signal), doing);
    return { store, made };
  } catch (error: unknown) {
    made?.close();
    store.release();
    throw error;
  }
}

/**
 * The checkpoint destroy works from, of any machine version (B3). A corrupt one is moved aside to
 * `<file>.corrupt` — kept for the user, out of the way — and destroy sweeps by name and tag as if it were
 * lost (it then needs --region, like any destroy without a checkpoint).
 */
export function locateForDestroy(options: {
  name?: string | undefined;
  fromState?: string | undefined;
  stateDir: string;
  host: Host;
}): { name: string; stateDir: string; path: string; file: CheckpointFile | undefined } {
  const read = (at: string) => {
    try {
      return readCheckpointFile(at, MACHINE_VERSION, { anyMachineVersion: true });
    } catch (error: unknown) {
      if (
        !(error instanceof ResilientError) ||
        error.code !== 'CHECKPOINT' ||
        options.fromState !== undefined
      )
        throw error;
      renameSync(at, `${at}.corrupt`);
      options.host.emit({
        type: 'info',
        message: `The checkpoint ${at} is unreadable (${error.message}); moved it to ${at}.corrupt and sweeping by name and tag.`,
      });
      return undefined;
    }
  };
  if (options.fromState !== undefined) {
    const file = read(options.fromState);
    if (file === undefined) throw new ResilientError('USAGE', `No checkpoint at ${options.fromState}.`);
    return {
      name: assertValidName(file.name),
      stateDir: dirname(options.fromState),
      path: options.fromState,
      file,
    };
  }
  const name = assertValidName(options.name ?? DEFAULT_NAME);
  const path = checkpointPath(options.stateDir, name);
  return { name, stateDir: options.stateDir, path, file: read(path) };
}
