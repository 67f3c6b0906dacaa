/**
 * report.html: the journal rendered once by the same view code the live page runs in the browser
 * (view.js), with its stylesheet inlined. No script, no font, no image is fetched: the file opens
 * from disk, from a CI artifact or an email, offline.
 */
import { viewCss } from './assets.ts';
import type { Journal } from './journal.ts';
import { escapeHtml, modelOf, renderApp } from './view.js';

export function renderReportHtml(journal: Journal): string {
  const model = modelOf(journal);
  const parts = journal.parts
    .map(
      (p) =>
        `part ${p.part}: <code>${escapeHtml(p.command)}</code> ${new Date(p.startedAt).toISOString().replace('T', ' ').slice(0, 19)} UTC${p.outcome ? ` → ${escapeHtml(p.outcome)}` : ''}`,
    )
    .join(' · ');
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // Nothing may be fetched: the report is self-contained by contract.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>resilient report · ${escapeHtml(journal.run.name)}</title>`,
    `<style>${viewCss()}</style>`,
    '</head><body class="report">',
    `<main id="app">${renderApp(model, { live: false })}</main>`,
    `<footer class="muted"><p>${parts}</p><p>Schema <code>${escapeHtml(journal.schema)}</code>; the data is in <code>journal.json</code> next to this file. Times are UTC.</p></footer>`,
    '</body></html>',
    '',
  ].join('\n');
}
