/**
 * How the CLI reaches the local cloud of a state dir: its endpoint from `daemon.json`, its admin
 * credentials from `<state-dir>/local/credentials` (DESIGN §7). `start` runs it when it is not running.
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
  },
): Promise<LocalConnection> {
  const { localCloudStatus, startLocalCloud } = await import('../local/daemon/control.ts');
  const current = await localCloudStatus({ stateDir: options.stateDir });
  if (current.running && current.endpoint !== undefined) {
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
