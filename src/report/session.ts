/**
 * What a run's command (start, resume, drill) wraps around its Host: every event is recorded in the
 * state dir's journal log (so `resilient watch` elsewhere can follow it); with `--web` it is also
 * pushed to a live page this process serves; with `--report DIR` or `--web` the monitor probes the
 * load balancer at a low rate; and at the end `--report DIR` renders journal.json, junit.xml and
 * report.html from the journal. The CLI's renderer sees exactly the events it saw before: the
 * monitor's samples go to the journal and the page only.
 */
import type { ClientConfig } from '../aws/clients.ts';
import type { Host, RunEvent } from '../events.ts';
import { createFeed, type Feed } from '../watch/feed.ts';
import { healthIntervalMs, readDeployment } from '../watch/locate.ts';
import { type Monitor, startMonitor } from '../watch/monitor.ts';
import type { LiveServer } from '../watch/server.ts';
import { openRecorder, type Recorder, type RunInfo } from './journal.ts';

export interface RecordingOptions {
  readonly stateDir: string;
  readonly run: RunInfo;
  /** `start`, `resume`, `drill`. */
  readonly command: string;
  /** A new run: its journal starts over; otherwise this part is appended. */
  readonly fresh: boolean;
  readonly reportDir?: string | undefined;
  /** Serve the live page: its port (0: any free one). */
  readonly web?: { readonly port?: number | undefined } | undefined;
  /** Monitor GETs per second (default 2). */
  readonly probeRate?: number | undefined;
  /** The cloud the monitor reads target health from. */
  readonly cloud?: {
    readonly region: string;
    readonly endpoint?: string | undefined;
    readonly credentials?: ClientConfig['credentials'];
  };
  /** The deployment already serves (a drill against a kept one): monitor from the start, not from a phase. */
  readonly deployed?: boolean | undefined;
  /** Says where the page is (its URL on a line of its own) and where the reports went. */
  line(text: string): void;
}

export interface Recording {
  /** The host the run gets: the caller's, with every event recorded on the way. */
  tap(host: Host): Host;
  /** Stops the monitor and the page, and writes the reports; returns the files written. */
  finish(): Promise<string[]>;
  readonly recorder: Recorder;
  readonly url?: string | undefined;
}

export async function openRecording(options: RecordingOptions): Promise<Recording> {
  const recorder = openRecorder({
    stateDir: options.stateDir,
    run: options.run,
    command: options.command,
    fresh: options.fresh,
  });
  const feed: Feed | undefined = options.web === undefined ? undefined : createFeed();
  let server: LiveServer | undefined;
  if (feed !== undefined) {
    feed.setRun(recorder.journal().run);
    for (const entry of recorder.journal().entries) feed.push(entry);
    const { startLiveServer } = await import('../watch/server.ts');
    server = await startLiveServer({
      feed,
      port: options.web?.port ?? 0,
      title: `resilient · ${options.run.name}`,
    });
    options.line('Live view (read-only, this machine only):');
    options.line(server.url);
  }
  const record = (event: RunEvent) => {
    const entry = recorder.record(event);
    if (entry !== undefined) feed?.push(entry);
  };

  const monitored = options.reportDir !== undefined || options.web !== undefined;
  let monitor: Monitor | undefined;
  let closeAws: (() => void) | undefined;
  const startMonitoring = async () => {
    if (!monitored || monitor !== undefined || options.cloud === undefined) return;
    const { createAws } = await import('../aws/index.ts');
    const made = createAws({ ...options.cloud, maxAttempts: 2 });
    closeAws = made.close;
    monitor = startMonitor({
      locate: () => readDeployment(options.stateDir, options.run.name)?.where,
      aws: made.aws,
      rate: options.probeRate,
      healthIntervalMs: healthIntervalMs(options.run.timeScale),
      emit: record,
      onCloud: (status) => feed?.setCloud(status),
    });
  };
  const stopMonitoring = async () => {
    const m = monitor;
    monitor = undefined;
    await m?.stop();
    closeAws?.();
    closeAws = undefined;
  };

  if (options.deployed === true) await startMonitoring();
  return {
    recorder,
    url: server?.url,
    tap: (host) => ({
      ask: (question) => host.ask(question),
      emit(event) {
        record(event);
        host.emit(event);
        // The deployment is probed while it serves: from deploy (once it has a load balancer) until destroy.
        if (event.type === 'phase') {
          if (event.phase === 'destroy') void stopMonitoring();
          else void startMonitoring();
        } else if (event.type === 'run-finished') void stopMonitoring();
      },
    }),
    async finish() {
      await stopMonitoring();
      await server?.close();
      if (options.reportDir === undefined) return [];
      const { writeReports } = await import('./write.ts');
      const files = writeReports(options.reportDir, recorder.journal());
      options.line(`Report: ${files.join(', ')}`);
      return files;
    },
  };
}
