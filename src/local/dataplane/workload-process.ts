/**
 * One run of an instance's workload: a child process of `node <entry>` that logs to the instance's log
 * file and announces its port with a JSON line `{"msg":"listening","port":N}` on stdout (the server's
 * contract, DESIGN §3). Stopping is SIGTERM (the server drains), then SIGKILL after a deadline.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';

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
  const log = createWriteStream(launch.logFile, { flags: 'a' });
  log.on('error', () => undefined);
  const child: ChildProcess = spawn(launch.execPath, [...launch.args], {
    cwd: launch.cwd,
    env: launch.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<WorkloadExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  void exited.then(() => log.end());
  child.stderr?.on('data', (chunk: Buffer) => log.write(chunk));
  const listening = new Promise<number>((resolve, reject) => {
    let pending = '';
    let found = false;
    const timer = setTimeout(() => {
      reject(new Error(`workload did not report a listening port within ${launch.listenDeadlineMs} ms`));
    }, launch.listenDeadlineMs);
    timer.unref();
    child.stdout?.on('data', (chunk: Buffer) => {
      log.write(chunk);
      if (found) return;
      pending += chunk.toString('utf8');
      let newline = pending.indexOf('\n');
      while (newline >= 0 && !found) {
        const port = listeningPort(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
        if (port !== undefined) {
          found = true;
          clearTimeout(timer);
          resolve(port);
        }
        newline = pending.indexOf('\n');
      }
      if (pending.length > 65_536) pending = '';
    });
    void exited.then((exit) => {
      clearTimeout(timer);
      if (!found)
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
