import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AdminCredentials } from '../../../../src/local/api/principals.ts';
import { readAdminCredentials } from '../../../../src/local/daemon/credentials.ts';
import { type DaemonPaths, type DaemonRecord, daemonPaths } from '../../../../src/local/daemon/files.ts';
import { until } from './poll.ts';

const MAIN = resolve(import.meta.dirname, '../../../../src/local/daemon/main.ts');

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
