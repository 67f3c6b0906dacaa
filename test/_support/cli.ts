/**
 * Runs the real CLI as a child process (no TTY: stdout and stderr are pipes) and captures what it
 * prints. Every run has a deadline: a hung CLI is killed and the test fails with what it had printed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createIo, type Io } from '../../src/cli/io.ts';

export const BIN = fileURLToPath(new URL('../../src/cli/bin.js', import.meta.url));
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface SpawnOptions {
  /** /dev/null (default), a pipe kept open and silent (a CI step), or a pipe closed at once. */
  readonly stdin?: 'devnull' | 'silent-pipe' | 'closed-pipe';
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  readonly deadlineMs?: number;
  /** Called with everything printed so far on each stdout chunk (e.g. to send a signal at a point). */
  readonly onStdout?: (stdout: string, child: ChildProcess) => void;
}

const live = new Set<ChildProcess>();

/** Kills any child a failed test left behind (call from afterEach). */
export function killLeftovers(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

/** The environment a test child gets: no colour forcing, no CI flag, no real AWS settings. */
export function baseEnv(configDir: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (
      k === 'CI' ||
      k === 'NO_COLOR' ||
      k === 'FORCE_COLOR' ||
      k.startsWith('AWS_') ||
      k.startsWith('RESILIENT_')
    )
      continue;
    env[k] = v;
  }
  env['RESILIENT_CONFIG_DIR'] = configDir;
  return env;
}

export function spawnCli(args: readonly string[], options: SpawnOptions = {}): Promise<CliResult> {
  const stdinMode = options.stdin ?? 'devnull';
  const stdin = stdinMode === 'devnull' ? openSync('/dev/null', 'r') : 'pipe';
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...(options.env ?? process.env) },
    stdio: [stdin, 'pipe', 'pipe'],
  });
  live.add(child);
  if (stdinMode === 'closed-pipe') child.stdin?.end();
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
    options.onStdout?.(stdout, child);
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const deadlineMs = options.deadlineMs ?? 20_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `resilient ${args.join(' ')} did not exit within ${deadlineMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`,
        ),
      );
    }, deadlineMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      // A silent pipe stays open on our side until the child is gone; close it now.
      child.stdin?.destroy();
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export interface TempDir {
  readonly path: string;
  remove(): void;
}

export function tempDir(prefix = 'resilient-cli-'): TempDir {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { path: dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface CapturedIo {
  readonly io: Io;
  stdout(): string;
  stderr(): string;
}

/** An in-process Io whose output is kept for assertions. */
export function captureIo(
  options: {
    isTTY?: boolean;
    interactive?: boolean;
    env?: Record<string, string | undefined>;
    noColorFlag?: boolean;
  } = {},
): CapturedIo {
  let out = '';
  let err = '';
  const io = createIo({
    out: { write: (t: string) => (out += t) },
    err: { write: (t: string) => (err += t) },
    isTTY: options.isTTY ?? false,
    interactive: options.interactive ?? false,
    env: options.env ?? {},
    noColorFlag: options.noColorFlag ?? false,
  });
  return { io, stdout: () => out, stderr: () => err };
}
