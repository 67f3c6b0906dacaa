import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderJunit, testCases, xmlEscape } from '../../src/report/junit.ts';
import { syntheticRun, type TimedEvent } from '../_support/run-events.ts';
import { record } from './_fixtures/record.ts';

const state = mkdtempSync(path.join(tmpdir(), 'resilient-junit-'));
afterAll(() => rmSync(state, { recursive: true, force: true }));

const attr = (xml: string, tag: string, name: string): string | undefined =>
  new RegExp(`<${tag} [^>]*${name}="([^"]*)"`).exec(xml)?.[1];

describe('junit.xml', () => {
  it('has one passing testcase per stage of the seven, and counts that say so', () => {
    const xml = renderJunit(record(state, syntheticRun()));
    expect((xml.match(/<testcase /g) ?? []).length).toBe(7);
    expect(attr(xml, 'testsuite', 'tests')).toBe('7');
    expect(attr(xml, 'testsuite', 'failures')).toBe('0');
    expect(attr(xml, 'testsuites', 'errors')).toBe('0');
    expect(xml).toContain('name="Stage 5: Deep health checks — the stage&apos;s row holds"');
    expect(xml).not.toContain('<failure');
  });

  it('a failed stage is a failure whose message says what was seen, escaped for XML', () => {
    const xml = renderJunit(record(state, syntheticRun({ fail: 2 })));
    expect(attr(xml, 'testsuite', 'failures')).toBe('1');
    const failure = /<failure message="([^"]*)"[^>]*>([^<]*)<\/failure>/.exec(xml);
    expect(failure?.[1]).toContain('saw 502/error &lt;&amp;&gt;');
    expect(failure?.[1]).toContain('GETs: 9× 502');
    expect(failure?.[2]).toContain('saw: GETs: 9× 502');
    // Nothing unescaped between the tags.
    expect(xml.replace(/<[^>]+>/g, '')).not.toMatch(/[<>]|&(?!amp;|lt;|gt;|quot;|apos;)/);
  });

  it("an experiment's expectations and hypothesis checks are its testcases, in order, the observation not counted twice", () => {
    const events: TimedEvent[] = [
      ...syntheticRun().filter((e) => !(e.event.type === 'observation' && e.event.stage > 1)),
    ];
    const at = events.at(-1)?.at ?? 0;
    events.splice(
      events.findIndex((e) => e.event.type === 'stage') + 1,
      0,
      {
        at: at + 1,
        event: {
          type: 'expectation',
          at: at + 1,
          scope: 'hypothesis-before',
          name: 'steady <state>',
          pass: true,
          seen: '9 real',
          reasons: [],
        },
      },
      {
        at: at + 2,
        event: {
          type: 'expectation',
          at: at + 2,
          scope: 'stage',
          stage: 1,
          name: '5xx rate = 0',
          pass: false,
          seen: '3 of 9 were 502',
          reasons: ['"5xx" > 0'],
        },
      },
      {
        at: at + 3,
        event: {
          type: 'expectation',
          at: at + 3,
          scope: 'hypothesis-after',
          name: 'back to steady',
          pass: true,
          seen: '9 real',
          reasons: [],
        },
      },
    );
    const cases = testCases(record(state, events));
    expect(cases.map((c) => c.name)).toEqual([
      'Steady state before the method: steady <state>',
      'Stage 1: Initial state — 5xx rate = 0',
      'Steady state after the method: back to steady',
    ]);
    const xml = renderJunit(record(state, events));
    expect(xml).toContain('message="expected 5xx rate = 0; saw 3 of 9 were 502 — &quot;5xx&quot; &gt; 0"');
    expect(attr(xml, 'testsuite', 'tests')).toBe('3');
  });

  it('a run that failed without a failing check is an error testcase, so CI still goes red', () => {
    const events = syntheticRun().slice(0, 12);
    events.push(
      { at: 10, event: { type: 'error', code: 'TIMEOUT', message: 'Stage 2: timed out' } },
      { at: 11, event: { type: 'run-finished', outcome: 'timed-out' } },
    );
    const xml = renderJunit(record(state, events));
    expect(attr(xml, 'testsuite', 'errors')).toBe('1');
    expect(xml).toContain('<error message="the run ended timed-out: TIMEOUT: Stage 2: timed out"');
  });

  it('escapes the five XML characters and replaces characters XML cannot carry', () => {
    expect(xmlEscape(`a<b>&"c'\u0001`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;\uFFFD');
  });
});
