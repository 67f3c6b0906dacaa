/**
 * `resilient watch`: a live, read-only page for a deployment. It follows the run's journal log in the
 * state dir (whatever process drives the run), probes the load balancer at a low rate and reads target
 * health itself, and pushes all of it to the page. It changes nothing on the cloud; Ctrl+C exits 130.
 */
import { existsSync } from 'node:fs';
import type { Aws } from '../../aws/index.ts';
import { DEFAULT_TIME_SCALE } from '../../checkpoint/schema.ts';
import { ResilientError } from '../../errors.ts';
import type { CommandContext } from '../commands.ts';
import { parsePort, parseProbeRate } from '../options.ts';
import { resolveRunOptions } from '../run-options.ts';

type HealthAws = Pick<Aws, 'elbv2' | 'autoscaling'>;

export async function run({ io, values }: CommandContext): Promise<void> {
  const options = await resolveRunOptions(values, io.env);
  const port = typeof values.port === 'string' ? parsePort(values.port) : 0;
  const rate = typeof values['probe-rate'] === 'string' ? parseProbeRate(values['probe-rate']) : undefined;
  const { checkpointPath } = await import('../../checkpoint/store.ts');
  const { journalLogPath, readJournalLog } = await import('../../report/journal.ts');
  const { readDeployment, healthIntervalMs } = await import('../../watch/locate.ts');
  const name = options.name;
  const checkpoint = checkpointPath(options.stateDir, name);
  const log = journalLogPath(options.stateDir, name);
  if (!existsSync(checkpoint)) {
    // A run that finished and destroyed everything removes its checkpoint; its journal stays.
    const gone = existsSync(log) ? ` Its last run is over and destroyed; its journal is ${log}.` : '';
    throw new ResilientError(
      'PRECONDITION',
      `There is no deployment named '${name}' in ${options.stateDir} (no ${checkpoint}).${gone}`,
      {
        hint: `start one (in another terminal) with: resilient start --name ${name}   or pass --name / --state-dir`,
      },
    );
  }
  const deployment = readDeployment(options.stateDir, name);
  const logged = readJournalLog(log)?.run;
  const info = logged ?? {
    name,
    target: deployment?.target.kind ?? 'local',
    region: deployment?.target.region ?? 'us-west-2',
    timeScale: deployment?.timeScale ?? DEFAULT_TIME_SCALE,
  };

  const { createFeed } = await import('../../watch/feed.ts');
  const { startLiveServer } = await import('../../watch/server.ts');
  const { startMonitor, MONITOR_PROBE } = await import('../../watch/monitor.ts').then(async (m) => ({
    ...m,
    MONITOR_PROBE: (await import('../../report/view.js')).MONITOR_PROBE,
  }));
  const { tailJournal } = await import('../../watch/tail.ts');
  const feed = createFeed();
  feed.setRun(info);

  // What the log says about the run: its stage (for our samples) and whether it still serves.
  let stage: number | null = null;
  let phase: string | null = null;
  let outcome: string | undefined;
  const tail = tailJournal(log, {
    header(_part, run) {
      outcome = undefined;
      feed.setRun(run);
    },
    entry(entry) {
      if (entry.event.type === 'phase') phase = entry.event.phase;
      if (entry.event.type === 'run-finished') outcome = entry.event.outcome;
      stage = phase === 'demo' ? entry.stage : null;
      // The run's own monitor (start --web / --report) probes as we do: our samples stand for both.
      if (entry.event.type === 'probe-sample' && entry.event.sample.probe === MONITOR_PROBE) return;
      feed.push(entry);
    },
    reset() {
      stage = null;
      phase = null;
      outcome = undefined;
      feed.reset();
    },
  });
  tail.poll();

  const clients = cloudClients(options.stateDir, info.target, info.region);
  let monitor: ReturnType<typeof startMonitor> | undefined;
  const serving = () =>
    readDeployment(options.stateDir, name)?.where !== undefined &&
    phase !== 'destroy' &&
    (outcome === undefined || outcome === 'kept' || outcome === 'interrupted');
  const steer = () => {
    const want = serving();
    if (want && monitor === undefined) {
      monitor = startMonitor({
        locate: () => readDeployment(options.stateDir, name)?.where,
        aws: clients.aws,
        rate,
        healthIntervalMs: healthIntervalMs(info.timeScale),
        emit: (event) => feed.push({ at: Date.now(), stage, event }),
        onCloud: (status) => feed.setCloud(status),
      });
    } else if (!want && monitor !== undefined) {
      const m = monitor;
      monitor = undefined;
      void m.stop();
    }
  };
  steer();
  const steering = setInterval(steer, 1000);

  const server = await startLiveServer({ feed, port, title: `resilient watch · ${name}` });
  io.line(`Watching '${name}' (${info.target}, ${info.region}). Open this on this machine (read-only):`);
  io.line(server.url);
  io.line(io.style.dim('Ctrl+C stops watching; the run is not touched.'));

  await new Promise<void>((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
  clearInterval(steering);
  tail.stop();
  await monitor?.stop();
  await server.close();
  clients.close();
  throw new ResilientError('INTERRUPTED', 'Stopped watching; the run was not touched.');
}

/**
 * The clients the health probe reads with, (re)connected on demand: the local cloud may not be
 * running yet, or restart on another port; a failed call drops them so the next one reconnects.
 */
function cloudClients(
  stateDir: string,
  target: 'local' | 'aws',
  region: string,
): { aws: HealthAws; close(): void } {
  let made: { aws: Aws; close(): void } | undefined;
  const connect = async (): Promise<Aws> => {
    if (made !== undefined) return made.aws;
    const { createAws } = await import('../../aws/index.ts');
    if (target === 'aws') {
      made = createAws({ region, maxAttempts: 2 });
      return made.aws;
    }
    const { localCloudStatus } = await import('../../local/daemon/control.ts');
    const { readAdminCredentials } = await import('../../local/daemon/credentials.ts');
    const { daemonPaths } = await import('../../local/daemon/files.ts');
    const status = await localCloudStatus({ stateDir });
    const credentials = readAdminCredentials(daemonPaths(stateDir));
    if (!status.running || status.endpoint === undefined || credentials === undefined) {
      throw new ResilientError('CLOUD', `the local cloud in ${stateDir} is not running`);
    }
    made = createAws({ region, endpoint: status.endpoint, credentials, maxAttempts: 1 });
    return made.aws;
  };
  const call = async <T>(fn: (aws: Aws) => Promise<T>): Promise<T> => {
    const aws = await connect();
    try {
      return await fn(aws);
    } catch (error: unknown) {
      made?.close();
      made = undefined;
      throw error;
    }
  };
  const elbv2: Pick<Aws['elbv2'], 'targetHealth'> = {
    targetHealth: (arn, opts) => call((a) => a.elbv2.targetHealth(arn, opts)),
  };
  const autoscaling: Pick<Aws['autoscaling'], 'describeGroup'> = {
    describeGroup: (group, opts) => call((a) => a.autoscaling.describeGroup(group, opts)),
  };
  // The health probe (src/probes/health.ts) calls exactly these two.
  const aws = { elbv2, autoscaling } as unknown as HealthAws;
  return { aws, close: () => made?.close() };
}
