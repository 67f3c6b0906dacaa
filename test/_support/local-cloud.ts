/**
 * The one local-cloud fixture, three ways to get one (pick the least that proves the behaviour):
 * - `startTestLocalCloud`: in this process on a free port, in a temp dir (services, the data plane);
 * - `startDaemon`: the daemon as its own process, as a user starts it (AWS CLI wire tests);
 * - `startCloudViaCli`: through `resilient local start --port 0` (end-to-end tests and drills);
 * and `localClient`/`clientConfig` for SDK clients on its admin (or any other) credentials.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AwsCredentialIdentity } from '@smithy/types';
import { type Clients, createClients } from '../../src/aws/clients.ts';
import type { AdminCredentials } from '../../src/local/api/principals.ts';
import { type LocalCloud, type LocalCloudOptions, openLocalCloud } from '../../src/local/cloud.ts';
import { localCloudStatus } from '../../src/local/daemon/control.ts';
import { readAdminCredentials } from '../../src/local/daemon/credentials.ts';
import { type DaemonPaths, type DaemonRecord, daemonPaths } from '../../src/local/daemon/files.ts';
import { baseEnv, spawnCli } from './cli.ts';
import { until } from './poll.ts';

// In this process.

/** What a test needs to talk to a local cloud. Stable signature: other local-cloud suites depend on it. */
export interface TestLocalCloud {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly credentials: AdminCredentials;
  readonly region: string;
  /** The first account (whose admin `credentials` are) and the second one (profile `resilient-local-b`). */
  readonly accountId: string;
  readonly second: { readonly accountId: string; readonly credentials: AdminCredentials };
  /** The temp data dir (removed by `close()` unless `keepDataDir`). */
  readonly dataDir: string;
  /** The in-process cloud, for tests that inspect state or the data plane. */
  readonly cloud: LocalCloud;
  close(): Promise<void>;
}

export type TestLocalCloudOptions = Omit<LocalCloudOptions, 'dataDir'> & {
  /** Reuse a data dir (restart tests); otherwise a fresh temp dir. */
  readonly dataDir?: string;
  /** Leave the data dir in place on close (the caller removes it). */
  readonly keepDataDir?: boolean;
};

/**
 * Starts a local cloud in this process on a free loopback port, in a temp dir. Admin credentials are random;
 * DynamoDB tables become ACTIVE almost at once (time scale 0.01 unless given). Always `await close()` in
 * `afterEach`/`afterAll`.
 */
