import { execFile } from 'node:child_process';
import type { DaemonProcess } from './local-cloud.ts';

/** The Debian AWS CLI v2 (2.9): it predates AWS_ENDPOINT_URL, so every call passes `--endpoint-url`. */
export const AWS = '/usr/bin/aws';
const CALL_DEADLINE_MS = 60_000;

export interface CliResult {
  /** 0 on success; 254 when the service answered an error; 255 for CLI-side failures. */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** What a test runs: `aws <service> <operation> …` against the daemon, JSON output. */
export type Aws = (...args: string[]) => Promise<CliResult>;

/**
 * Only the generated profile: the user's own AWS settings (env, ~/.aws) must not leak in, and the CLI must
 * not try instance metadata or a pager.
 */
export function profileEnv(daemon: DaemonProcess): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: daemon.stateDir,
    AWS_SHARED_CREDENTIALS_FILE: daemon.paths.credentialsFile,
    AWS_CONFIG_FILE: daemon.paths.configFile,
    AWS_PROFILE: 'resilient-local',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
  };
}

/** Static keys instead of the profile (for the wrong-key and wrong-secret cases). */
export function keyEnv(
  daemon: DaemonProcess,
  accessKeyId: string,
  secretAccessKey: string,
): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: daemon.stateDir,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    AWS_DEFAULT_REGION: daemon.record.region,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
  };
}

/**
 * At most this many CLI processes at once across a test file: each is a Python interpreter costing about
 * half a CPU-second to start, and two cores are shared with every other suite.
 */
const MAX_CONCURRENT_CLI = 3;
let running = 0;
const queued: (() => void)[] = [];

async function slot(): Promise<() => void> {
  if (running >= MAX_CONCURRENT_CLI) await new Promise<void>((go) => queued.push(go));
  running += 1;
  return () => {
    running -= 1;
    queued.shift()?.();
  };
}

export function awsCli(daemon: DaemonProcess, env: NodeJS.ProcessEnv = profileEnv(daemon)): Aws {
  return async (...args) => {
    const release = await slot();
    try {
      return await new Promise<CliResult>((done) => {
        execFile(
          AWS,
          ['--endpoint-url', daemon.endpoint, '--output', 'json', ...args],
          { env, timeout: CALL_DEADLINE_MS, maxBuffer: 16 * 1024 * 1024 },
          (error, stdout, stderr) => {
            const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
            done({ code, stdout, stderr });
          },
        );
      });
    } finally {
      release();
    }
  };
}

/** Runs a call that must succeed and parses its JSON output (`{}` when the operation prints nothing). */
export async function ok<T = Record<string, unknown>>(aws: Aws, ...args: string[]): Promise<T> {
  const out = await aws(...args);
  if (out.code !== 0)
    throw new Error(`aws ${args.slice(0, 2).join(' ')} failed (${out.code}): ${out.stderr}`);
  return (out.stdout.trim() === '' ? {} : JSON.parse(out.stdout)) as T;
}

/**
 * The error code of a failed call, read from what the CLI prints for a service error:
 * `An error occurred (Code) when calling the Operation operation: message`.
 */
export function errorOf(out: CliResult): { code: string; operation: string } | undefined {
  const m = /An error occurred \(([^)]+)\) when calling the (\w+) operation/.exec(out.stderr);
  return m?.[1] === undefined || m[2] === undefined ? undefined : { code: m[1], operation: m[2] };
}

/** Runs a call that must fail with a service error and returns the code the CLI printed. */
export async function failure(aws: Aws, ...args: string[]): Promise<{ code: string; operation: string }> {
  const out = await aws(...args);
  const err = errorOf(out);
  if (out.code === 0 || err === undefined)
    throw new Error(
      `aws ${args.slice(0, 2).join(' ')} should fail with a service error: ${out.code} ${out.stderr}`,
    );
  return err;
}
