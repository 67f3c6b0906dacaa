/**
 * The dependency rules of docs/architecture.md#the-dependency-rules, checked in the imports: machines
 * import nothing from src but types; the local cloud never imports the orchestrator; the server depends
 * only on its two SDK clients; steps never import the run; core code never prints. Reads files only.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

interface Import {
  readonly file: string;
  readonly line: number;
  readonly specifier: string;
  /** The repo-relative path it resolves to, for relative specifiers. */
  readonly target: string | undefined;
  readonly typeOnly: boolean;
}

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sources(path);
    return /\.(ts|js)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function importsOf(file: string): Import[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const out: Import[] = [];
  const re =
    /^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'|import\('([^']+)'\)/gm;
  for (const m of text.matchAll(re)) {
    const specifier = m[3] ?? m[4] ?? m[5] ?? '';
    const line = text.slice(0, m.index).split('\n').length;
    const target = specifier.startsWith('.')
      ? relative(ROOT, resolve(ROOT, dirname(file), specifier))
      : undefined;
    out.push({ file, line, specifier, target, typeOnly: m[2] !== undefined });
  }
  return out;
}

const where = (i: Import) => `${i.file}:${i.line} imports ${i.specifier}`;
const under = (path: string | undefined, ...dirs: string[]) =>
  path !== undefined && dirs.some((d) => path === d || path.startsWith(`${d}/`));

describe('the dependency rules', () => {
  it('sees the imports it checks (multi-line, type-only and relative ones resolved)', () => {
    const all = ['machines', 'src'].flatMap(sources).flatMap(importsOf);
    expect(all.some((i) => under(i.target, 'machines') && i.file.startsWith('src/'))).toBe(true);
    expect(all.some((i) => under(i.target, 'src') && i.file.startsWith('machines/') && i.typeOnly)).toBe(
      true,
    );
    expect(sources('src/local').length).toBeGreaterThan(50);
  });

  it('machines import nothing from src but types', () => {
    const bad = sources('machines')
      .flatMap(importsOf)
      .filter((i) => under(i.target, 'src') && !i.typeOnly);
    expect(bad.map(where)).toEqual([]);
  });

  it('the local cloud never imports the orchestrator', () => {
    const bad = sources('src/local')
      .flatMap(importsOf)
      .filter((i) =>
        under(
          i.target,
          'machines',
          'src/steps',
          'src/run',
          'src/cli',
          'src/checkpoint',
          'src/drill',
          'src/report',
          'src/watch',
        ),
      );
    expect(bad.map(where)).toEqual([]);
  });

  it('the server depends only on Node and its two SDK clients', () => {
    const allowed = /^(node:|@aws-sdk\/client-(dynamodb|ssm)$)/;
    const bad = sources('src/server')
      .flatMap(importsOf)
      .filter((i) => (i.target === undefined ? !allowed.test(i.specifier) : !under(i.target, 'src/server')));
    expect(bad.map(where)).toEqual([]);
  });

  it('steps never import the run that composes them', () => {
    const bad = sources('src/steps')
      .flatMap(importsOf)
      .filter((i) => under(i.target, 'src/run', 'src/cli'));
    expect(bad.map(where)).toEqual([]);
  });
  it('core code never prints: outside src/cli only process entry points write to stdout or stderr', () => {
    // The server and the daemon are processes of their own whose logs are their output; the package build
    // is a script.
    const entries = new Set([
      'src/server/main.ts',
      'src/server/start.ts',
      'src/local/daemon/main.ts',
      'src/package-build.js',
    ]);
    const bad = ['machines', 'src']
      .flatMap(sources)
      .filter((f) => !f.startsWith('src/cli/') && !entries.has(f))
      .filter((f) =>
        /\bconsole\.(log|info|warn|error|debug)\(|process\.std(out|err)\.write\(/.test(
          readFileSync(join(ROOT, f), 'utf8'),
        ),
      );
    expect(bad).toEqual([]);
  });
});