export async function startTestLocalCloud(options: TestLocalCloudOptions = {}): Promise<TestLocalCloud> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'resilient-local-')));
  const { keepDataDir, dataDir: _ignored, ...rest } = options;
  let cloud: LocalCloud;
  try {
    cloud = await openLocalCloud({ timeScale: 0.01, ...rest, dataDir, port: options.port ?? 0 });
  } catch (error: unknown) {
    if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    endpoint: cloud.config.endpoint,
    credentials: cloud.admin,
    region: cloud.config.region,
    accountId: cloud.config.accountId,
    second: {
      accountId: cloud.accounts[1]?.accountId ?? '',
      credentials: cloud.accounts[1]?.admin ?? cloud.admin,
    },
    dataDir,
    cloud,
    async close() {
      await cloud.close();
      if (keepDataDir !== true) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

// SDK clients against any of them.

/** The connection part of any SDK v3 client config, pointed at a local cloud. */
export interface LocalClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: AwsCredentialIdentity;
  readonly maxAttempts: number;
}

export interface LocalTarget {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
}

/**
 * Config for `new XClient(clientConfig(cloud))`, with the admin credentials or any other (e.g. a role
 * session's). One attempt by default so error tests see the first answer, not a retried one.
 */
export function clientConfig(
  target: LocalTarget,
  overrides: { readonly credentials?: LocalTarget['credentials']; readonly maxAttempts?: number } = {},
): LocalClientConfig {
  const c = overrides.credentials ?? target.credentials;
  return {
    endpoint: target.endpoint,
    region: target.region,
    credentials: {
      accessKeyId: c.accessKeyId,
      secretAccessKey: c.secretAccessKey,
      ...(c.sessionToken === undefined ? {} : { sessionToken: c.sessionToken }),
    },
    maxAttempts: overrides.maxAttempts ?? 1,
  };
}

/** Builds any SDK client against the local cloud: `localClient(STSClient, cloud)`. */
export function localClient<C>(
  Client: new (config: LocalClientConfig) => C,
  target: LocalTarget,
  overrides: Parameters<typeof clientConfig>[1] = {},
): C {
  return new Client(clientConfig(target, overrides));
}

// The daemon as its own process.

const MAIN = resolve(import.meta.dirname, '../../src/local/daemon/main.ts');

/** The local cloud as a separate process: the same `node src/local/daemon/main.ts` a user starts. */
export interface DaemonProcess {
  readonly endpoint: string;
  readonly record: DaemonRecord;
  readonly paths: DaemonPaths;
  readonly stateDir: string;
  /** The admin keys of the generated `resilient-local` profile (the secret also opens the control route). */
  readonly admin: AdminCredentials;
  /** The second account's admin keys (profile `resilient-local-b`). */
  readonly secondAdmin: AdminCredentials;
  /** What the daemon wrote to stdout/stderr (one line per API call): for failure messages. */
  output(): string;
  /**
   * SIGTERM (the daemon stops its instances), SIGKILL after a deadline, then removes the state dir unless
   * `keepState` (a restart test starts another daemon on it with `startDaemon(scale, { stateDir })`).
   */
  stop(options?: { readonly keepState?: boolean }): Promise<void>;
}

const START_DEADLINE_MS = 20_000;
const STOP_DEADLINE_MS = 20_000;

/**
 * Spawns the daemon on a free port (`--port 0`) in a fresh temp state dir (or `options.stateDir`, to restart
 * on a kept one) and waits until it serves.
 */
export async function startDaemon(
  timeScale: number,
  options: { readonly stateDir?: string } = {},
): Promise<DaemonProcess> {
  const stateDir = options.stateDir ?? (await mkdtemp(join(tmpdir(), 'resilient-cli-daemon-')));
  const paths = daemonPaths(stateDir);
  const child = spawn(
    process.execPath,
    [MAIN, '--port', '0', '--state-dir', stateDir, '--time-scale', String(timeScale)],
    // The user's own AWS settings must not reach the daemon (its instances get role credentials only).
    { env: { PATH: process.env.PATH ?? '', HOME: stateDir }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (chunk: Buffer): void => {
    // Kept whole (one short line per API call: well under a few MB for a suite), so offsets stay valid.
    output += chunk.toString('utf8');
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  let stopped: Promise<void> | undefined;
  // Stopping twice is harmless: both callers wait for the same shutdown.
  const stop = (stopOptions: { readonly keepState?: boolean } = {}): Promise<void> => {
    stopped ??= terminate(child, exited).then(async () => {
      // For diagnosis: RESILIENT_CLI_DAEMON_LOG=<file> keeps the daemon's per-call log of the run.
      const keepLog = process.env.RESILIENT_CLI_DAEMON_LOG;
      if (keepLog !== undefined && keepLog !== '') await writeFile(keepLog, output);
      if (stopOptions.keepState !== true) await rm(stateDir, { recursive: true, force: true });
    });
    return stopped;
  };
  try {
    const record = await until(
      'the daemon to write daemon.json',
      () => {
        if (child.exitCode !== null) throw new Error(`daemon exited with ${child.exitCode}: ${output}`);
        if (!existsSync(paths.daemonFile)) return undefined;
        try {
          return JSON.parse(readFileSync(paths.daemonFile, 'utf8')) as DaemonRecord;
        } catch {
          // Caught mid-write: read it again on the next poll.
          return undefined;
        }
      },
      START_DEADLINE_MS,
    );
    const admin = readAdminCredentials(paths);
    const secondAdmin = readAdminCredentials(paths, 'resilient-local-b');
    if (admin === undefined || secondAdmin === undefined)
      throw new Error(`no admin keys in ${paths.credentialsFile}`);
    const handle: DaemonProcess = {
      endpoint: record.endpoint,
      record,
      paths,
      stateDir,
      admin,
      secondAdmin,
      output: () => output,
      stop,
    };
    return handle;
  } catch (error: unknown) {
    await stop();
    throw error;
  }
}

async function terminate(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((done) => {
    timer = setTimeout(() => done('late'), STOP_DEADLINE_MS);
  });
  const outcome = await Promise.race([exited, late]);
  clearTimeout(timer);
  if (outcome === 'late') {
    child.kill('SIGKILL');
    await exited;
  }
}

// Through the CLI.

/**
 * A local cloud for end-to-end tests, started and stopped through the CLI itself (`resilient local
 * start --port 0`, so it never collides with anyone's 4566), and SDK clients on its admin credentials
 * for checking what the CLI did.
 */
export interface E2eCloud {
  readonly endpoint: string;
  readonly region: string;
  readonly clients: Clients;
  stop(): Promise<void>;
}

export async function startCloudViaCli(
  stateDir: string,
  configDir: string,
  timeScale: number,
): Promise<E2eCloud> {
  const env = baseEnv(configDir);
  const started = await spawnCli(
    ['local', 'start', '--port', '0', '--state-dir', stateDir, '--time-scale', String(timeScale)],
    {
      env,
      deadlineMs: 30_000,
    },
  );
  if (started.code !== 0)
    throw new Error(`local start failed (${started.code}): ${started.stderr}${started.stdout}`);
  const status = await localCloudStatus({ stateDir });
  const credentials = readAdminCredentials(daemonPaths(stateDir));
  if (!status.running || status.endpoint === undefined || credentials === undefined) {
    throw new Error(`the local cloud in ${stateDir} is not running after start: ${started.stdout}`);
  }
  const region = status.region ?? 'us-west-2';
  const clients = createClients({ region, endpoint: status.endpoint, credentials, maxAttempts: 2 });
  return {
    endpoint: status.endpoint,
    region,
    clients,
    stop: async () => {
      clients.destroy();
      const stopped = await spawnCli(['local', 'stop', '--state-dir', stateDir], { env, deadlineMs: 40_000 });
      if (stopped.code !== 0) throw new Error(`local stop failed: ${stopped.stderr}`);
    },
  };
}
