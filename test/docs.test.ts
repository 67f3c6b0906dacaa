/**
 * The repo explains itself: comments and READMEs cite `docs/` or AWS's own documentation, never a
 * document that lives outside the repository, and every `docs/<file>.md#anchor` they cite exists.
 * Reads files only; no process, no network.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { citedAnchors, headingAnchors } from './_support/markdown-anchors.ts';

const ROOT = resolve(import.meta.dirname, '..');
const SCANNED = ['src', 'machines', 'test', 'resources', 'docs', 'README.md'];
const TEXT = /\.(ts|js|mjs|md|json|ya?ml|txt)$/;

// Built from pieces so that this file does not match itself.
const OUTSIDE = [
  // The development workspace's shared folder (`import … from '../shared/ops.ts'` inside src is not it).
  new RegExp(['\\.\\.', 'shared', '(DESIGN|reference|data|seeds|hooks|README)'].join('/')),
  new RegExp(['DESIGN', '§'].join('\\s*')),
  new RegExp(['aws', 'semantics'].join('-')),
  new RegExp(['local', 'emulation\\.md'].join('-')),
  new RegExp(['xstate', 'md\\b'].join('\\.')),
  new RegExp(['reference', '(aesthetics|game-day-tools)'].join('/')),
];

function files(path: string): string[] {
  const full = join(ROOT, path);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return TEXT.test(full) ? [full] : [];
  return readdirSync(full, { withFileTypes: true }).flatMap((e) =>
    e.name === 'node_modules' || e.name.startsWith('.') ? [] : files(join(path, e.name)),
  );
}

const scanned = SCANNED.flatMap(files);
const anchorsOf = new Map<string, Set<string>>();
function anchorsIn(file: string): Set<string> | undefined {
  if (!existsSync(file)) return undefined;
  let anchors = anchorsOf.get(file);
  if (!anchors) {
    anchors = headingAnchors(readFileSync(file, 'utf8'));
    anchorsOf.set(file, anchors);
  }
  return anchors;
}

describe('documentation references', () => {
  it('finds the files it checks (docs/ exists and the scan is not empty)', () => {
    expect(scanned.length).toBeGreaterThan(100);
    for (const doc of ['architecture.md', 'local-cloud.md', 'testing.md']) {
      expect(existsSync(join(ROOT, 'docs', doc)), `docs/${doc}`).toBe(true);
    }
  });

  it('no file cites a document outside the repository', () => {
    const found: string[] = [];
    for (const file of scanned) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (OUTSIDE.some((re) => re.test(line)))
            found.push(`${relative(ROOT, file)}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(found).toEqual([]);
  });

  it('every cited docs/ file and anchor exists', () => {
    const broken: string[] = [];
    for (const file of scanned) {
      const text = readFileSync(file, 'utf8');
      for (const { target, anchor, line } of citedAnchors(text, file.endsWith('.md'))) {
        // A docs/ path is from the repo root; a markdown link is relative to the file that holds it.
        const path = target.startsWith('docs/') ? join(ROOT, target) : resolve(dirname(file), target || file);
        const anchors = anchorsIn(path);
        const where = `${relative(ROOT, file)}:${line}`;
        if (!anchors) broken.push(`${where}: ${target} does not exist`);
        else if (anchor && !anchors.has(anchor)) broken.push(`${where}: ${relative(ROOT, path)}#${anchor}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
