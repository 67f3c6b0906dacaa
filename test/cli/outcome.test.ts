import { describe, expect, it } from 'vitest';
import { outcomeError } from '../../src/cli/outcome.ts';
import { exitCodeOf } from '../../src/errors.ts';
import type { RunResult } from '../../src/run/index.ts';

const base = { name: 'demo', checkpoint: '/tmp/state/demo.json' } as const;
const destroyed = { outcome: 'succeeded', errors: {}, leftovers: [] } as const;

describe('run outcome → error and exit code', () => {
  it('success and --keep are not errors (exit 0)', () => {
    expect(outcomeError({ ...base, outcome: 'succeeded' })).toBeUndefined();
    expect(outcomeError({ ...base, outcome: 'kept' })).toBeUndefined();
  });

  it('an interrupted run exits 130 and says how to resume or destroy', () => {
    const e = outcomeError({ ...base, outcome: 'interrupted' });
    expect(e?.code).toBe('INTERRUPTED');
    expect(exitCodeOf(e)).toBe(130);
    expect(e?.hint).toContain('resilient resume --name demo');
    expect(e?.hint).toContain('resilient destroy --name demo');
  });

  it('a refused preflight is the user’s to fix and says nothing was created', () => {
    const result: RunResult = {
      ...base,
      outcome: 'failed',
      output: {
        outcome: 'failed',
        deploy: {
          outcome: 'failed',
          facts: {},
          failedStep: 'preflight',
          error: 'Region us-west-2 has no default VPC.',
        },
        destroy: destroyed,
      },
    };
    const e = outcomeError(result);
    expect(e?.code).toBe('PRECONDITION');
    expect(e?.message).toContain('no default VPC');
    expect(e?.hint).toContain('nothing was created');
    expect(exitCodeOf(e)).toBe(1);
  });

  it('a stage that did not behave is VERIFICATION naming the stage (exit 1)', () => {
    const result: RunResult = {
      ...base,
      outcome: 'failed',
      output: {
        outcome: 'failed',
        demo: {
          outcome: 'failed',
          facts: {},
          results: [
            { stage: 1, title: 'Initial state', pass: true, reasons: [] },
            { stage: 2, title: 'Broken dependency', pass: false, reasons: ['expected 502, saw 200'] },
          ],
        },
        destroy: destroyed,
      },
    };
    const e = outcomeError(result);
    expect(e?.code).toBe('VERIFICATION');
    expect(e?.message).toBe('Stage 2 did not behave as expected.');
    expect(exitCodeOf(e)).toBe(1);
  });

  it('a destroy that left something names it and says destroy is safe to repeat', () => {
    const e = outcomeError({
      ...base,
      outcome: 'failed',
      destroy: {
        outcome: 'failed',
        errors: { deletingGroup: 'AccessDenied' },
        leftovers: ['group resilient-demo-group'],
      },
    });
    expect(e?.code).toBe('CLOUD');
    expect(e?.message).toContain('group resilient-demo-group');
    expect(e?.message).toContain('deletingGroup: AccessDenied');
    expect(e?.hint).toContain('resilient destroy --name demo');
  });
});
