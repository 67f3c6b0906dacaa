// The run's model, shared by the live page and report.html (see view.js): `createModel` and
// `applyEntry` fold journal entries (src/report/journal.ts) into a model, and the helpers below read it
// (requests per second, an instance's lifecycle, a stage's verdict). Plain JavaScript with no imports
// and no DOM access. Types: view.d.ts.

/** @typedef {import('./view.d.ts').ViewModel} ViewModel */

export const OUTCOMES = ['real', 'static', '5xx', 'other', 'transport'];
export const OUTCOME_LABELS = {
  real: 'real item',
  static: 'static item',
  '5xx': '5xx',
  other: 'other status',
  transport: 'transport error',
};
export const OUTCOME_COLORS = {
  real: '#2e9d5b',
  static: '#3d7bd9',
  '5xx': '#d64545',
  other: '#e39b2d',
  transport: '#7d7d7d',
};
export const HEALTH_COLORS = {
  healthy: '#2e9d5b',
  unhealthy: '#d64545',
  draining: '#e39b2d',
  initial: '#9fb7d9',
  unused: '#c9c9c9',
  unavailable: '#8a2f2f',
  absent: 'transparent',
};
/** The probe the live view and `--report` run through the load balancer (marked on every request). */
export const MONITOR_PROBE = 'watch';

const esc = (value) =>
  String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');

export const escapeHtml = esc;

export const clock = (ms) => new Date(ms).toISOString().slice(11, 19);

/** @returns {ViewModel} */
export function createModel() {
  return {
    run: null,
    phase: null,
    outcome: null,
    endpoint: null,
    experiment: null,
    stages: new Map(),
    current: null,
    samples: [],
    targets: new Map(),
    instances: new Map(),
    hypotheses: [],
    log: [],
    first: null,
    last: null,
    cloud: { reachable: true, detail: '' },
  };
}

const emptyCounts = () => ({ real: 0, static: 0, '5xx': 0, other: 0, transport: 0 });

/** An observation (the built-in verification's last batch) as probe counts. */
export function observationCounts(event) {
  const counts = emptyCounts();
  for (const [status, n] of Object.entries(event.statusCounts ?? {})) {
    const code = Number(status);
    if (code === 0) counts.transport += n;
    else if (code >= 500) counts['5xx'] += n;
    else if (code !== 200) counts.other += n;
  }
  counts.real = event.kinds?.real ?? 0;
  counts.static = event.kinds?.static ?? 0;
  const errors200 = (event.kinds?.error ?? 0) - counts.transport - counts['5xx'] - counts.other;
  if (errors200 > 0) counts.other += errors200;
  return counts;
}

/** What an observation saw, in words (the JUnit failure message and the report say the same). */
export function describeObservation(event) {
  const gets = Object.entries(event.statusCounts ?? {})
    .map(([s, n]) => `${n}× ${s === '0' ? 'no answer' : s}`)
    .join(', ');
  const kinds = Object.entries(event.kinds ?? {})
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  const targets = (event.targets ?? [])
    .map((t) => `${t.id} ${t.state}${t.reason ? ` (${t.reason})` : ''}`)
    .join('; ');
  return `GETs: ${gets || 'none'} [${kinds || 'none'}] from ${(event.instances ?? []).length} instance(s) in ${(event.zones ?? []).length} zone(s); targets: ${targets || 'none'}`;
}

function stageOf(model, n, at) {
  let s = model.stages.get(n);
  if (s === undefined) {
    s = {
      stage: n,
      title: `Stage ${n}`,
      text: '',
      startedAt: at,
      endedAt: null,
      changes: [],
      notes: [],
      expectations: [],
    };
    model.stages.set(n, s);
  }
  return s;
}

function setTargets(model, targets, at) {
  const seen = new Set();
  for (const t of targets) {
    seen.add(t.id);
    let row = model.targets.get(t.id);
    if (row === undefined) {
      row = { id: t.id, port: t.port, state: null, reason: null, description: null, history: [] };
      model.targets.set(t.id, row);
    }
    const reason = t.reason ?? null;
    if (row.state !== t.state || row.reason !== reason) row.history.push({ at, state: t.state, reason });
    row.state = t.state;
    row.reason = reason;
    row.description = t.description ?? null;
  }
  for (const row of model.targets.values()) {
    if (!seen.has(row.id) && row.state !== 'absent') {
      row.history.push({ at, state: 'absent', reason: null });
      row.state = 'absent';
      row.reason = null;
      row.description = null;
    }
  }
}

