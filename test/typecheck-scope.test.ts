/**
 * `npm run typecheck` (tsconfig.json) reaches every TypeScript file in the repo: the vitest configs at
 * the top level, the benches and their workers, the fixtures that tests only start as processes (never
 * import). A file outside its `include` would be run by vitest or node without ever being typechecked,
 * and `npm run check` would not see it break (docs/testing.md). Reads files only; no process.
 */
import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const SKIPPED = new Set(['node_modules', 'dist', 'state']);

function typescriptFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return SKIPPED.has(entry.name) || entry.name.startsWith('.') ? [] : typescriptFiles(path);
    return /\.[cm]?ts$/.test(entry.name) ? [path] : [];
  });
}

describe('the typecheck scope', () => {
  it('tsconfig.json includes every TypeScript file in the repo', () => {
    const config = ts.getParsedCommandLineOfConfigFile(
      join(ROOT, 'tsconfig.json'),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
          throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
        },
      },
    );
    const checked = new Set(config?.fileNames.map((file) => relative(ROOT, file)));
    const unchecked = typescriptFiles('.').filter((file) => !checked.has(file));
    expect(unchecked).toEqual([]);
  });
});
