/**
 * What the live page is fed: the run's journal entries as they happen, the run's identity, and
 * whether the cloud answers. Pages subscribe (one listener per open tab, removed when it closes);
 * the history is bounded, so a page opened late still draws the last minutes and the whole log.
 */

import type { RunInfo } from '../report/journal.ts';
import type { ViewEntry } from '../report/view.js';
import type { CloudStatus } from './monitor.ts';

export type FeedMessage =
  | { readonly kind: 'entry'; readonly entry: ViewEntry }
  | { readonly kind: 'reset' }
  | { readonly kind: 'run'; readonly run: RunInfo }
  | { readonly kind: 'cloud'; readonly status: CloudStatus };

export interface Feed {
  push(entry: ViewEntry): void;
  setRun(run: RunInfo): void;
  setCloud(status: CloudStatus): void;
  /** A new run under the same name began: pages start over. */
  reset(): void;
  /** What a page that connects now is sent first. */
  snapshot(): { run: RunInfo | undefined; cloud: CloudStatus; entries: readonly ViewEntry[] };
  subscribe(listener: (message: FeedMessage) => void): () => void;
  readonly subscribers: number;
}

/** Enough for hours of a run at a few probe samples per second. */
const MAX_HISTORY = 50_000;

export function createFeed(): Feed {
  let entries: ViewEntry[] = [];
  let run: RunInfo | undefined;
  let cloud: CloudStatus = { reachable: true, detail: '' };
  const listeners = new Set<(message: FeedMessage) => void>();
  const send = (message: FeedMessage) => {
    for (const l of listeners) l(message);
  };
  return {
    push(entry) {
      entries.push(entry);
      if (entries.length > MAX_HISTORY) entries = entries.slice(-Math.floor(MAX_HISTORY * 0.9));
      send({ kind: 'entry', entry });
    },
    setRun(next) {
      run = next;
      send({ kind: 'run', run: next });
    },
    setCloud(status) {
      cloud = status;
      send({ kind: 'cloud', status });
    },
    reset() {
      entries = [];
      send({ kind: 'reset' });
    },
    snapshot: () => ({ run, cloud, entries }),
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    get subscribers() {
      return listeners.size;
    },
  };
}
