/**
 * The orchestration figure: one `resilient start --target local --yes` at a time scale, in a fresh state
 * dir, timed from spawn to exit and split into its phases by the lines the CLI prints when deploy ends
 * and destroy begins; the API call count read from the local cloud's log (one line per call,
 * src/local/daemon/main.ts); the local cloud stopped afterwards.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../src/cli/bin.js', import.meta.url));

export interface FullRun {
  readonly seconds: number;
  readonly exitCode: number | null;
  readonly apiCalls: number;
  /** API calls answered with an error code (expected ones included: not-found probes, retries). */
  readonly apiErrors: number;
  /**
   * Calls per `service.Operation`. The log does not name the caller, so these include the instances' own
   * calls (GetItem, GetParameters, DescribeTable of the servers, many of them denied on purpose in stage 4).
   */
  readonly byOperation: Record<string, number>;
  /** Seconds per phase: deploy (to "Your load balancer is ready."), the seven stages, destroy (to exit). */
  readonly phases: {
    readonly deploy: number | null;
    readonly stages: number | null;
    readonly destroy: number | null;
  };
  readonly tail: string;
}

/** The lines that end one phase and begin the next (src/cli/render/events.ts). */
const MARKERS = {
  deployed: 'Your load balancer is ready.',
  destroying: 'Destroying everything this run created',
};

function cli(
  args: readonly string[],
  deadlineMs: number,
  configDir: string,
): Promise<{ code: number | null; out: string; ms: number; at: Record<string, number> }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const at: Record<string, number> = {};
    let seen = '';
    const child = spawn(process.execPath, [BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', CI: '1', RESILIENT_CONFIG_DIR: configDir },
    });
    let out = '';
    const keep = (c: Buffer) => {
      const text = c.toString('utf8');
      out = (out + text).slice(-20_000);
      seen = (seen + text).slice(-400);
      for (const [name, marker] of Object.entries(MARKERS)) {
        if (at[name] === undefined && seen.includes(marker)) at[name] = performance.now() - started;
      }
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const kill = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
    child.on('exit', (code) => {
      clearTimeout(kill);
      resolve({ code, out, ms: performance.now() - started, at });
    });
  });
}

const gap = (from: number | undefined, to: number | undefined): number | undefined =>
  from === undefined || to === undefined ? undefined : to - from;
const seconds = (ms: number | undefined): number | null =>
  ms === undefined ? null : Math.round(ms / 100) / 10;

export async function fullRun(timeScale: number, deadlineMs = 150_000): Promise<FullRun> {
  const stateDir = mkdtempSync(join(tmpdir(), 'resilient-bench-run-'));
  const configDir = join(stateDir, 'config');
  try {
    // The cloud first, on a free port (the default 4566 may be taken), so the run's time counts only `start`.
    const local = await cli(
      ['local', 'start', '--state-dir', stateDir, '--time-scale', String(timeScale), '--port', '0'],
      30_000,
      configDir,
    );
    if (local.code !== 0) throw new Error(`local cloud did not start: ${local.out}`);
    const run = await cli(
      [
        'start',
        '--target',
        'local',
        '--yes',
        '--time-scale',
        String(timeScale),
        '--state-dir',
        stateDir,
        '--name',
        'bench',
      ],
      deadlineMs,
      configDir,
    );
    const logFile = join(stateDir, 'local', 'daemon.log');
    const lines = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n') : [];
    // `<time> <request-id> <service>.<operation> <status>[ <error code>] <ms>ms`
    const calls = lines
      .map((l) => /^\S+ \S+ ([a-z0-9-]+\.[A-Za-z0-9]+) (\d{3})( [A-Za-z.]+)? [\d.]+ms$/.exec(l))
      .filter((m) => m !== null);
    const byOperation: Record<string, number> = {};
    for (const m of calls) byOperation[m[1] ?? ''] = (byOperation[m[1] ?? ''] ?? 0) + 1;
    return {
      seconds: run.ms / 1000,
      exitCode: run.code,
      apiCalls: calls.length,
      apiErrors: calls.filter((m) => m[3] !== undefined).length,
      byOperation,
      phases: {
        deploy: seconds(run.at['deployed']),
        stages: seconds(gap(run.at['deployed'], run.at['destroying'])),
        destroy: seconds(gap(run.at['destroying'], run.ms)),
      },
      tail: run.out.split('\n').slice(-8).join('\n'),
    };
  } finally {
    await cli(['local', 'stop', '--state-dir', stateDir], 30_000, configDir);
    rmSync(stateDir, { recursive: true, force: true });
  }
}
