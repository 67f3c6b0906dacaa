/**
 * Follows a run's journal log (`<state-dir>/<name>.journal.jsonl`) as another process appends to it:
 * complete lines only (a line being written is read on the next poll), and a log that starts over
 * (a new `start` under the same name) resets the page. Polling a file a few times per second costs
 * nothing and works on every file system, unlike change notifications.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { JournalEntry, JournalPart, RunInfo } from '../report/journal.ts';

export interface TailHandlers {
  header(part: JournalPart, run: RunInfo): void;
  entry(entry: JournalEntry): void;
  /** The file was truncated or replaced: everything read so far is void. */
  reset(): void;
}

export interface Tail {
  /** Reads what was appended since the last poll (also called by the timer). */
  poll(): void;
  stop(): void;
}

export function tailJournal(file: string, handlers: TailHandlers, intervalMs = 250): Tail {
  let offset = 0;
  let ino: number | undefined;
  let partial = '';
  const poll = () => {
    let size: number;
    try {
      const st = statSync(file);
      size = st.size;
      if (ino !== undefined && st.ino !== ino) offset = size + 1;
      ino = st.ino;
    } catch {
      return;
    }
    if (size < offset) {
      offset = 0;
      partial = '';
      handlers.reset();
    }
    if (size === offset) return;
    const fd = openSync(file, 'r');
    try {
      const buffer = Buffer.alloc(Math.min(size - offset, 8 * 1024 * 1024));
      const n = readSync(fd, buffer, 0, buffer.length, offset);
      offset += n;
      const text = partial + buffer.subarray(0, n).toString('utf8');
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (line.trim() === '') continue;
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          continue;
        }
        if (typeof parsed !== 'object' || parsed === null) continue;
        if ('header' in parsed) {
          const { run, ...part } = (parsed as { header: JournalPart & { run: RunInfo } }).header;
          handlers.header(part, run);
        } else if ('event' in parsed) handlers.entry(parsed as JournalEntry);
      }
    } finally {
      closeSync(fd);
    }
  };
  const timer = setInterval(poll, intervalMs);
  timer.unref();
  return {
    poll,
    stop: () => clearInterval(timer),
  };
}
