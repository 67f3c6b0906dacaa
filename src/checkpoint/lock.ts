import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { ResilientError } from '../errors.ts';

export interface Lock {
  readonly path: string;
  release(): void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: unknown) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One process drives a deployment name at a time. The lock is `<name>.lock` created with O_EXCL and
 * holding the owner's pid; a lock whose pid is no longer alive (a SIGKILLed run) is stale and is taken over.
 */
export function acquireLock(path: string, pid = process.pid): Lock {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(path, `${pid}\n`, { flag: 'wx', mode: 0o600 });
      return {
        path,
        release: () => {
          try {
            if (readFileSync(path, 'utf8').trim() === String(pid)) rmSync(path);
          } catch {
            // Already gone: nothing to release.
          }
        },
      };
    } catch (error: unknown) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let owner = Number.NaN;
    try {
      owner = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    } catch {
      continue; // Released between our create and our read: try again.
    }
    if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
      throw new ResilientError(
        'LOCKED',
        `Another resilient process (pid ${owner}) is driving this deployment.`,
        {
          hint: `Wait for it to finish, or stop it; the lock is ${path}.`,
        },
      );
    }
    rmSync(path, { force: true });
  }
  throw new ResilientError('LOCKED', `Could not take the lock ${path}.`);
}
