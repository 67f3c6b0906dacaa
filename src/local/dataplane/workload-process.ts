/**
 * One run of an instance's workload: a child process of `node <entry>` that logs to the instance's log
 * file and announces its port with a JSON line `{"msg":"listening","port":N}` on stdout (the server's
 * contract, docs/architecture.md#the-recommendation-server). Stopping is SIGTERM (the server drains), then SIGKILL after a deadline.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** How often the log file is read for the listening line while a workload starts. */
const LISTEN_POLL_MS = 10;

export interface WorkloadLaunch {
  readonly execPath: string;
  readonly args: readonly string[];
  readonly env: Record<string, string>;
  readonly cwd: string;
  readonly logFile: string;
  /** Give up waiting for the listening line after this long (real time: process start is not simulated). */
  readonly listenDeadlineMs: number;
}

export interface WorkloadExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface WorkloadProcess {
  readonly pid: number | undefined;
  /** Resolves with the port the workload listens on; rejects if it exits or stays silent past the deadline. */
  readonly listening: Promise<number>;
  readonly exited: Promise<WorkloadExit>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs: number): Promise<WorkloadExit>;
  kill(): void;
}

export function launchWorkload(launch: WorkloadLaunch): WorkloadProcess {
  // The child writes its stdout and stderr straight to the log file (O_APPEND), as systemd hands a
  // service its journal: no byte of the log passes through this process. Before, every request line of
  // every instance was piped here and written again: ~10 % of the local cloud's CPU under load (the
  // benchmark's GET / through the load balancer, --cpu-prof), on the cores the instances need.
  const logFd = openSync(launch.logFile, 'a');
  const startOffset = fstatSync(logFd).size;
  let child: ChildProcess;
  try {
    child = spawn(launch.execPath, [...launch.args], {
      cwd: launch.cwd,
      env: launch.env,
      stdio: ['ignore', logFd, logFd],
    });
  } finally {
    closeSync(logFd); // the child holds its own copy
  }
  const exited = new Promise<WorkloadExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  const listening = new Promise<number>((resolve, reject) => {
    let pending = '';
    let offset = startOffset;
    let settled = false;
    const readFd = openSync(launch.logFile, 'r');
    const chunk = Buffer.alloc(16_384);
    const finish = (): void => {
      settled = true;
      clearInterval(poll);
      clearTimeout(timer);
      closeSync(readFd);
    };
    // The listening line is read back from the log file, from where this run started writing.
    const scan = (): void => {
      if (settled) return;
      for (;;) {
        const n = readSync(readFd, chunk, 0, chunk.length, offset);
        if (n <= 0) break;
        offset += n;
        pending += chunk.toString('utf8', 0, n);
      }
      let newline = pending.indexOf('\n');
      while (newline >= 0) {
        const port = listeningPort(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
        if (port !== undefined) {
          finish();
          resolve(port);
          return;
        }
        newline = pending.indexOf('\n');
      }
      if (pending.length > 65_536) pending = '';
    };
    const poll = setInterval(scan, LISTEN_POLL_MS);
    const timer = setTimeout(() => {
      scan();
      if (settled) return;
      finish();
      reject(new Error(`workload did not report a listening port within ${launch.listenDeadlineMs} ms`));
    }, launch.listenDeadlineMs);
    timer.unref();
    void exited.then((exit) => {
      scan(); // a line written just before exiting still counts
      if (settled) return;
      finish();
      reject(new Error(`workload exited before listening (code ${exit.code}, signal ${exit.signal})`));
    });
  });
  // The caller may never await `listening` (e.g. stopped during start): keep the rejection handled.
  listening.catch(() => undefined);

  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  return {
    pid: child.pid,
    listening,
    exited,
    kill,
    async stop(graceMs) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(kill, graceMs);
      const exit = await exited;
      clearTimeout(timer);
      return exit;
    },
  };
}

/** The port in a `{"msg":"listening","port":N}` line, if that is what the line is. */
export function listeningPort(line: string): number | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const record = parsed as Record<string, unknown>;
    const port = record['port'];
    return record['msg'] === 'listening' && typeof port === 'number' && Number.isInteger(port) && port > 0
      ? port
      : undefined;
  } catch {
    return undefined;
  }
}
