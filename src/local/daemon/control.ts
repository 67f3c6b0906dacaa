import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { ResilientError } from '../../errors.ts';
import { runnablePath } from '../../package-root.ts';
import { identify, type ProcessIdentity, pidExists, stillRunning } from '../../process-identity.ts';
import { type DaemonRecord, daemonPaths, LOCAL_PROFILE, SECOND_PROFILE } from './files.ts';
import { type ServingCloud, serveLocalCloud } from './serve.ts';

export interface LocalCloudStatus {
  readonly running: boolean;
  readonly pid: number | undefined;
  readonly endpoint: string | undefined;
  /** The default Region; every Region of `regions` is served. */
  readonly region: string | undefined;
  readonly regions: readonly string[] | undefined;
  readonly accountId: string | undefined;
  /** Both accounts and their profiles (`resilient-local`, `resilient-local-b`). */
  readonly accounts: readonly { readonly profile: string; readonly accountId: string }[] | undefined;
  /** The running daemon's time scale (fixed when it started). */
  readonly timeScale: number | undefined;
  readonly credentialsFile: string;
  readonly configFile: string;
  readonly profile: string;
  /** The second account's profile, in the same credentials file. */
  readonly secondProfile: string;
  readonly logFile: string;
}

export interface StartOptions {
  readonly port?: number;
  readonly stateDir?: string;
  readonly timeScale?: number;
  readonly region?: string;
  /** Serve in this process (returns the running cloud) instead of spawning a detached daemon. */
  readonly foreground?: boolean;
  /** Deadline for the daemon to answer its health check (default 20 s). */
  readonly readyTimeoutMs?: number;
}

export type StartResult =
  | { readonly kind: 'started'; readonly status: LocalCloudStatus }
  | { readonly kind: 'already-running'; readonly status: LocalCloudStatus }
  | { readonly kind: 'foreground'; readonly status: LocalCloudStatus; readonly serving: ServingCloud };

const MAIN = runnablePath('src/local/daemon/main.ts');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function readRecord(file: string): DaemonRecord | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const r = parsed as Partial<DaemonRecord>;
    return typeof r.pid === 'number' && typeof r.endpoint === 'string' ? (r as DaemonRecord) : undefined;
  } catch {
    return undefined;
  }
}

/** The daemon answers its health route with its own pid (guards against a reused pid or port). */
async function healthy(record: DaemonRecord): Promise<boolean> {
  try {
    const res = await fetch(new URL('/_local/health', record.endpoint), {
      signal: AbortSignal.timeout(2000),
    });
    const body: unknown = await res.json();
    return (
      res.ok && typeof body === 'object' && body !== null && (body as { pid?: unknown }).pid === record.pid
    );
  } catch {
    return false;
  }
}

/**
 * The daemon process `record` names, if that process still runs — never merely a process that has its
 * pid now. A daemon that died without removing `daemon.json` (SIGKILLed, crashed, out of memory) leaves a
 * pid the kernel hands out again once it wraps around pid_max (proc(5)); a `local stop` that signalled
 * it would SIGTERM whatever has that pid by then — in a test suite, another test's CLI, which takes it
 * for a Ctrl+C. So: the recorded identity (boot id, start time) must match; a record without one (an
 * older daemon, or no /proc) must be proven by the daemon's health route answering with that pid, and
 * the pid must have kept its start time across that answer.
 */
async function daemonProcess(record: DaemonRecord): Promise<ProcessIdentity | undefined> {
  const recorded: ProcessIdentity = { pid: record.pid, bootId: record.bootId, startTime: record.startTime };
  const running = stillRunning(recorded);
  if (running !== undefined) return running ? recorded : undefined;
  const before = identify(record.pid);
  if (!pidExists(record.pid) || !(await healthy(record))) return undefined;
  const after = identify(record.pid);
  return after.startTime === before.startTime ? after : undefined;
}

/** Whether `daemon` (as `daemonProcess` found it) still runs; without /proc, whether its pid exists. */
const stillThere = (daemon: ProcessIdentity): boolean => stillRunning(daemon) ?? pidExists(daemon.pid);

/**
 * kill(2) on `daemon`, only if it is still that process. Checked just before the call: the pid can only
 * name another process after this one has exited and the kernel has wrapped around pid_max, which takes
 * far longer than the gap between the two. (Linux's race-free pidfd_send_signal(2) is not in Node.)
 */
function signalDaemon(daemon: ProcessIdentity, signal: NodeJS.Signals): void {
  if (!stillThere(daemon)) return;
  try {
    process.kill(daemon.pid, signal);
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error; // Exited just now.
  }
}

