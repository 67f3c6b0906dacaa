/**
 * How the CLI reaches the local cloud of a state dir: its endpoint from `daemon.json`, its admin
 * credentials from `<state-dir>/local/credentials` (docs/local-cloud.md). `start` runs it when it is not running.
 */
import { ResilientError } from '../errors.ts';
import type { Io } from './io.ts';
import { startWait } from './render/spinner.ts';

export interface LocalConnection {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

const READY_DEADLINE_MS = 20_000;

async function connectionOf(stateDir: string, endpoint: string, region: string): Promise<LocalConnection> {
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
  return { endpoint, region, credentials };
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
  return connectionOf(stateDir, status.endpoint, status.region ?? 'us-west-2');
}

/** The running local cloud, started in the background (with this time scale) if it is not running. */
export async function ensureLocalCloud(
  io: Io,
  options: {
    readonly stateDir: string;
    readonly timeScale: number;
    readonly region: string;
    readonly port?: number;
    /** Use a running cloud whatever its time scale (for commands whose waits do not scale with it). */
    readonly adoptRunningTimeScale?: boolean;
  },
): Promise<LocalConnection> {
  const { localCloudStatus, startLocalCloud } = await import('../local/daemon/control.ts');
  const current = await localCloudStatus({ stateDir: options.stateDir });
  if (current.running && current.endpoint !== undefined) {
    // Its time scale was fixed when it started, and a run's deadlines are scaled by the same factor:
    // a mismatch would make every wait time out (or crawl), so refuse it when we can tell.
    const running = await runningTimeScale(options.stateDir);
    if (running !== undefined && running !== options.timeScale && options.adoptRunningTimeScale !== true) {
      throw new ResilientError(
        'PRECONDITION',
        `The local cloud in ${options.stateDir} runs at time scale ${running}, not ${options.timeScale}.`,
        {
          hint: `pass --time-scale ${running}, or stop it first: resilient local stop --state-dir ${options.stateDir}`,
        },
      );
    }
    io.line(
      io.style.dim(
        `Using the local cloud already running at ${current.endpoint}${running === undefined ? ' (its time scale was set when it started)' : ''}.`,
      ),
    );
    return connectionOf(options.stateDir, current.endpoint, current.region ?? options.region);
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
    return connectionOf(options.stateDir, endpoint, result.status.region ?? options.region);
  } catch (error: unknown) {
    wait.fail('The local cloud did not start');
    throw error;
  }
}
