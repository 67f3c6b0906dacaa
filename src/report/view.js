// The one view of a run, shared by the live page (`resilient watch`, `start --web`) and report.html
// (Node renders it once from the recorded journal). Plain JavaScript with no DOM access, so both run
// exactly the same code: view-model.js folds journal entries into a model, and `renderApp` and
// `renderTimeline` here turn the model into HTML and SVG strings. Its one import is view-model.js:
// the live server sends both as one module (src/report/assets.ts), since every request it answers
// needs the page's token and a browser's relative import would not carry it. Types: view.d.ts.

import {
  clock,
  escapeHtml as esc,
  HEALTH_COLORS,
  lifecycleOf,
  OUTCOME_COLORS,
  OUTCOME_LABELS,
  OUTCOMES,
  perSecond,
  stageVerdict,
} from './view-model.js';

export * from './view-model.js';

/** @typedef {import('./view.d.ts').ViewModel} ViewModel */

function niceMax(n) {
  if (n <= 5) return 5;
  const pow = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * pow >= n) return m * pow;
  return 10 * pow;
}

/**
 * The timeline: stacked bars of requests per second by outcome, stage bands with their verdicts, and
 * one lane per target with its health state over time. Returns an SVG string.
 */
export function renderTimeline(model, options) {
  const width = options.width ?? 960;
  const from = options.from;
  const to = Math.max(options.to, from + 1000);
  const left = 150;
  const right = 12;
  const top = 28;
  const chartH = 160;
  const laneH = 16;
  const targets = [...model.targets.values()];
  const lanesTop = top + chartH + 34;
  const height = lanesTop + Math.max(1, targets.length) * (laneH + 4) + 26;
  const plotW = width - left - right;
  const x = (ms) => left + ((ms - from) / (to - from)) * plotW;
  const parts = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Requests per second by outcome, stages and target health over time">`,
  );
  // Stage bands first, under everything.
  const stages = [...model.stages.values()]
    .filter((s) => s.startedAt !== null)
    .sort((a, b) => a.stage - b.stage);
  for (const s of stages) {
    const end = s.endedAt ?? to;
    if (end < from || s.startedAt > to) continue;
    const x0 = Math.max(left, x(s.startedAt));
    const x1 = Math.min(left + plotW, x(end));
    const verdict = stageVerdict(s);
    const fill = verdict === true ? '#e8f6ee' : verdict === false ? '#fbe7e7' : '#f2f4f7';
    parts.push(
      `<rect class="stage-band" data-stage="${s.stage}" x="${x0.toFixed(1)}" y="${top}" width="${Math.max(0, x1 - x0).toFixed(1)}" height="${lanesTop - top + Math.max(1, targets.length) * (laneH + 4)}" fill="${fill}"><title>Stage ${s.stage}: ${esc(s.title)}${verdict === null ? '' : verdict ? ' — PASS' : ' — FAIL'}</title></rect>`,
    );
  }
  // Bars.
  const buckets = perSecond(model, from, to);
  let max = 0;
  for (const b of buckets.values())
    max = Math.max(
      max,
      OUTCOMES.reduce((n, o) => n + b[o], 0),
    );
  const yMax = niceMax(max);
  const y = (v) => top + chartH - (v / yMax) * chartH;
  for (const frac of [0, 0.5, 1]) {
    const v = yMax * frac;
    parts.push(
      `<line class="grid" x1="${left}" x2="${left + plotW}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#d8dde3" stroke-width="1"/>`,
      `<text class="axis" x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${Number.isInteger(v) ? v : v.toFixed(1)}</text>`,
    );
  }
  parts.push(
    `<text class="axis-title" x="8" y="${top + chartH / 2}" transform="rotate(-90 14 ${top + chartH / 2})">req/s</text>`,
  );
  const barW = Math.max(1, plotW / ((to - from) / 1000) - 1);
  for (const [sec, b] of [...buckets.entries()].sort((p, q) => p[0] - q[0])) {
    let acc = 0;
    const bx = x(sec * 1000);
    if (bx < left - 0.5 || bx > left + plotW) continue;
    for (const o of OUTCOMES) {
      const n = b[o];
      if (n === 0) continue;
      const y0 = y(acc + n);
      parts.push(
        `<rect class="bar bar-${o === '5xx' ? 'x5xx' : o}" data-outcome="${o}" x="${bx.toFixed(1)}" y="${y0.toFixed(1)}" width="${barW.toFixed(1)}" height="${(y(acc) - y0).toFixed(1)}" fill="${OUTCOME_COLORS[o]}"><title>${clock(sec * 1000)} ${n} ${OUTCOME_LABELS[o]}</title></rect>`,
      );
      acc += n;
    }
  }
  // Stage boundaries and labels on top of the bars.
  for (const s of stages) {
    if (s.startedAt < from || s.startedAt > to) continue;
    const bx = x(s.startedAt).toFixed(1);
    const verdict = stageVerdict(s);
    const mark = verdict === null ? '' : verdict ? ' ✓' : ' ✗';
    parts.push(
      `<line class="stage-boundary" data-stage="${s.stage}" x1="${bx}" x2="${bx}" y1="${top - 14}" y2="${height - 24}" stroke="#44505c" stroke-width="1" stroke-dasharray="3 3"/>`,
      `<text class="stage-label${verdict === false ? ' fail' : verdict === true ? ' pass' : ''}" x="${(Number(bx) + 3).toFixed(1)}" y="${top - 4}">${s.stage}${mark}</text>`,
    );
  }
  // Time axis.
  const span = to - from;
  const step = [5, 10, 15, 30, 60, 120, 300, 600, 1800].find((sec) => span / (sec * 1000) <= 8) ?? 3600;
  for (let t = Math.ceil(from / (step * 1000)) * step * 1000; t <= to; t += step * 1000) {
    parts.push(
      `<text class="axis" x="${x(t).toFixed(1)}" y="${top + chartH + 16}" text-anchor="middle">${clock(t)}</text>`,
    );
  }
  // Health lanes.
  parts.push(`<text class="lane-title" x="8" y="${lanesTop - 8}">target health</text>`);
  targets.forEach((t, i) => {
    const ly = lanesTop + i * (laneH + 4);
    parts.push(
      `<text class="lane-label" x="${left - 6}" y="${ly + 12}" text-anchor="end">${esc(t.id)}</text>`,
    );
    t.history.forEach((h, j) => {
      const next = t.history[j + 1]?.at ?? to;
      if (next < from || h.at > to || h.state === 'absent') return;
      const x0 = Math.max(left, x(h.at));
      const x1 = Math.min(left + plotW, x(next));
      parts.push(
        `<rect class="health-seg health-${esc(h.state)}" data-target="${esc(t.id)}" data-state="${esc(h.state)}" x="${x0.toFixed(1)}" y="${ly}" width="${Math.max(0.5, x1 - x0).toFixed(1)}" height="${laneH}" fill="${HEALTH_COLORS[h.state] ?? '#b0b0b0'}"><title>${esc(t.id)} ${esc(h.state)}${h.reason ? ` ${esc(h.reason)}` : ''} from ${clock(h.at)}</title></rect>`,
      );
    });
  });
  if (targets.length === 0)
    parts.push(`<text class="axis" x="${left}" y="${lanesTop + 12}">no targets seen yet</text>`);
  // Legend.
  const ly = height - 8;
  let lx = left;
  for (const o of OUTCOMES) {
    parts.push(
      `<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${OUTCOME_COLORS[o]}"/><text class="legend" x="${lx + 14}" y="${ly}">${OUTCOME_LABELS[o]}</text>`,
    );
    lx += 24 + OUTCOME_LABELS[o].length * 6.4;
  }
  for (const st of ['healthy', 'unhealthy', 'draining', 'initial']) {
    parts.push(
      `<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${HEALTH_COLORS[st]}"/><text class="legend" x="${lx + 14}" y="${ly}">${st}</text>`,
    );
    lx += 24 + st.length * 6.4;
  }
  parts.push('</svg>');
  return parts.join('');
}

