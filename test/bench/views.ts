/**
 * What the reports and the live view cost (issues #12 and #13): the full `start --yes` at a time scale
 * with `--report DIR` against the same run without it, in back-to-back pairs whose order alternates
 * (load from other jobs drifts over seconds; a pair sees it on both sides), and the CPU of a
 * `resilient watch` process following a run from start to exit (/proc/<pid>/stat, utime + stime).
 * Each run gets a fresh state dir and its own local cloud, as in orchestration.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { atMost, type Figure } from './bars.ts';
import { median } from './load.ts';

const BIN = fileURLToPath(new URL('../../src/cli/bin.js', import.meta.url));
/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these. */
const CLOCK_TICKS = 100;

function spawnCli(args: readonly string[], configDir: string): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', CI: '1', RESILIENT_CONFIG_DIR: configDir },
  });
}

function finish(child: ChildProcess, deadlineMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    let out = '';
    const keep = (c: Buffer) => {
      out = (out + c.toString('utf8')).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const kill = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
    child.on('exit', (code) => {
      clearTimeout(kill);
      resolve({ code, out });
    });
  });
}

/** CPU seconds (user + system) a live process has used so far. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command: state(0) ... utime is field 14 of the whole line, index 11 here; stime 12.
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round((kb / 1024) * 10) / 10;
}

interface Run {
  readonly seconds: number;
  readonly code: number | null;
  readonly tail: string;
  readonly watch?: { readonly cpuSeconds: number; readonly seconds: number; readonly rssMiB: number };
}

async function oneRun(timeScale: number, mode: 'plain' | 'report' | 'watch'): Promise<Run> {
  const stateDir = mkdtempSync(join(tmpdir(), 'resilient-bench-views-'));
  const configDir = join(stateDir, 'config');
  try {
    const local = await finish(
      spawnCli(
        ['local', 'start', '--state-dir', stateDir, '--time-scale', String(timeScale), '--port', '0'],
        configDir,
      ),
      30_000,
    );
    if (local.code !== 0) throw new Error(`local cloud did not start: ${local.out}`);
    const args = [
      'start',
      '--yes',
      '--time-scale',
      String(timeScale),
      '--state-dir',
      stateDir,
      '--name',
      'bench',
    ];
    if (mode === 'report') args.push('--report', join(stateDir, 'report'));
    const started = performance.now();
    const child = spawnCli(args, configDir);
    const done = finish(child, 180_000);
    let watch: Run['watch'];
    if (mode === 'watch') {
      while (!existsSync(join(stateDir, 'bench.json')) && performance.now() - started < 30_000)
        await new Promise((r) => setTimeout(r, 50));
      const watcher = spawnCli(['watch', '--name', 'bench', '--state-dir', stateDir], configDir);
      const watched = finish(watcher, 240_000);
      const t0 = performance.now();
      const cpu0 = cpuSeconds(watcher.pid ?? 0);
      await done;
      const cpu = cpuSeconds(watcher.pid ?? 0) - cpu0;
      const rss = rssMiB(watcher.pid ?? 0);
      watch = { cpuSeconds: cpu, seconds: (performance.now() - t0) / 1000, rssMiB: rss };
      watcher.kill('SIGINT');
      await watched;
    }
    const result = await done;
    return {
      seconds: (performance.now() - started) / 1000,
      code: result.code,
      tail: result.out.split('\n').slice(-6).join('\n'),
      ...(watch === undefined ? {} : { watch }),
    };
  } finally {
    await finish(spawnCli(['local', 'stop', '--state-dir', stateDir], configDir), 30_000);
    rmSync(stateDir, { recursive: true, force: true });
  }
}

const round = (n: number, d = 3): number => Math.round(n * 10 ** d) / 10 ** d;

export async function viewsBench(options: {
  readonly timeScale: number;
  readonly pairs: number;
  progress(line: string): void;
}): Promise<Record<string, unknown>> {
  const ratios: number[] = [];
  const plain: number[] = [];
  const reported: number[] = [];
  const failures: string[] = [];
  for (let i = 0; i < options.pairs; i++) {
    const order: ('plain' | 'report')[] = i % 2 === 0 ? ['plain', 'report'] : ['report', 'plain'];
    const got: Partial<Record<'plain' | 'report', Run>> = {};
    for (const mode of order) {
      options.progress(
        `views: start --yes at ${options.timeScale}${mode === 'report' ? ' --report DIR' : ''} (pair ${i + 1}/${options.pairs})`,
      );
      const run = await oneRun(options.timeScale, mode);
      if (run.code !== 0) failures.push(`${mode}: exit ${run.code}\n${run.tail}`);
      got[mode] = run;
    }
    const a = got.plain?.seconds ?? 0;
    const b = got.report?.seconds ?? 0;
    plain.push(a);
    reported.push(b);
    ratios.push(b / a);
    options.progress(
      `views: pair ${i + 1}: ${round(a, 1)} s without, ${round(b, 1)} s with --report (×${round(b / a)})`,
    );
  }
  options.progress('views: resilient watch following a start --yes run (CPU of the watch process)');
  const watched = await oneRun(options.timeScale, 'watch');
  if (watched.code !== 0) failures.push(`watch run: exit ${watched.code}\n${watched.tail}`);
  const w = watched.watch;
  // The median of an odd number of pairs (run-to-run variation at this scale is several seconds: a
  // stage polls until its row holds, against health checks with a random phase).
  const ratio: Figure = atMost(median(ratios), 1.05, '×');
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  return {
    reportOverhead: { ...ratio, pass: ratio.pass && failures.length === 0 },
    pairRatios: ratios.map((r) => round(r)),
    totalRatio: round(sum(reported) / sum(plain)),
    secondsWithout: plain.map((s) => round(s, 1)),
    secondsWithReport: reported.map((s) => round(s, 1)),
    watch:
      w === undefined
        ? null
        : {
            cpuSeconds: round(w.cpuSeconds, 2),
            wallSeconds: round(w.seconds, 1),
            cpuPercent: round((100 * w.cpuSeconds) / w.seconds, 1),
            rssMiB: w.rssMiB,
            runSeconds: round(watched.seconds, 1),
          },
    how: `start --yes --time-scale ${options.timeScale} with --report DIR vs without, ${options.pairs} back-to-back pair(s) in alternating order, each run on its own local cloud, timed spawn to exit; the figure is the median of the pair ratios. Watch: utime+stime of the watch process (probe 2 GET/s, health read every ${Math.round(10_000 * options.timeScale)} ms, SSE server, journal tail) from the checkpoint's appearance to the run's exit`,
    ...(failures.length === 0 ? {} : { failures }),
  };
}
