/**
 * The requests checks' reading of a sample beyond the shares: a stage's window of samples merged into
 * one, and which selected instance an outcome must come from.
 */
import { describe, expect, it } from 'vitest';
import { merged } from '../../src/drill/checks.ts';
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
