/**
 * Where this package's files are, from a checkout (TypeScript run directly) and from the npm package
 * (JavaScript built by `prepack` into `dist/`, one directory deeper). Paths found relative to a module
 * (`../../package.json`) differ by that one level, so they are found from here instead.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** True when this code is the built JavaScript of the npm package, not the TypeScript of a checkout. */
export const BUILT: boolean = import.meta.url.endsWith('.js');

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        if ((JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === 'resilient') return dir;
      } catch {
        // not ours: keep looking upwards
      }
    }
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`no package.json of resilient above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** The package root: the directory of resilient's package.json (a checkout, or node_modules/resilient). */
export const PACKAGE_ROOT: string = findRoot();

/**
 * A module of this package by its source path (`src/server/main.ts`), as an absolute path to what runs:
 * the `.ts` file in a checkout, `dist/….js` in the npm package.
 */
export function runnablePath(sourcePath: string): string {
  return BUILT
    ? join(PACKAGE_ROOT, 'dist', sourcePath.replace(/\.ts$/, '.js'))
    : join(PACKAGE_ROOT, sourcePath);
}