const badge = (pass) =>
  pass === null || pass === undefined
    ? '<span class="badge pending">pending</span>'
    : pass
      ? '<span class="badge pass">PASS</span>'
      : '<span class="badge fail">FAIL</span>';

function expectationHtml(s) {
  if (s.expectations.length > 0) {
    return s.expectations
      .map(
        (e) =>
          `<div class="expectation">${badge(e.pass)} ${esc(e.name)}<div class="seen">${esc(e.seen)}${e.reasons.length ? ` — ${esc(e.reasons.join('; '))}` : ''}</div></div>`,
      )
      .join('');
  }
  if (s.verdict) {
    return `<div class="expectation">${badge(s.verdict.pass)} the stage's row holds<div class="seen">${esc(s.verdict.seen)}${s.verdict.reasons.length ? ` — ${esc(s.verdict.reasons.join('; '))}` : ''}</div></div>`;
  }
  return s.endedAt === null
    ? `<div class="expectation">${badge(null)}</div>`
    : '<div class="expectation muted">no expectation</div>';
}

/** What a stage changed: its actions when it emitted them, else what the demo said it did. */
export function stageChanges(s) {
  return s.changes.length > 0 ? s.changes : s.notes;
}

function changesHtml(s) {
  const changes = stageChanges(s);
  return changes.length === 0
    ? '<span class="muted">nothing yet</span>'
    : `<ul class="changes">${changes.map((c) => `<li>${esc(c)}</li>`).join('')}</ul>`;
}

