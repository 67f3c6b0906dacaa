/**
 * junit.xml from a journal: one testcase per steady-state hypothesis check and per stage expectation
 * (an experiment's `expectation` events; for the built-in seven stages, each stage's `observation`
 * verdict), with what was seen in every failure message, in the JUnit XML that CI systems read
 * (GitHub, GitLab, Jenkins: testsuites > testsuite > testcase > failure).
 */
import type { RunEvent } from '../events.ts';
import type { Journal } from './journal.ts';
import { describeObservation } from './view.js';

type Observation = Extract<RunEvent, { type: 'observation' }>;

export interface TestCase {
  readonly classname: string;
  readonly name: string;
  readonly timeSec: number;
  readonly failure?: { readonly message: string; readonly details: string } | undefined;
  readonly error?: { readonly message: string; readonly details: string } | undefined;
}

/** XML 1.0 text: the five entities, and no control characters XML cannot carry at all. */
export function xmlEscape(value: string): string {
  return value
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

export function testCases(journal: Journal): TestCase[] {
  const suite = `resilient.${journal.run.name}`;
  const titles = new Map<number, string>();
  const started = new Map<number, number>();
  const expectations = new Map<string, TestCase>();
  const observations = new Map<number, TestCase>();
  const withExpectations = new Set<number>();
  const hypotheses: TestCase[] = [];
  for (const { at, event } of journal.entries) {
    if (event.type === 'stage') {
      titles.set(event.stage, event.title);
      started.set(event.stage, at);
    } else if (event.type === 'experiment') {
      for (const s of event.stages) if (!titles.has(s.stage)) titles.set(s.stage, s.title);
    } else if (event.type === 'observation') {
      observations.set(event.stage, observationCase(suite, event, titles, started, at));
    } else if (event.type === 'expectation') {
      const seen = [event.seen, ...event.reasons].filter((s) => s !== '').join(' — ');
      const base = {
        timeSec: 0,
        ...(event.pass ? {} : { failure: { message: `expected ${event.name}; saw ${seen}`, details: seen } }),
      };
      if (event.scope === 'stage' && event.stage !== undefined) {
        withExpectations.add(event.stage);
        const title = titles.get(event.stage) ?? `Stage ${event.stage}`;
        const timeSec = Math.max(0, (at - (started.get(event.stage) ?? at)) / 1000);
        // A resumed stage is checked again: the last check of an expectation is its verdict.
        expectations.set(`${event.stage}\u0000${event.name}`, {
          ...base,
          timeSec,
          classname: `${suite}.stage${event.stage}`,
          // The built-in stages name their one expectation after the stage itself.
          name: event.name.startsWith(`Stage ${event.stage}:`)
            ? event.name
            : `Stage ${event.stage}: ${title} — ${event.name}`,
        });
      } else {
        const when = event.scope === 'hypothesis-before' ? 'before the method' : 'after the method';
        hypotheses.push({
          ...base,
          classname: `${suite}.hypothesis`,
          name: `Steady state ${when}: ${event.name}`,
        });
      }
    }
  }
  const stageCases = [
    ...[...expectations.entries()].map(([key, c]) => ({ stage: Number(key.split('\u0000')[0]), c })),
    ...[...observations.entries()]
      .filter(([stage]) => !withExpectations.has(stage))
      .map(([stage, c]) => ({ stage, c })),
  ]
    .sort((a, b) => a.stage - b.stage)
    .map((x) => x.c);
  const before = hypotheses.filter((h) => h.name.includes('before'));
  const after = hypotheses.filter((h) => !h.name.includes('before'));
  return [...before, ...stageCases, ...after];
}

function observationCase(
  suite: string,
  event: Observation,
  titles: Map<number, string>,
  started: Map<number, number>,
  at: number,
): TestCase {
  const title = titles.get(event.stage) ?? `Stage ${event.stage}`;
  const seen = describeObservation(event);
  return {
    classname: `${suite}.stage${event.stage}`,
    name: `Stage ${event.stage}: ${title} — the stage's row holds`,
    timeSec: Math.max(0, (at - (started.get(event.stage) ?? at)) / 1000),
    ...(event.pass
      ? {}
      : {
          failure: {
            message: `${event.reasons.join('; ') || 'the row did not hold'}; saw ${seen}`,
            details: [...event.reasons, `saw: ${seen}`].join('\n'),
          },
        }),
  };
}

/** A run that failed or stopped without a failing check still fails in CI: one error testcase says why. */
function runCase(journal: Journal, cases: readonly TestCase[]): TestCase | undefined {
  const last = journal.parts.at(-1);
  const outcome = last?.outcome;
  if (outcome === 'succeeded' || outcome === 'kept') return undefined;
  if (cases.some((c) => c.failure !== undefined)) return undefined;
  const errors = journal.entries.flatMap((e) =>
    e.event.type === 'error' ? [`${e.event.code}: ${e.event.message}`] : [],
  );
  const message =
    outcome === undefined
      ? 'the run did not finish'
      : `the run ended ${outcome}${errors.length ? `: ${errors.at(-1)}` : ''}`;
  return {
    classname: `resilient.${journal.run.name}.run`,
    name: 'The run completes',
    timeSec: 0,
    error: { message, details: errors.join('\n') || message },
  };
}

export function renderJunit(journal: Journal): string {
  const cases = testCases(journal);
  const extra = runCase(journal, cases);
  const all = extra === undefined ? cases : [...cases, extra];
  const failures = all.filter((c) => c.failure !== undefined).length;
  const errors = all.filter((c) => c.error !== undefined).length;
  const first = journal.parts[0]?.startedAt ?? Date.now();
  const last = journal.parts.at(-1)?.endedAt ?? first;
  const time = ((last - first) / 1000).toFixed(3);
  const suiteName = `resilient ${journal.run.name} (${journal.run.target}${journal.run.target === 'local' ? '' : ` ${journal.run.region}`})`;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="resilient" tests="${all.length}" failures="${failures}" errors="${errors}" time="${time}">`,
    `  <testsuite name="${xmlEscape(suiteName)}" tests="${all.length}" failures="${failures}" errors="${errors}" skipped="0" time="${time}" timestamp="${new Date(first).toISOString().slice(0, 19)}">`,
  ];
  for (const c of all) {
    const head = `    <testcase classname="${xmlEscape(c.classname)}" name="${xmlEscape(c.name)}" time="${c.timeSec.toFixed(3)}"`;
    const body = c.failure ?? c.error;
    if (body === undefined) {
      lines.push(`${head}/>`);
      continue;
    }
    const tag = c.failure !== undefined ? 'failure' : 'error';
    lines.push(
      `${head}>`,
      `      <${tag} message="${xmlEscape(body.message)}" type="${tag === 'failure' ? 'ExpectationFailed' : 'RunFailed'}">${xmlEscape(body.details)}</${tag}>`,
      '    </testcase>',
    );
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}
