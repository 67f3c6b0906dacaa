import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterEach, describe, expect, it } from 'vitest';
import { JOURNAL_SCHEMA, journalLogPath, readJournalLog } from '../../src/report/journal.ts';
import { writeReports } from '../../src/report/write.ts';
import { syntheticRun } from '../_support/run-events.ts';
import { record } from './_fixtures/record.ts';

const schema = JSON.parse(
  readFileSync(new URL('../../resources/journal.schema.json', import.meta.url), 'utf8'),
);
const validate = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
const dirs: string[] = [];
const temp = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'resilient-journal-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the run journal', () => {
  it('records every action and probe sample with its time, stage and outcome, valid against the shipped schema', () => {
    const state = temp();
    const journal = record(state, syntheticRun({ withActions: true }));
    expect(journal.schema).toBe(JOURNAL_SCHEMA);
    const actions = journal.entries.filter((e) => e.event.type === 'action');
    const samples = journal.entries.filter((e) => e.event.type === 'probe-sample');
    expect(actions).toHaveLength(7);
    expect(samples).toHaveLength(42);
    expect(actions.map((a) => a.stage)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    for (const s of samples) expect(s.at).toBe((s.event as { sample: { endedAt: number } }).sample.endedAt);
    // Entries outside the demo carry no stage.
    expect(journal.entries.find((e) => e.event.type === 'resource')?.stage).toBeNull();
    expect(journal.parts).toEqual([
      expect.objectContaining({ part: 1, command: 'start', outcome: 'succeeded' }),
    ]);

    const out = temp();
    writeReports(out, journal);
    const written = JSON.parse(readFileSync(path.join(out, 'journal.json'), 'utf8'));
    const ok = validate(written);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema refuses what is not a journal: a wrong version, a sample without counts, an action of no phase', () => {
    const journal = JSON.parse(JSON.stringify(record(temp(), syntheticRun({ withActions: true }))));
    expect(validate({ ...journal, schema: 'resilient.journal/2' })).toBe(false);
    const broken = structuredClone(journal);
    delete broken.entries.find((e: { event: { type: string } }) => e.event.type === 'probe-sample').event
      .sample.counts;
    expect(validate(broken)).toBe(false);
    const badAction = structuredClone(journal);
    badAction.entries.find((e: { event: { type: string } }) => e.event.type === 'action').event.phase =
      'sometime';
    expect(validate(badAction)).toBe(false);
  });

  it('a sample may say which instance answered what (byInstance), by outcome only, and older samples without it stay valid', () => {
    const journal = JSON.parse(JSON.stringify(record(temp(), syntheticRun({ withActions: true }))));
    const sampleOf = (j: { entries: { event: { type: string; sample?: Record<string, unknown> } }[] }) =>
      j.entries.find((e) => e.event.type === 'probe-sample')?.event.sample as Record<string, unknown>;
    expect(validate(journal)).toBe(true);
    const withCounts = structuredClone(journal);
    sampleOf(withCounts).byInstance = { 'i-a': { real: 2 }, 'i-c': { static: 1 } };
    expect(validate(withCounts)).toBe(true);
    const unknownOutcome = structuredClone(journal);
    sampleOf(unknownOutcome).byInstance = { 'i-a': { teapot: 1 } };
    expect(validate(unknownOutcome)).toBe(false);
  });

  it('a resumed run appends a second part to the journal of its first, numbering on', () => {
    const state = temp();
    const events = syntheticRun();
    const cut = events.findIndex((e) => e.event.type === 'stage' && e.event.stage === 4);
    record(state, events.slice(0, cut));
    // The first part was killed: its log simply stops (here mid-line, as a SIGKILL can leave it).
    appendFileSync(journalLogPath(state, 'demo'), '{"seq":99,"part":1,"at":');
    const resumed = record(state, events.slice(cut), { command: 'resume', fresh: false });
    expect(resumed.parts.map((p) => [p.part, p.command])).toEqual([
      [1, 'start'],
      [2, 'resume'],
    ]);
    expect(resumed.entries.map((e) => e.seq)).toEqual(resumed.entries.map((_, i) => i + 1));
    expect(resumed.entries.filter((e) => e.event.type === 'observation')).toHaveLength(7);
    expect(readJournalLog(journalLogPath(state, 'demo'))?.entries).toHaveLength(resumed.entries.length);
    expect(validate(JSON.parse(JSON.stringify(resumed)))).toBe(true);
  });

  it('a new start under the same name begins a new journal', () => {
    const state = temp();
    record(state, syntheticRun());
    const again = record(state, syntheticRun().slice(0, 5));
    expect(again.parts).toHaveLength(1);
    expect(again.entries).toHaveLength(5);
  });

  it('spinner ticks are not recorded', () => {
    const journal = record(temp(), [
      { at: 1, event: { type: 'wait-progress', what: 'x', deadline: 2, detail: '' } },
      { at: 2, event: { type: 'info', message: 'kept' } },
    ]);
    expect(journal.entries.map((e) => e.event.type)).toEqual(['info']);
  });
});
