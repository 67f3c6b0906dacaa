import { readFileSync } from 'node:fs';

/**
 * Which process a recorded pid stands for. A pid alone cannot tell a dead process from the one that later
 * got its number: the kernel hands pids out again once it wraps around `/proc/sys/kernel/pid_max`
 * (32768 by default, and every thread takes one too), and in a container that restarts the new process
 * is often pid 1 or the very pid the dead one had (proc(5)). The number may even be a thread's now:
 * kill(2) on a thread id signals that thread's whole process, and `/proc/<tid>/stat` exists (verified on
 * Linux 6 with Node 24, whose processes run six threads). So whoever records a pid to find, wait for or
 * signal that process later records its identity with it: the boot it runs in
 * (`/proc/sys/kernel/random/boot_id`) and its start time (field 22 of `/proc/<pid>/stat`, clock ticks
 * since boot), which no other process of that boot can share with the same pid.
 *
 * Users: the deployment lock (src/checkpoint/lock.ts) and the local cloud's `daemon.json`
 * (src/local/daemon/control.ts).
 */
export interface ProcessIdentity {
  readonly pid: number;
  /** Absent without /proc (macOS) and in records written before identities were. */
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

interface Stat {
  /** Field 3: R, S, D, … — Z for a zombie, which has exited and only waits for its parent to reap it. */
  readonly state: string | undefined;
  /** Field 22. */
  readonly startTime: string | undefined;
}

function statOf(pid: number): Stat | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const stat = read(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // The command name (field 2) is in parentheses and may hold spaces or ')': count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0], startTime: fields[19] };
}

/** The start time of a live process, `undefined` when it does not exist (or there is no /proc). */
export function startTimeOf(pid: number): string | undefined {
  return statOf(pid)?.startTime;
}

export function identify(pid: number): ProcessIdentity {
  return { pid, bootId: bootId(), startTime: startTimeOf(pid) };
}

/** kill(2) with signal 0: is there a process with this pid at all (EPERM: yes, someone else's)? */
export function pidExists(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: unknown) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Is the process `identity` names still running? `true` or `false` when the identity decides it;
 * `undefined` when it cannot — no start time recorded (an older record) or no /proc to compare it with —
 * and the caller must prove it some other way (the daemon's health route answering its pid), or settle
 * for `pidExists`.
 */
export function stillRunning(identity: ProcessIdentity): boolean | undefined {
  const currentBoot = bootId();
  // Another boot: every process of that one is gone.
  if (identity.bootId !== undefined && currentBoot !== undefined && identity.bootId !== currentBoot)
    return false;
  if (identity.startTime === undefined || currentBoot === undefined) return undefined;
  const now = statOf(identity.pid);
  // The pid is that process only if it started at the same tick; a zombie has already exited.
  return now !== undefined && now.startTime === identity.startTime && now.state !== 'Z';
}
