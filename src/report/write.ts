/** `--report DIR`: journal.json, junit.xml and report.html, each written whole (temp file, then rename). */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderReportHtml } from './html.ts';
import type { Journal } from './journal.ts';
import { renderJunit } from './junit.ts';

export const REPORT_FILES = ['journal.json', 'junit.xml', 'report.html'] as const;

function writeWhole(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

export function writeReports(dir: string, journal: Journal): string[] {
  mkdirSync(dir, { recursive: true });
  const files = {
    'journal.json': `${JSON.stringify(journal, null, 1)}\n`,
    'junit.xml': renderJunit(journal),
    'report.html': renderReportHtml(journal),
  };
  const written: string[] = [];
  for (const name of REPORT_FILES) {
    const file = path.join(dir, name);
    writeWhole(file, files[name]);
    written.push(file);
  }
  return written;
}
