/**
 * The run's journal: every event a run emits (actions, probe samples, health samples, expectations,
 * stages, resources), stamped with when it happened, the stage it belongs to and the part of the run
 * (a resumed run is a second part). One JSON line per entry in `<state-dir>/<name>.journal.jsonl`,
 * appended as the events happen, so `resilient watch` in another process can tail it and a run that
 * was SIGKILLed still has everything up to the kill. `--report DIR` renders `journal.json` (schema
 * `resilient.journal/1`, `resources/journal.schema.json`), `junit.xml` and `report.html` from it.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Outcome, RunEvent } from '../events.ts';

export const JOURNAL_SCHEMA = 'resilient.journal/1';

/** Events a person or CI never needs afterwards: spinner ticks. Everything else is recorded. */
const NOT_RECORDED: ReadonlySet<RunEvent['type']> = new Set(['wait-progress']);

export interface RunInfo {
  readonly name: string;
  readonly target: 'local' | 'aws';
  readonly region: string;
  readonly timeScale: number;
}

export interface JournalPart {
  readonly part: number;
  /** The command that drove this part: `start`, `resume`, `drill`, `destroy`. */
  readonly command: string;
  readonly startedAt: number;
  endedAt?: number | undefined;
  outcome?: Outcome | undefined;
}

export interface JournalEntry {
  readonly seq: number;
  readonly part: number;
  /** Epoch ms. */
  readonly at: number;
  /** The demo or experiment stage the event happened in, if any. */
  readonly stage: number | null;
  readonly event: RunEvent;
}

export interface Journal {
  readonly schema: typeof JOURNAL_SCHEMA;
  readonly run: RunInfo;
  readonly parts: JournalPart[];
  readonly entries: JournalEntry[];
}

/** A line of the state-dir log: a part header or an entry. */
type LogLine = { readonly header: JournalPart & { readonly run: RunInfo } } | JournalEntry;

export const journalLogPath = (stateDir: string, name: string): string =>
  path.join(stateDir, `${name}.journal.jsonl`);

/** The event's own time when it carries one (probes stamp their batches), else now. */
function eventTime(event: RunEvent, now: number): number {
  if ('at' in event && typeof event.at === 'number') return event.at;
  if (event.type === 'probe-sample') return event.sample.endedAt;
  return now;
}

/** Folds log lines into a journal; a torn last line (a killed writer) is skipped. */
export function parseLog(text: string): Journal | undefined {
  let run: RunInfo | undefined;
  const parts: JournalPart[] = [];
  const entries: JournalEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let parsed: LogLine;
    try {
      parsed = JSON.parse(line) as LogLine;
    } catch {
      continue;
    }
    if ('header' in parsed) {
      const { run: info, ...part } = parsed.header;
      run = info;
      parts.push({ ...part });
    } else {
      entries.push(parsed);
      const part = parts.find((p) => p.part === parsed.part);
      if (part !== undefined) {
        part.endedAt = parsed.at;
        if (parsed.event.type === 'run-finished') part.outcome = parsed.event.outcome;
      }
    }
  }
  return run === undefined ? undefined : { schema: JOURNAL_SCHEMA, run, parts, entries };
}

export function readJournalLog(file: string): Journal | undefined {
  if (!existsSync(file)) return undefined;
  return parseLog(readFileSync(file, 'utf8'));
}

export interface Recorder {
  /** Records one event (synchronously appended to the log); returns its entry, or undefined if not recorded. */
  record(event: RunEvent): JournalEntry | undefined;
  /** The journal so far: every part of the run, this one included. */
  journal(): Journal;
  readonly file: string;
}

/**
 * Opens the run's log. `fresh` (a new `start`) begins a new journal; otherwise (resume, drill,
 * destroy) this part is appended after the earlier ones.
 */
export function openRecorder(options: {
  readonly stateDir: string;
  readonly run: RunInfo;
  readonly command: string;
  readonly fresh: boolean;
  readonly now?: () => number;
}): Recorder {
  const now = options.now ?? Date.now;
  const file = journalLogPath(options.stateDir, options.run.name);
  mkdirSync(path.dirname(file), { recursive: true });
  const earlier = options.fresh ? undefined : readJournalLog(file);
  const parts: JournalPart[] = earlier?.parts ?? [];
  const entries: JournalEntry[] = earlier?.entries ?? [];
  const run = earlier?.run ?? options.run;
  let seq = entries.at(-1)?.seq ?? 0;
  let stage: number | null = null;
  const part: JournalPart = {
    part: (parts.at(-1)?.part ?? 0) + 1,
    command: options.command,
    startedAt: now(),
  };
  parts.push(part);
  const header = `${JSON.stringify({ header: { ...part, run } })}\n`;
  if (options.fresh || earlier === undefined) writeFileSync(file, header);
  else appendFileSync(file, header);

  return {
    file,
    record(event) {
      if (NOT_RECORDED.has(event.type)) return undefined;
      if (event.type === 'stage') stage = event.stage;
      else if (event.type === 'phase' && event.phase !== 'demo') stage = null;
      const at = eventTime(event, now());
      const own = 'stage' in event && typeof event.stage === 'number' ? event.stage : stage;
      const entry: JournalEntry = { seq: ++seq, part: part.part, at, stage: own, event };
      entries.push(entry);
      part.endedAt = at;
      if (event.type === 'run-finished') part.outcome = event.outcome;
      try {
        appendFileSync(file, `${JSON.stringify(entry)}\n`);
      } catch {
        // The journal must never break the run it records (a full disk, a removed state dir).
      }
      return entry;
    },
    journal: () => ({ schema: JOURNAL_SCHEMA, run, parts, entries }),
  };
}
