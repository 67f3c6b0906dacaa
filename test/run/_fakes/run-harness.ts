import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Answer, Question } from '../../../src/events.ts';
import { destroyRun, type RunResult, resumeRun, startRun } from '../../../src/run/index.ts';
import { recordingHost } from '../_host.ts';
import { createFakeCloud, type FakeCloud } from './fake-cloud.ts';
import type { FakeDelays } from './world.ts';

export const TIME_SCALE = 0.001;

/** A run API bound to one fake cloud and one temp state dir; `cleanup()` removes the dir. */
export function runHarness(delays: Partial<FakeDelays> = {}) {
  const cloud: FakeCloud = createFakeCloud(delays);
  const stateDir = mkdtempSync(join(tmpdir(), 'resilient-fake-run-'));
  const connection = (host: ReturnType<typeof recordingHost>, signal?: AbortSignal) => ({
    stateDir,
    host,
    aws: cloud.aws,
    get: cloud.get,
    userData: () => '#!/bin/bash\necho fake\n',
    ...(signal === undefined ? {} : { signal }),
  });
  return {
    cloud,
    stateDir,
    checkpoint: (name = 'demo') => join(stateDir, `${name}.json`),
    start(
      options: { name?: string; yes?: boolean; keep?: boolean; signal?: AbortSignal } = {},
      answer?: (q: Question) => Answer | undefined,
    ): Promise<RunResult> & { host: ReturnType<typeof recordingHost> } {
      const host = recordingHost(answer);
      const promise = startRun({
        ...connection(host, options.signal),
        name: options.name ?? 'demo',
        target: 'aws',
        region: 'us-west-2',
        yes: options.yes ?? true,
        keep: options.keep ?? false,
        timeScale: TIME_SCALE,
      });
      return Object.assign(promise, { host });
    },
    resume(name = 'demo', signal?: AbortSignal) {
      const host = recordingHost();
      return Object.assign(resumeRun({ ...connection(host, signal), name }), { host });
    },
    destroy(options: { name?: string; fromState?: string; signal?: AbortSignal } = {}) {
      const host = recordingHost();
      return Object.assign(
        destroyRun({
          ...connection(host, options.signal),
          ...(options.name === undefined ? {} : { name: options.name }),
          ...(options.fromState === undefined ? {} : { fromState: options.fromState }),
          region: 'us-west-2',
        }),
        { host },
      );
    },
    cleanup: () => rmSync(stateDir, { recursive: true, force: true }),
  };
}
