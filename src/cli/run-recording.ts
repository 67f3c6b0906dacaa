/**
 * `--report DIR`, `--web`, `--web-port P` and `--probe-rate N` of start, resume and drill: the run's
 * host is tapped for the journal (always: `resilient watch` follows it from the state dir), the live
 * page and the reports (src/report/session.ts). The reports are written however the run ends —
 * passed, failed, interrupted — because a failed run is the one whose report matters.
 */
import path from 'node:path';
import type { Host } from '../events.ts';
import type { RunInfo } from '../report/journal.ts';
import type { Io } from './io.ts';
import { parsePort, parseProbeRate, type RawValues } from './options.ts';

export interface RecordingFlags {
  readonly reportDir: string | undefined;
  readonly web: { readonly port: number } | undefined;
  readonly probeRate: number | undefined;
}

export function recordingFlags(values: RawValues): RecordingFlags {
  const report = typeof values.report === 'string' ? values.report : undefined;
  const webPort =
    typeof values['web-port'] === 'string' ? parsePort(values['web-port'], '--web-port') : undefined;
  const rate = typeof values['probe-rate'] === 'string' ? parseProbeRate(values['probe-rate']) : undefined;
  return {
    reportDir: report === undefined ? undefined : path.resolve(report),
    web: values.web === true || webPort !== undefined ? { port: webPort ?? 0 } : undefined,
    probeRate: rate,
  };
}

/**
 * A resumed run writes its reports where its first part was asked to (the checkpoint's plan keeps
 * `--report DIR`), unless `--report` says otherwise now.
 */
export async function resumedFlags(flags: RecordingFlags, checkpointFile: string): Promise<RecordingFlags> {
  if (flags.reportDir !== undefined) return flags;
  const { readCheckpointFile } = await import('../checkpoint/store.ts');
  const { MACHINE_VERSION } = await import('../../machines/run.ts');
  try {
    const reports = readCheckpointFile(checkpointFile, MACHINE_VERSION)?.plan.reports;
    return reports === undefined ? flags : { ...flags, reportDir: path.resolve(reports) };
  } catch {
    return flags;
  }
}

export async function withRecording<T>(
  io: Io,
  flags: RecordingFlags,
  session: {
    readonly stateDir: string;
    readonly run: RunInfo;
    readonly command: string;
    readonly fresh: boolean;
    readonly cloud: {
      readonly region: string;
      readonly endpoint?: string | undefined;
      readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
    };
  },
  go: (tap: (host: Host) => Host) => Promise<T>,
): Promise<T> {
  const { openRecording } = await import('../report/session.ts');
  const recording = await openRecording({
    ...session,
    reportDir: flags.reportDir,
    web: flags.web,
    probeRate: flags.probeRate,
    line: (text) => io.line(text),
  });
  try {
    return await go((host) => recording.tap(host));
  } finally {
    await recording.finish().catch((error: unknown) => {
      io.warn(`Could not write the report: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
}
