/** Records timed events into a journal in a temp state dir, with the recorder's clock at each event's time. */
import type { Journal } from '../../../src/report/journal.ts';
import { openRecorder } from '../../../src/report/journal.ts';
import type { TimedEvent } from '../../_support/run-events.ts';

export const RUN = { name: 'demo', target: 'local', region: 'us-west-2', timeScale: 0.05 } as const;

export function record(
  stateDir: string,
  events: readonly TimedEvent[],
  options: { command?: string; fresh?: boolean } = {},
): Journal {
  let now = events[0]?.at ?? 0;
  const recorder = openRecorder({
    stateDir,
    run: RUN,
    command: options.command ?? 'start',
    fresh: options.fresh ?? true,
    now: () => now,
  });
  for (const { at, event } of events) {
    now = at;
    recorder.record(event);
  }
  return recorder.journal();
}
