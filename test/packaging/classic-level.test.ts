/**
 * classic-level (the LevelDB binding under dynalite's on-disk tables) has an install script,
 * `node-gyp-build`, which compiles only when no prebuilt binary matches the platform. package.json
 * denies it (`allowScripts`), as npm 11 does by default for a dependency it has not been told about:
 * this proves the prebuilt binary it ships loads and works without that script ever having run.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../_support/cli.ts';

const require = createRequire(path.join(ROOT, 'node_modules', 'dynalite', 'package.json'));
const dir = tempDir('resilient-leveldb-');
afterAll(() => dir.remove());

describe('classic-level without its install script', () => {
  it('was never built here: the binding is the prebuilt one', () => {
    const pkg = path.dirname(require.resolve('classic-level/package.json'));
    expect(existsSync(path.join(pkg, 'build'))).toBe(false);
    expect(existsSync(path.join(pkg, 'prebuilds', `${process.platform}-${process.arch}`))).toBe(true);
  });

  it('opens a database on disk, writes, reads back and closes', async () => {
    const { ClassicLevel } = require('classic-level') as {
      ClassicLevel: new (
        location: string,
      ) => {
        open(): Promise<void>;
        put(k: string, v: string): Promise<void>;
        get(k: string): Promise<string>;
        close(): Promise<void>;
      };
    };
    const db = new ClassicLevel(path.join(dir.path, 'db'));
    await db.open();
    await db.put('item', 'recommendation');
    expect(await db.get('item')).toBe('recommendation');
    await db.close();
  });
});