/**
 * The whole view as HTML. `live`: the page of a running deployment (the current stage on top, the
 * last `windowMs` of the timeline, the newest log lines first); otherwise the report of a whole run.
 */
export function renderApp(model, options = {}) {
  const live = options.live === true;
  const now = options.now ?? model.last ?? Date.now();
  const out = [];
  const run = model.run;
  const title = model.experiment?.title ?? 'The seven stages';
  out.push(
    `<header><h1>resilient <span class="muted">·</span> ${esc(run?.name ?? '')}</h1><div class="meta">${esc(title)} · ${esc(run?.target ?? '')} ${esc(run?.region ?? '')}${run?.timeScale !== undefined && run?.timeScale !== 1 ? ` · time scale ${esc(run.timeScale)}` : ''} · phase <b id="phase">${esc(model.phase ?? 'not started')}</b>${model.outcome ? ` · run <b id="outcome">${esc(model.outcome)}</b>` : ''}${model.endpoint ? ` · <code>${esc(model.endpoint)}</code>` : ''}</div></header>`,
  );
  if (live) {
    out.push(
      model.cloud.reachable
        ? `<div class="conn ok" id="cloud">cloud reachable${model.cloud.detail ? ` · ${esc(model.cloud.detail)}` : ''}</div>`
        : `<div class="conn down" id="cloud">cloud unreachable: ${esc(model.cloud.detail)} — retrying</div>`,
    );
    const s = model.current === null ? undefined : model.stages.get(model.current);
    out.push(
      s === undefined
        ? `<section class="now" id="current-stage"><h2>No stage yet</h2><p class="muted">${model.phase === 'deploy' ? 'Deploying…' : 'Waiting for the run.'}</p></section>`
        : `<section class="now" id="current-stage" data-stage="${s.stage}"><h2>Stage ${s.stage}: ${esc(s.title)} ${badge(stageVerdict(s))}</h2><p>${esc(s.text)}</p><div class="cols"><div><h3>What it changed</h3>${changesHtml(s)}</div><div><h3>Expectation</h3>${expectationHtml(s)}</div></div></section>`,
    );
  }
  const windowMs = options.windowMs ?? 180_000;
  const stageStarts = [...model.stages.values()].map((s) => s.startedAt).filter((t) => t !== null);
  const sampleStarts = model.samples.map((s) => s.startedAt);
  const began = Math.min(...(stageStarts.length ? stageStarts : sampleStarts.length ? sampleStarts : [now]));
  // Live: the last `windowMs`, but no wider than the run so far (at least 30 s), so a fast run fills it.
  const from = live ? Math.min(now - 30_000, Math.max(now - windowMs, began - 2000)) : began - 2000;
  // A report ends where the monitoring did (destroy is not part of the story), plus a second.
  const ends = [
    ...model.samples.map((s) => s.endedAt),
    ...[...model.stages.values()].map((s) => s.endedAt ?? s.startedAt ?? 0),
    ...[...model.targets.values()].flatMap((t) => t.history.map((h) => h.at)),
  ];
  const to = live ? now : ends.length > 0 ? Math.max(...ends) + 1000 : now;
  out.push(
    `<section class="chart"><h2>Requests per second by outcome${live ? `, last ${Math.round(windowMs / 60000)} minutes` : ''}</h2>${renderTimeline(model, { from, to, width: options.width ?? 960 })}</section>`,
  );
  // Targets and instances.
  const ids = [...new Set([...model.targets.keys(), ...model.instances.keys()])];
  out.push('<section class="targets"><h2>Targets and instances</h2>');
  if (ids.length === 0) out.push('<p class="muted">No instance seen yet.</p>');
  else {
    out.push(
      '<table id="targets"><thead><tr><th>instance</th><th>zone</th><th>lifecycle</th><th>target health</th><th>reason</th></tr></thead><tbody>',
    );
    for (const id of ids) {
      const t = model.targets.get(id);
      const i = model.instances.get(id);
      const lc = lifecycleOf(model, id);
      const state = t?.state ?? '—';
      out.push(
        `<tr data-instance="${esc(id)}"><td><code>${esc(id)}</code></td><td>${esc(i?.zone ?? '')}</td><td class="lc lc-${lc.replace(' ', '-')}">${esc(lc)}</td><td class="health"><span class="dot" style="background:${HEALTH_COLORS[state] ?? '#b0b0b0'}"></span><span class="state">${esc(state)}</span></td><td>${esc(t?.reason ?? '')}${t?.description ? ` <span class="muted">${esc(t.description)}</span>` : ''}</td></tr>`,
      );
    }
    out.push('</tbody></table>');
  }
  out.push('</section>');
  // Stages.
  const stages = [...model.stages.values()].sort((a, b) => a.stage - b.stage);
  if (model.hypotheses.length > 0) {
    out.push('<section class="hypotheses"><h2>Steady-state hypothesis</h2>');
    for (const h of model.hypotheses)
      out.push(
        `<div class="expectation">${badge(h.pass)} ${esc(h.scope === 'hypothesis-before' ? 'before' : 'after')}: ${esc(h.name)}<div class="seen">${esc(h.seen)}</div></div>`,
      );
    out.push('</section>');
  }
  out.push('<section class="stages"><h2>Stages</h2>');
  if (stages.length === 0) out.push('<p class="muted">No stage has begun.</p>');
  else {
    out.push(
      '<table id="stages"><thead><tr><th>#</th><th>stage</th><th>what it changed</th><th>expectation and what was seen</th></tr></thead><tbody>',
    );
    for (const s of stages) {
      out.push(
        `<tr data-stage="${s.stage}" class="${s.stage === model.current && live ? 'current' : ''}"><td>${s.stage}</td><td><b>${esc(s.title)}</b>${s.startedAt !== null ? `<div class="muted">${clock(s.startedAt)}${s.endedAt !== null ? `–${clock(s.endedAt)}` : ''}</div>` : ''}</td><td>${changesHtml(s)}</td><td>${expectationHtml(s)}</td></tr>`,
      );
    }
    out.push('</tbody></table>');
  }
  out.push('</section>');
  // Log.
  const maxLog = options.maxLog ?? (live ? 60 : Infinity);
  // A stage that reports its actions says the same in words too (for the terminal): the log keeps the actions.
  const said = (l) =>
    l.kind === 'info' && l.stage !== null && (model.stages.get(l.stage)?.changes.length ?? 0) > 0;
  const kept = model.log.filter((l) => !said(l));
  const log = live ? kept.slice(-maxLog).reverse() : kept;
  out.push(
    `<section class="log"><h2>Actions${live ? ', newest first' : ''}</h2><ol id="log">${log
      .map(
        (l) =>
          `<li class="log-${l.kind}${l.ok ? '' : ' bad'}"><span class="t">${clock(l.at)}</span>${l.stage !== null ? `<span class="s">stage ${l.stage}</span>` : ''}${esc(l.text)}</li>`,
      )
      .join('')}</ol></section>`,
  );
  return out.join('');
}
