import { describe, expect, it } from 'vitest';
import {
  applyEntry,
  createModel,
  lifecycleOf,
  modelOf,
  perSecond,
  renderApp,
} from '../../src/report/view.js';
import { syntheticJournal } from '../_support/run-events.ts';

const journal = syntheticJournal;

describe('the shared view (live page and report.html)', () => {
  it('folds the stream into stages with what they changed and their verdicts, targets with their history, instances with their lifecycle', () => {
    const model = modelOf(journal());
    expect([...model.stages.keys()]).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(model.stages.get(2)?.changes).toEqual(['set-parameter: stage 2 <change> & "quotes"']);
    expect(model.stages.get(5)?.verdict?.pass).toBe(true);
    const bad = model.targets.get('i-0a1b2c3d4e5f60718');
    expect(bad?.history.map((h) => h.state)).toEqual(['healthy', 'unhealthy', 'draining', 'absent']);
    expect(lifecycleOf(model, 'i-0a1b2c3d4e5f60718')).toBe('terminated');
    expect(lifecycleOf(model, 'i-3d4e5f60718293041')).toBe('in service');
  });

  it('counts requests per second by outcome from the monitor only when it ran', () => {
    const model = modelOf(journal());
    const all = [...perSecond(model, 0, Number.MAX_SAFE_INTEGER).values()];
    const total = (o: 'real' | 'static' | '5xx') => all.reduce((n, b) => n + b[o], 0);
    // 6 monitor samples of 3 GETs per stage; the observations' 9 GETs are not counted on top.
    expect(total('5xx')).toBe(18);
    expect(total('static')).toBe(18 + 18 + 6);
  });

  it('renders the timeline with stage boundaries, bars and health lanes, escaping what it shows', () => {
    const html = renderApp(modelOf(journal()));
    expect((html.match(/class="stage-boundary"/g) ?? []).length).toBe(7);
    expect(html).toContain('data-outcome="5xx"');
    expect(html).toContain('data-state="unhealthy"');
    expect(html).toContain('stage 2 &lt;change&gt; &amp; &quot;quotes&quot;');
    expect(html).not.toContain('<change>');
  });

  it('the live page shows the current stage, and says when the cloud cannot be reached', () => {
    const model = createModel();
    for (const e of journal().entries.slice(0, 30)) applyEntry(model, e);
    model.cloud = { reachable: false, detail: 'connect ECONNREFUSED 127.0.0.1:4566' };
    const html = renderApp(model, { live: true, now: model.last ?? 0 });
    expect(html).toMatch(/id="current-stage" data-stage="\d"/);
    expect(html).toContain('cloud unreachable: connect ECONNREFUSED 127.0.0.1:4566');
    model.cloud = { reachable: true, detail: '' };
    expect(renderApp(model, { live: true })).toContain('cloud reachable');
  });
});
