import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock } from '../../src/checkpoint/lock.ts';
import { identify } from '../../src/process-identity.ts';

const RACER = join(import.meta.dirname, '_race-lock.ts');

/**
 * One contender of a race, started now, spinning until `startAt`: `answer` is its first line (`won` or
 * `locked …`); a winner holds the lock until `release()` closes its stdin.
 */
function contender(path: string, startAt: number) {
  const child = spawn(process.execPath, [RACER, path, String(startAt)], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env },
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const answer = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve(out.trim() || `exited with ${code} before answering`));
  });
  return {
    answer,
    release: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

/** The name of the first claim on a stale lock text (the claim chain of src/checkpoint/lock.ts). */
const claimKey = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

async function until<T>(probe: () => T | undefined): Promise<T> {
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A process that sleeps until killed: a live pid that is not a resilient run. */
function sleeper(): ChildProcess {
  return spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
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
      // All three spin to the same instant. The winner holds the lock until all three have answered, so
      // a contender that starts late still finds it held: the outcome does not depend on timing.
      const startAt = Date.now() + 700;
      const contenders = [0, 1, 2].map(() => contender(path, startAt));
      const results = await Promise.all(contenders.map((c) => c.answer));
      await Promise.all(contenders.map((c) => c.release()));
      expect(
        results.filter((r) => r === 'won'),
        `round ${round}: ${results.join(' | ')}`,
      ).toHaveLength(1);
      expect(results.filter((r) => r.startsWith('locked'))).toHaveLength(2);
      // Released, and no claim or temp file left behind.
      expect(readdirSync(dir)).toEqual([]);
    }
  }, 90_000);

  it('leaves alone a claim that is still being written (empty) by a live taker, and does not take the lock', () => {
    // What a racer saw when the claim was created empty and written after (O_EXCL, then write): it read
    // '', took the claim for a torn one, removed it and took the lock — while its owner, still running,
    // took it too. Claims now appear whole; an empty one can only be a slow writer's.
    const path = join(dir, 'demo.lock');
    const stale = '99999999\n';
    writeFileSync(path, stale);
    const claim = `${path}.${claimKey(stale)}.claim`;
    writeFileSync(claim, '');
    expect(() => acquireLock(path)).toThrow(/Another resilient process is taking the lock/);
    expect(existsSync(claim)).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(stale);
  });

  it('never removes the claim of a dead taker while the lock is stale: it claims past it, and a live claim there holds', () => {
    const path = join(dir, 'demo.lock');
    const stale = '99999999\n';
    const deadClaim = `${JSON.stringify({ ...identify(process.pid), pid: 99999998 })}\n`;
    const first = `${path}.${claimKey(stale)}.claim`;
    const second = `${path}.${claimKey(`${claimKey(stale)}\n${deadClaim}`)}.claim`;
    const child = sleeper();
    try {
      const pid = child.pid ?? 0;
      // A live taker holds the next link: it is the one taking the lock over.
      writeFileSync(path, stale);
      writeFileSync(first, deadClaim);
      writeFileSync(second, `${JSON.stringify(identify(pid))}\n`);
      expect(() => acquireLock(path)).toThrow(new RegExp(`pid ${pid}\\)`));
      expect(readFileSync(path, 'utf8')).toBe(stale);
      expect(existsSync(first)).toBe(true);
      // That taker died too: the next one in line takes the lock and clears the chain it walked.
      writeFileSync(second, `${JSON.stringify({ ...identify(pid), startTime: '3' })}\n`);
      const lock = acquireLock(path);
      expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(identify(process.pid));
      lock.release();
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses an empty lock being written, and takes over one torn by a crash long ago', () => {
    const path = join(dir, 'demo.lock');
    writeFileSync(path, '');
    expect(() => acquireLock(path)).toThrow(/Another resilient process is taking the lock/);
    const past = new Date(Date.now() - 60_000);
    utimesSync(path, past, past);
    const lock = acquireLock(path);
    expect(JSON.parse(readFileSync(path, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('takes over a lock whose owner is a zombie: it has exited, only its parent has not reaped it', async () => {
    // A zombie keeps its pid, its /proc entry (state Z, proc(5)) and its start time until its parent reaps
    // it, and kill(pid, 0) still succeeds. `sleep 0` exits at once; the shell, replaced by `sleep 60`,
    // never waits for it.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 60'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const pid = Number(
        await new Promise<string>((resolve) => parent.stdout.once('data', (d) => resolve(String(d)))),
      );
      const zombie = await until(() => {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return /\) Z /.test(stat) ? identify(pid) : undefined;
      });
      const path = join(dir, 'demo.lock');
      writeFileSync(path, `${JSON.stringify(zombie)}\n`);
      const lock = acquireLock(path);
      expect(JSON.parse(readFileSync(path, 'utf8')).pid).toBe(process.pid);
      lock.release();
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
