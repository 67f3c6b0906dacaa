/**
 * The requests checks' reading of a sample beyond the shares: a stage's window of samples merged into
 * one, and which selected instance an outcome must come from.
 */
import { describe, expect, it } from 'vitest';
import { merged, requestsReasons } from '../../src/drill/checks.ts';
import type { GetView } from '../../src/events.ts';
import { summarize } from '../../src/probes/batch.ts';

const sampleOf = (...gets: GetView[]) =>
  summarize(
    'p',
    0,
    1,
    gets.map((get) => ({ get, latencyMs: 1 })),
  );
const get = (kind: GetView['kind'], instanceId?: string): GetView => ({
  status: kind === 'error' ? 502 : 200,
  kind,
  instanceId,
});

describe('merged samples', () => {
  it('sum each instance’s outcomes across the window, so a continuous check still knows who answered what', () => {
    const window = merged('p', [
      sampleOf(get('real', 'i-b'), get('static', 'i-c')),
      sampleOf(get('static', 'i-c'), get('error'), get('real', 'i-a')),
    ]);
    expect(window.byInstance).toEqual({ 'i-a': { real: 1 }, 'i-b': { real: 1 }, 'i-c': { static: 2 } });
    expect(window.counts).toMatchObject({ real: 2, static: 2, '5xx': 1 });
  });

  it('of samples from a journal that had no per-instance counts give empty ones, not a failure', () => {
    const { byInstance: _, ...old } = sampleOf(get('real', 'i-a'));
    expect(merged('p', [old]).byInstance).toEqual({});
  });
});

describe('a requests check with onlyFrom', () => {
  const check = { onlyFrom: { static: 'bad' } } as const;

  it('holds when every static answer came from the selected instance, or when there was none', () => {
    const mix = sampleOf(get('real', 'i-a'), get('static', 'i-c'), get('static', 'i-c'), get('real', 'i-b'));
    expect(requestsReasons(check, mix, { bad: 'i-c' })).toEqual([]);
    expect(requestsReasons(check, sampleOf(get('real', 'i-a')), { bad: 'i-c' })).toEqual([]);
  });

  it('fails naming the selected instance, how many answers came from elsewhere, and from which', () => {
    const leak = sampleOf(
      get('static', 'i-c'),
      get('static', 'i-a'),
      get('static', 'i-a'),
      get('static', 'i-b'),
    );
    expect(requestsReasons(check, leak, { bad: 'i-c' })).toEqual([
      'static answers came from an instance other than bad (i-c): 3 of 4, from i-a (2), i-b (1)',
    ]);
  });

  it('fails while its selector has chosen no instance yet, and on a sample that does not say who answered', () => {
    const one = sampleOf(get('static', 'i-c'));
    expect(requestsReasons(check, one, {})).toEqual([
      'static answers came from an instance other than bad (not chosen yet): 1 of 1, from i-c (1)',
    ]);
    const { byInstance: _, ...old } = one;
    expect(requestsReasons(check, old, { bad: 'i-c' })).toEqual([
      'static answers: expected only from bad (i-c), but the sample does not say which instance served them',
    ]);
  });

  it('judges a merged window as a whole: one stray answer in any batch breaks it', () => {
    const window = merged('p', [
      sampleOf(get('static', 'i-c')),
      sampleOf(get('static', 'i-c'), get('static', 'i-b')),
    ]);
    expect(requestsReasons(check, window, { bad: 'i-c' })).toEqual([
      'static answers came from an instance other than bad (i-c): 1 of 3, from i-b (1)',
    ]);
  });
});