function setInstances(model, instances, at) {
  const seen = new Set();
  for (const i of instances) {
    seen.add(i.id);
    let row = model.instances.get(i.id);
    if (row === undefined) {
      row = { id: i.id, zone: i.zone ?? null, lifecycle: null, since: at };
      model.instances.set(i.id, row);
    }
    if (row.lifecycle !== i.lifecycle) row.since = at;
    row.lifecycle = i.lifecycle;
    if (i.zone) row.zone = i.zone;
  }
  for (const row of model.instances.values()) {
    if (!seen.has(row.id) && row.lifecycle !== 'Terminated') {
      row.lifecycle = 'Terminated';
      row.since = at;
    }
  }
}

function pushLog(model, at, stage, kind, text, ok) {
  model.log.push({ at, stage, kind, text, ok });
}

/** Folds one journal entry (`{ seq, part, at, stage, event }`) into the model. */
export function applyEntry(model, entry) {
  const { at, event } = entry;
  const stage = entry.stage ?? null;
  if (model.first === null || at < model.first) model.first = at;
  if (model.last === null || at > model.last) model.last = at;
  switch (event.type) {
    case 'phase':
      model.phase = event.phase;
      if (event.phase !== 'demo' && model.current !== null) {
        const s = model.stages.get(model.current);
        if (s && s.endedAt === null) s.endedAt = at;
      }
      pushLog(model, at, stage, 'phase', `${event.phase} begins`, true);
      break;
    case 'stage': {
      const previous = model.current === null ? undefined : model.stages.get(model.current);
      if (previous && previous.stage !== event.stage && previous.endedAt === null) previous.endedAt = at;
      const s = stageOf(model, event.stage, at);
      s.title = event.title;
      s.text = event.text;
      s.startedAt = at;
      s.endedAt = null;
      model.current = event.stage;
      pushLog(model, at, event.stage, 'stage', `Stage ${event.stage}: ${event.title}`, true);
      break;
    }
    case 'experiment':
      model.experiment = { title: event.title, outcome: event.outcome ?? null };
      for (const st of event.stages ?? []) {
        const s = model.stages.get(st.stage);
        if (s === undefined) {
          model.stages.set(st.stage, {
            stage: st.stage,
            title: st.title,
            text: '',
            startedAt: null,
            endedAt: null,
            changes: [],
            notes: [],
            expectations: [],
          });
        }
      }
      pushLog(
        model,
        at,
        stage,
        'experiment',
        `${event.title} ${event.phase}${event.outcome ? `: ${event.outcome}` : ''}`,
        event.outcome !== 'failed' && event.outcome !== 'aborted',
      );
      break;
    case 'endpoint':
      model.endpoint = event.url;
      break;
    case 'action': {
      const text = `${event.phase === 'rollback' ? 'rollback ' : ''}${event.action}: ${event.detail}${event.outcome === 'failed' ? ` (failed: ${event.error ?? ''})` : ''}`;
      if (stage !== null && event.phase === 'method') stageOf(model, stage, at).changes.push(text);
      pushLog(model, at, stage, 'action', text, event.outcome === 'done');
      break;
    }
    case 'info':
      // The demo says what it changes in words ("Setting parameter … to …"); an experiment's actions
      // say it as `action` events. Either is what the stage changed.
      if (stage !== null && model.phase === 'demo') stageOf(model, stage, at).notes.push(event.message);
      pushLog(model, at, stage, 'info', event.message, true);
      break;
    case 'warning':
      pushLog(model, at, stage, 'warning', event.message, false);
      break;
    case 'error':
      pushLog(model, at, stage, 'error', `${event.code}: ${event.message}`, false);
      break;
    case 'resource':
      pushLog(model, at, stage, 'resource', `${event.action} ${event.kind} ${event.name}`, true);
      break;
    case 'probe-sample':
      model.samples.push({
        probe: event.sample.probe,
        startedAt: event.sample.startedAt,
        endedAt: event.sample.endedAt,
        counts: event.sample.counts,
        latencyMs: event.sample.latencyMs,
      });
      break;
    case 'observation': {
      model.samples.push({
        probe: 'observation',
        startedAt: at,
        endedAt: at,
        counts: observationCounts(event),
      });
      setTargets(model, event.targets ?? [], at);
      const s = stageOf(model, event.stage, at);
      s.verdict = { pass: event.pass, seen: describeObservation(event), reasons: [...(event.reasons ?? [])] };
      pushLog(
        model,
        at,
        event.stage,
        'verdict',
        `Stage ${event.stage}: ${event.pass ? 'PASS' : 'FAIL'}`,
        event.pass,
      );
      break;
    }
    case 'expectation': {
      const item = {
        name: event.name,
        pass: event.pass,
        seen: event.seen,
        reasons: [...(event.reasons ?? [])],
        at,
      };
      if (event.scope === 'stage' && event.stage !== undefined)
        stageOf(model, event.stage, at).expectations.push(item);
      else model.hypotheses.push({ ...item, scope: event.scope });
      // The built-in stages' one expectation is the stage's verdict, already logged by its observation.
      const logged =
        event.stage !== undefined &&
        event.name.startsWith(`Stage ${event.stage}:`) &&
        model.stages.get(event.stage)?.verdict !== undefined;
      if (!logged)
        pushLog(
          model,
          at,
          event.stage ?? stage,
          'expectation',
          `${event.name}: ${event.pass ? 'PASS' : 'FAIL'}`,
          event.pass,
        );
      break;
    }
    case 'stop-condition':
      pushLog(model, at, stage, 'stop', `stop condition ${event.name}: ${event.seen}`, false);
      break;
    case 'target-health':
      setTargets(model, event.targets, at);
      break;
    case 'health-sample':
      setTargets(model, event.targets, event.at ?? at);
      if (event.instances) setInstances(model, event.instances, event.at ?? at);
      break;
    case 'run-finished': {
      model.outcome = event.outcome;
      const s = model.current === null ? undefined : model.stages.get(model.current);
      if (s && s.endedAt === null) s.endedAt = at;
      pushLog(
        model,
        at,
        stage,
        'finished',
        `run ${event.outcome}`,
        event.outcome === 'succeeded' || event.outcome === 'kept',
      );
      break;
    }
    default:
      break;
  }
}

