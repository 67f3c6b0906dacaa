/**
 * One Ctrl+C is one signal, with the settings store open (src/cli/settings.ts#importConf): conf's
 * dependency when-exit re-raised every signal it saw, so the CLI's interrupt handler counted the first
 * Ctrl+C twice and quit at once instead of stopping after the call in flight. In a child process: the
 * listeners are the process's, and a module imported by an earlier test file would hide the bug.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const SETTINGS = pathToFileURL(join(import.meta.dirname, '../../src/cli/settings.ts')).href;

// Our SIGINT listener sends SIGUSR2 when it first runs, after any listener registered before it (when-exit's)
// has run — and re-raised, if it does. Signals reach listeners in the order they arrive, so by the time
// SIGUSR2 is dispatched every copy of the SIGINT has been.
const CHILD = `
const { openSettings } = await import(${JSON.stringify(SETTINGS)});
const store = await openSettings({ RESILIENT_CONFIG_DIR: process.argv[1] });
store.set({ name: 'signals' });
let seen = 0;
process.on('SIGINT', () => {
  seen += 1;
  if (seen === 1) process.kill(process.pid, 'SIGUSR2');
});
process.on('SIGUSR2', () => {
  process.stdout.write('SIGINT ' + seen + ', SIGTERM listeners ' + process.listenerCount('SIGTERM'));
  process.exit(0);
});
process.kill(process.pid, 'SIGINT');
setInterval(() => {}, 1000);
`;

describe('the settings store and signals', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('one SIGINT reaches the CLI once after conf is loaded, and conf leaves no signal listener behind', () => {
    dir = mkdtempSync(join(tmpdir(), 'resilient-settings-signals-'));
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', CHILD, dir], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('SIGINT 1, SIGTERM listeners 0');
    expect(child.status).toBe(0);
  });
});