/** `resilient local status`: whether the state dir's daemon runs, where, and how to talk to it. */
export async function localCloudStatus(
  options: { readonly stateDir?: string } = {},
): Promise<LocalCloudStatus> {
  const paths = daemonPaths(options.stateDir ?? 'state');
  const record = readRecord(paths.daemonFile);
  const running =
    record !== undefined && (await daemonProcess(record)) !== undefined && (await healthy(record));
  return {
    running,
    pid: running ? record?.pid : undefined,
    endpoint: running ? record?.endpoint : undefined,
    region: record?.region,
    regions: record?.regions,
    accountId: record?.accountId,
    accounts: record?.accounts,
    timeScale: running ? record?.timeScale : undefined,
    credentialsFile: paths.credentialsFile,
    configFile: paths.configFile,
    profile: LOCAL_PROFILE,
    secondProfile: SECOND_PROFILE,
    logFile: paths.logFile,
  };
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * `resilient local start`: starts the state dir's local cloud as a detached daemon (logs in `daemon.log`)
 * and waits, up to a deadline, until it answers; a second start reports the running one.
 */
export async function startLocalCloud(options: StartOptions = {}): Promise<StartResult> {
  const stateDir = options.stateDir ?? 'state';
  const port = options.port ?? 4566;
  const timeScale = options.timeScale ?? 1;
  const current = await localCloudStatus({ stateDir });
  if (current.running) return { kind: 'already-running', status: current };
  const paths = daemonPaths(stateDir);
  rmSync(paths.daemonFile, { force: true });

  if (options.foreground === true) {
    const serving = await serveLocalCloud({
      port,
      stateDir,
      timeScale,
      ...(options.region === undefined ? {} : { region: options.region }),
    });
    return { kind: 'foreground', status: await localCloudStatus({ stateDir }), serving };
  }

  mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 });
  const log = openSync(paths.logFile, 'a', 0o600);
  // The daemon's event loop carries every load balancer: on a busy 2-core machine parallel GC waits for
  // helper threads that are not scheduled, turning sub-millisecond pauses into 25–110 ms p99 spikes
  // (measured: LB p99 at 500 req/s 37.7 ms → 11.0 ms with single-threaded GC).
  const args = [
    '--single-threaded-gc',
    MAIN,
    '--port',
    String(port),
    '--state-dir',
    stateDir,
    '--time-scale',
    String(timeScale),
  ];
  if (options.region !== undefined) args.push('--region', options.region);
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
  });
  child.unref();

  const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      throw new ResilientError('PRECONDITION', `The local cloud exited during start-up (code ${exited}).`, {
        hint: `See ${paths.logFile}: ${tail(paths.logFile, 3)}`,
      });
    }
    const record = readRecord(paths.daemonFile);
    if (record !== undefined && record.pid === child.pid && (await healthy(record))) {
      return { kind: 'started', status: await localCloudStatus({ stateDir }) };
    }
    await sleep(50);
  }
  // Our own child (not a pid read from a file): Node signals it only while it has not been reaped.
  if (exited === undefined) child.kill('SIGKILL');
  throw new ResilientError('TIMEOUT', 'The local cloud did not become ready in time.', {
    hint: `See ${paths.logFile}`,
  });
}

/**
 * `resilient local stop`: SIGTERM (the daemon closes instances, listeners and writes its snapshot), wait up to
 * `timeoutMs`, then SIGKILL. Only ever the daemon itself (`daemonProcess`): a record whose process is gone
 * is removed, and the cloud was not running.
 */
export async function stopLocalCloud(
  options: { readonly stateDir?: string; readonly timeoutMs?: number } = {},
): Promise<{ readonly wasRunning: boolean; readonly forced: boolean }> {
  const paths = daemonPaths(options.stateDir ?? 'state');
  const record = readRecord(paths.daemonFile);
  const daemon = record === undefined ? undefined : await daemonProcess(record);
  if (daemon === undefined) {
    rmSync(paths.daemonFile, { force: true });
    return { wasRunning: false, forced: false };
  }
  signalDaemon(daemon, 'SIGTERM');
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  while (Date.now() < deadline) {
    if (!stillThere(daemon)) {
      rmSync(paths.daemonFile, { force: true });
      return { wasRunning: true, forced: false };
    }
    await sleep(50);
  }
  signalDaemon(daemon, 'SIGKILL');
  const killDeadline = Date.now() + 5_000;
  while (stillThere(daemon) && Date.now() < killDeadline) await sleep(50);
  rmSync(paths.daemonFile, { force: true });
  return { wasRunning: true, forced: true };
}
