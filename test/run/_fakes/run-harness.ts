import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Answer, Question } from '../../../src/events.ts';
import { destroyRun, type RunResult, resumeRun, startRun } from '../../../src/run/index.ts';
import { recordingHost } from '../../_support/recording-host.ts';
import { createFakeCloud, type FakeCloud, type FakeSession } from './fake-cloud.ts';
import type { FakeDelays } from './world.ts';

export const TIME_SCALE = 0.001;

type Host = ReturnType<typeof recordingHost>;
type Saved = { path: string; states: string[] };

/** How one process runs: its cloud clients, its Ctrl+C, what it sees of checkpoint writes. */
export interface ProcessOptions {
  readonly session?: FakeSession;
  readonly signal?: AbortSignal;
  readonly onCheckpoint?: (saved: Saved) => void;
  /** Replaces the recording host's answers (e.g. a person who never answers). */
  readonly ask?: Host['ask'];
}

/** The run API bound to one fake cloud and one temp state dir; `cleanup()` removes the dir. */
export function runHarness(delays: Partial<FakeDelays> = {}) {
  const cloud: FakeCloud = createFakeCloud(delays);
  const stateDir = mkdtempSync(join(tmpdir(), 'resilient-fake-run-'));
  const connection = (host: Host, p: ProcessOptions) => {
    const session = p.session ?? cloud;
    return {
      stateDir,
      host,
      aws: session.aws,
      get: session.get,
      userData: () => '#!/bin/bash\necho fake\n',
      // Documentation address (RFC 5737): the ingress offer never looks anything up on the network.
      callerIp: async () => '203.0.113.7',
      ...(p.signal === undefined ? {} : { signal: p.signal }),
      ...(p.onCheckpoint === undefined ? {} : { onCheckpoint: p.onCheckpoint }),
    };
  };
  const withHost = <T>(host: Host, promise: Promise<T>) => Object.assign(promise, { host });
  return {
    cloud,
    stateDir,
    checkpoint: (name = 'demo') => join(stateDir, `${name}.json`),
    start(
      options: ProcessOptions & { name?: string; yes?: boolean; keep?: boolean } = {},
      answer?: (q: Question) => Answer | undefined,
    ): Promise<RunResult> & { host: Host } {
      const host = recordingHost(answer);
      if (options.ask !== undefined) host.ask = options.ask;
      return withHost(
        host,
        startRun({
          ...connection(host, options),
          name: options.name ?? 'demo',
          target: 'aws',
          region: 'us-west-2',
          yes: options.yes ?? true,
          keep: options.keep ?? false,
          timeScale: TIME_SCALE,
        }),
      );
    },
    resume(
      options: ProcessOptions & { name?: string } = {},
      answer?: (q: Question) => Answer | undefined,
    ): Promise<RunResult> & { host: Host } {
      const host = recordingHost(answer);
      return withHost(host, resumeRun({ ...connection(host, options), name: options.name ?? 'demo' }));
    },
    destroy(
      options: ProcessOptions & { name?: string; fromState?: string } = {},
    ): Promise<RunResult> & { host: Host } {
      const host = recordingHost();
      return withHost(
        host,
        destroyRun({
          ...connection(host, options),
          ...(options.name === undefined ? {} : { name: options.name }),
          ...(options.fromState === undefined ? {} : { fromState: options.fromState }),
          region: 'us-west-2',
        }),
      );
    },
    cleanup: () => rmSync(stateDir, { recursive: true, force: true }),
  };
}