/** Folds a whole journal (`{ run, entries }`) into a model. */
export function modelOf(journal) {
  const model = createModel();
  model.run = journal.run ?? null;
  for (const entry of journal.entries ?? []) applyEntry(model, entry);
  return model;
}

/** The stage a verdict is known for: its observation, or all its expectations. */
export function stageVerdict(s) {
  if (s.expectations.length > 0) return s.expectations.every((e) => e.pass);
  return s.verdict ? s.verdict.pass : null;
}

/** The samples the chart counts: the steady monitor when it ran, otherwise every probe. */
function chartedSamples(model) {
  const monitor = model.samples.filter((s) => s.probe === MONITOR_PROBE);
  return monitor.length > 0 ? monitor : model.samples;
}

/** Requests per second by outcome, for every second in [from, to). */
export function perSecond(model, from, to) {
  const buckets = new Map();
  for (const s of chartedSamples(model)) {
    const sec = Math.floor(s.startedAt / 1000);
    if (sec * 1000 < from - 1000 || sec * 1000 >= to) continue;
    const b = buckets.get(sec) ?? emptyCounts();
    for (const o of OUTCOMES) b[o] += s.counts[o] ?? 0;
    buckets.set(sec, b);
  }
  return buckets;
}

/** Instance lifecycle as a person reads it: launching, in service, draining, terminated. */
export function lifecycleOf(model, id) {
  const inst = model.instances.get(id);
  const target = model.targets.get(id);
  const ls = inst?.lifecycle ?? null;
  if (ls === 'Terminated' || (ls === null && target?.state === 'absent')) return 'terminated';
  if (target?.state === 'draining') return 'draining';
  if (ls !== null && /^(Terminating|Detach|Standby|Warmed)/.test(ls)) return 'draining';
  if (ls?.startsWith('Pending')) return 'launching';
  if (ls === null && (target?.state === 'initial' || target === undefined)) return 'launching';
  return 'in service';
}
