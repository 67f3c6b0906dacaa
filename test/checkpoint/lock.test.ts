import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, identify } from '../../src/checkpoint/lock.ts';

const RACER = join(import.meta.dirname, '_race-lock.ts');

function contender(path: string, startAt: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RACER, path, String(startAt), '400'], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env },
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', () => resolve(out.trim()));
  });
}

describe('deployment lock', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('records the owner by pid, boot id and start time, and refuses while that process runs', () => {
    const path = join(dir, 'demo.lock');
    const lock = acquireLock(path);
    const owner = JSON.parse(readFileSync(path, 'utf8'));
    expect(owner).toEqual(identify(process.pid));
    expect(owner.startTime).toMatch(/^\d+$/);
    expect(() => acquireLock(path)).toThrow(/Another resilient process \(pid \d+\)/);
    lock.release();
    expect(() => readFileSync(path)).toThrow();
  });

  it("takes over a lock holding this run's own pid from a SIGKILLed earlier process (pid reuse)", () => {
    const path = join(dir, 'demo.lock');
    // An older lock format (pid only), and the current one with another start time: both the dead run's.
    for (const stale of [
      `${process.pid}\n`,
      `${JSON.stringify({ ...identify(process.pid), startTime: '1' })}\n`,
    ]) {
      writeFileSync(path, stale);
      const lock = acquireLock(path);
      expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(identify(process.pid));
      lock.release();
    }
  });

  it('takes over a lock of pid 1 (a container restarted after SIGKILL): pid 1 is alive but is not that run', () => {
    const path = join(dir, 'demo.lock');
    for (const stale of ['1\n', `${JSON.stringify({ ...identify(1), pid: 1, startTime: '0' })}\n`]) {
      writeFileSync(path, stale);
      const lock = acquireLock(path);
      expect(JSON.parse(readFileSync(path, 'utf8')).pid).toBe(process.pid);
      lock.release();
    }
  });

  it('refuses a lock of another live process, and takes it over once the pid is reused by a new process', () => {
    const path = join(dir, 'demo.lock');
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      const pid = child.pid ?? 0;
      writeFileSync(path, `${JSON.stringify(identify(pid))}\n`);
      expect(() => acquireLock(path)).toThrow(new RegExp(`pid ${pid}`));
      // The same pid with a start time that is not this process's: the run that wrote it is gone.
      writeFileSync(path, `${JSON.stringify({ ...identify(pid), startTime: '2' })}\n`);
      acquireLock(path).release();
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('of processes racing for one stale lock, exactly one wins, round after round', async () => {
    const path = join(dir, 'race.lock');
    // Warm the module cache so that every contender starts equally fast.
    spawnSync(process.execPath, ['--check', RACER]);
    for (let round = 0; round < 12; round++) {
      writeFileSync(path, '99999999\n');
      const startAt = Date.now() + 700;
      const results = await Promise.all([0, 1, 2].map(() => contender(path, startAt)));
      expect(
        results.filter((r) => r === 'won'),
        `round ${round}: ${results.join(' | ')}`,
      ).toHaveLength(1);
      expect(results.filter((r) => r.startsWith('locked'))).toHaveLength(2);
    }
  }, 60_000);
});
