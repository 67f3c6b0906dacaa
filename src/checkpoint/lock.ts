import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { ResilientError } from '../errors.ts';

export interface Lock {
  readonly path: string;
  release(): void;
}

/**
 * What identifies a process beyond its pid, which the kernel reuses: the boot it runs in and its start
 * time (field 22 of /proc/<pid>/stat, clock ticks since boot). A pid alone cannot tell a SIGKILLed run
 * from the process that later got its number — in a container that restarts, the new run is often pid
 * 1 or the very pid the dead one had (proc(5)).
 */
export interface Owner {
  readonly pid: number;
  readonly bootId?: string | undefined;
  readonly startTime?: string | undefined;
}

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

export const bootId = (): string | undefined => read('/proc/sys/kernel/random/boot_id')?.trim() || undefined;

/** The start time of a live process, `undefined` when it does not exist (or there is no /proc). */
export function startTimeOf(pid: number): string | undefined {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // The command name (field 2) is in parentheses and may hold spaces or ')': count from the last ')'.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

export function identify(pid: number): Owner {
  return { pid, bootId: bootId(), startTime: startTimeOf(pid) };
}

function parseOwner(text: string): Owner | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return { pid: Number(trimmed) }; // a lock written before identities were recorded
  try {
    const raw = JSON.parse(trimmed) as Partial<Owner>;
    if (typeof raw.pid === 'number' && Number.isInteger(raw.pid) && raw.pid > 0) return raw as Owner;
  } catch {
    // Unreadable: a torn write of a process that died while writing. Stale.
  }
  return undefined;
}

function signalable(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: unknown) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Is the process that wrote this lock still running? */
export function ownerAlive(owner: Owner, self: Owner = identify(process.pid)): boolean {
  if (owner.bootId !== undefined && self.bootId !== undefined && owner.bootId !== self.bootId) return false;
  if (owner.startTime !== undefined && self.startTime !== undefined) {
    // /proc is there: the pid is the same process only if it started at the same tick.
    return startTimeOf(owner.pid) === owner.startTime;
  }
  // No identity recorded (an older lock) or no /proc (macOS): only the pid. Ours cannot be another
  // live run's (we are not holding this lock), and pid 1 is a container's init, never a run's that still
  // holds a lock after its container restarted.
  if (owner.pid === process.pid || owner.pid === 1) return false;
  return signalable(owner.pid);
}

const lockedError = (path: string, owner: Owner) =>
  new ResilientError('LOCKED', `Another resilient process (pid ${owner.pid}) is driving this deployment.`, {
    hint: `Wait for it to finish, or stop it; the lock is ${path}.`,
  });

/**
 * One process drives a deployment name at a time. The lock is `<name>.lock`, created with O_EXCL,
 * holding the owner's identity (pid, boot id, start time). A lock whose owner is gone is stale and is
 * taken over atomically: the taker first creates `<lock>.<digest of the stale text>.claim` with O_EXCL,
 * so of several processes that saw the same stale lock exactly one proceeds; it checks the lock still
 * holds that text and renames its own lock file over it (rename(2) replaces atomically: there is no
 * moment without a lock for a third process to create one in). Removing the stale file and creating a
 * new one instead would let a slow racer delete the winner's fresh lock.
 */
export function acquireLock(path: string, pid = process.pid): Lock {
  const self = identify(pid);
  const text = `${JSON.stringify(self)}\n`;
  const mine = () => read(path) === text;
  const lock: Lock = {
    path,
    release: () => {
      if (mine()) rmSync(path, { force: true });
    },
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      writeFileSync(path, text, { flag: 'wx', mode: 0o600 });
      return lock;
    } catch (error: unknown) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const stale = read(path);
    if (stale === undefined) continue; // Released between our create and our read: try again.
    const owner = parseOwner(stale);
    if (owner !== undefined && ownerAlive(owner, self)) throw lockedError(path, owner);
    if (takeOver(path, stale, text, self)) return lock;
  }
  const owner = parseOwner(read(path) ?? '');
  if (owner !== undefined) throw lockedError(path, owner);
  throw new ResilientError('LOCKED', `Could not take the lock ${path}.`);
}

/** Replaces the stale lock `stale` by `text`; false when another process got there first. */
function takeOver(path: string, stale: string, text: string, self: Owner): boolean {
  const claim = `${path}.${createHash('sha256').update(stale).digest('hex').slice(0, 16)}.claim`;
  try {
    writeFileSync(claim, text, { flag: 'wx', mode: 0o600 });
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Another taker holds the claim. If it died holding it, the claim is stale too: clear it, and let
    // the next attempt claim again.
    const claimer = parseOwner(read(claim) ?? '');
    if (claimer === undefined || !ownerAlive(claimer, self)) {
      if (read(path) === stale) rmSync(claim, { force: true });
    }
    return false;
  }
  try {
    if (read(path) !== stale) return false; // Already taken over (and perhaps released) by someone else.
    const tmp = `${path}.${self.pid}.tmp`;
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, path);
    return true;
  } finally {
    rmSync(claim, { force: true });
  }
}
