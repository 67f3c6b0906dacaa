/**
 * How the CLI reaches the local cloud of a state dir: its endpoint from `daemon.json`, its admin
 * credentials from `<state-dir>/local/credentials` (docs/local-cloud.md). `start` runs it when it is not running.
 */

import { DEFAULT_TIME_SCALE } from '../checkpoint/schema.ts';
import { ResilientError } from '../errors.ts';
import type { Io } from './io.ts';
import { startWait } from './render/spinner.ts';

export interface LocalConnection {
  readonly endpoint: string;
  /** The time scale the cloud runs at (a running cloud's own, when it was adopted). */
  readonly timeScale: number;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

const READY_DEADLINE_MS = 20_000;

async function connectionOf(
  stateDir: string,
  endpoint: string,
  region: string,
  timeScale: number,
): Promise<LocalConnection> {
  const { daemonPaths } = await import('../local/daemon/files.ts');
  const { readAdminCredentials } = await import('../local/daemon/credentials.ts');
  const credentials = readAdminCredentials(daemonPaths(stateDir));
  if (credentials === undefined) {
    throw new ResilientError(
      'PRECONDITION',
      `The local cloud in ${stateDir} has no admin credentials file.`,
      {
        hint: 'restart it: resilient local stop && resilient local start',
      },
    );
  }
  return { endpoint, region, timeScale, credentials };
}

/** The time scale a running daemon recorded in `daemon.json`, when it records one. */
async function runningTimeScale(stateDir: string): Promise<number | undefined> {
  const { readFileSync } = await import('node:fs');
  const { daemonPaths } = await import('../local/daemon/files.ts');
  try {
    const record: unknown = JSON.parse(readFileSync(daemonPaths(stateDir).daemonFile, 'utf8'));
    const scale = (record as { timeScale?: unknown }).timeScale;
    return typeof scale === 'number' ? scale : undefined;
  } catch {
    return undefined;
  }
}

/** The running local cloud, or a PRECONDITION error with the command that starts it. */
export async function requireLocalCloud(stateDir: string): Promise<LocalConnection> {
  const { localCloudStatus } = await import('../local/daemon/control.ts');
  const status = await localCloudStatus({ stateDir });
  if (!status.running || status.endpoint === undefined) {
    throw new ResilientError('PRECONDITION', `The local cloud is not running (state dir ${stateDir}).`, {
      hint: `start it with: resilient local start --state-dir ${stateDir}`,
    });
  }
  return connectionOf(
    stateDir,
    status.endpoint,
    status.region ?? 'us-west-2',
    (await runningTimeScale(stateDir)) ?? DEFAULT_TIME_SCALE,
  );
}

/**
 * What to do when the cloud already runs at another time scale than the command's:
 * - `refuse`: the user chose the time scale (`--time-scale`): a usage conflict, said as such;
 * - `adopt`: use the cloud's (start without --time-scale: the run's deadlines are then built from it;
 *   destroy, whose waits do not scale), in one line;
 * - `adopt-if-faster`: resume, whose deadlines were fixed at start: a faster cloud only finishes
 *   within them sooner, a slower one would overrun them, so that is refused.
 */
export type OtherTimeScale = 'refuse' | 'adopt' | 'adopt-if-faster';

/** The running local cloud, started in the background (with this time scale) if it is not running. */
export async function ensureLocalCloud(
  io: Io,
  options: {
    readonly stateDir: string;
    readonly timeScale: number;
    readonly region: string;
    /** The port to start the cloud on (a running cloud elsewhere is refused); default 4566. */
    readonly port?: number | undefined;
    readonly onOtherTimeScale?: OtherTimeScale;
  },
): Promise<LocalConnection> {
  const { localCloudStatus, startLocalCloud } = await import('../local/daemon/control.ts');
  const current = await localCloudStatus({ stateDir: options.stateDir });
  if (current.running && current.endpoint !== undefined) {
    const stop = `resilient local stop --state-dir ${options.stateDir}`;
    if (
      options.port !== undefined &&
      options.port !== 0 &&
      Number(new URL(current.endpoint).port) !== options.port
    ) {
      throw new ResilientError(
        'USAGE',
        `The local cloud in ${options.stateDir} already runs at ${current.endpoint}, not on port ${options.port}.`,
        { hint: `leave out --port to use it, or stop it first: ${stop}` },
      );
    }
    // Its time scale was fixed when it started, and a run's deadlines are scaled by the same factor.
    const running = await runningTimeScale(options.stateDir);
    const policy = options.onOtherTimeScale ?? 'refuse';
    const other = running !== undefined && running !== options.timeScale;
    if (other && (policy === 'refuse' || (policy === 'adopt-if-faster' && running > options.timeScale))) {
      throw new ResilientError(
        'PRECONDITION',
        `The local cloud in ${options.stateDir} runs at time scale ${running}, not ${options.timeScale}${policy === 'refuse' ? '' : " (this run's deadlines were set for its own)"}.`,
        {
          hint:
            policy === 'refuse'
              ? `leave out --time-scale to use ${running}, pass --time-scale ${running}, or stop it first: ${stop}`
              : `stop it first (resume then starts it at ${options.timeScale}): ${stop}`,
        },
      );
    }
    const timeScale = running ?? options.timeScale;
    io.line(
      io.style.dim(
        other
          ? `Using the local cloud already running at ${current.endpoint}, at its time scale ${running} (not ${options.timeScale}).`
          : `Using the local cloud already running at ${current.endpoint}${running === undefined ? ' (its time scale was set when it started)' : ''}.`,
      ),
    );
    return connectionOf(options.stateDir, current.endpoint, current.region ?? options.region, timeScale);
  }
  const wait = startWait(io, { what: 'the local cloud to start', deadlineMs: READY_DEADLINE_MS });
  try {
    const result = await startLocalCloud({
      stateDir: options.stateDir,
      timeScale: options.timeScale,
      region: options.region,
      readyTimeoutMs: READY_DEADLINE_MS,
      ...(options.port === undefined ? {} : { port: options.port }),
    });
    const endpoint = result.status.endpoint;
    if (endpoint === undefined)
      throw new ResilientError('CLOUD', 'The local cloud started but reports no endpoint.');
    wait.succeed(
      `Local cloud running at ${endpoint} (pid ${result.status.pid ?? '?'}, time scale ${options.timeScale})`,
    );
    return connectionOf(
      options.stateDir,
      endpoint,
      result.status.region ?? options.region,
      options.timeScale,
    );
  } catch (error: unknown) {
    wait.fail('The local cloud did not start');
    throw error;
  }
}
