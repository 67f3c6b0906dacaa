import { createHash, randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { ResilientError } from '../errors.ts';
import { identify, type ProcessIdentity, pidExists, stillRunning } from '../process-identity.ts';

export interface Lock {
  readonly path: string;
  release(): void;
}

/** The process that wrote a lock or a claim (src/process-identity.ts says why a pid alone is not enough). */
export type Owner = ProcessIdentity;

/**
 * How long an unparseable lock or claim counts as one still being written. Ours never are (they appear
 * whole, see `createWhole`), but a resilient before this one created the file and then wrote it, and a
 * file system without hard links falls back to that; an empty file older than this was torn by a crash.
 */
const BEING_WRITTEN_MS = 10_000;

/** A claim chain longer than this means something other than dead claimers: give up rather than loop. */
const MAX_CLAIM_CHAIN = 32;

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

const digest = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

const code = (error: unknown): string | undefined => (error as NodeJS.ErrnoException).code;

function parseOwner(text: string): Owner | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return { pid: Number(trimmed) }; // a lock written before identities were recorded
  try {
    const raw = JSON.parse(trimmed) as Partial<Owner>;
    if (typeof raw.pid === 'number' && Number.isInteger(raw.pid) && raw.pid > 0) return raw as Owner;
  } catch {
    // Unreadable: being written (see BEING_WRITTEN_MS), or torn by a process that died while writing.
  }
  return undefined;
}

function writtenRecently(path: string): boolean {
  try {
    return Math.abs(Date.now() - statSync(path).mtimeMs) < BEING_WRITTEN_MS;
  } catch {
    return false; // Gone: whoever wrote it is done with it.
  }
}

/** Is the process that wrote this lock (or claim) still running? */
export function ownerAlive(owner: Owner): boolean {
  const running = stillRunning(owner);
  if (running !== undefined) return running;
  // No identity recorded (an older lock) or no /proc (macOS): only the pid. Ours cannot be another
  // live run's (we are not holding this lock), and pid 1 is a container's init, never a run's that still
  // holds a lock after its container restarted.
  if (owner.pid === process.pid || owner.pid === 1) return false;
  return pidExists(owner.pid);
}

const lockedError = (path: string, owner: Owner | undefined) =>
  new ResilientError(
    'LOCKED',
    owner === undefined
      ? 'Another resilient process is taking the lock of this deployment.'
      : `Another resilient process (pid ${owner.pid}) is driving this deployment.`,
    { hint: `Wait for it to finish, or stop it; the lock is ${path}.` },
  );

/**
 * Creates `path` holding `text`, or returns false when it exists — and no other process ever sees it
 * empty or half written. `writeFileSync(path, text, { flag: 'wx' })` would not do: O_EXCL makes the
 * create exclusive, but the file exists, empty, until the write that follows, and a racer reading it then
 * cannot tell "being written" from "torn by a crash". So the text goes to a temp file of our own first,
 * and link(2) gives it the name: link fails with EEXIST if the name exists, atomically, like O_EXCL, and
 * the name appears with the whole content. A file system without hard links falls back to O_EXCL (the
 * readers then wait out BEING_WRITTEN_MS before they judge an unparseable file torn).
 */
function createWhole(path: string, text: string): boolean {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(tmp, text, { flag: 'wx', mode: 0o600 });
  try {
    linkSync(tmp, path);
    return true;
  } catch (error: unknown) {
    if (code(error) === 'EEXIST') return false;
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes(code(error) ?? '')) throw error;
  } finally {
    rmSync(tmp, { force: true });
  }
  try {
    writeFileSync(path, text, { flag: 'wx', mode: 0o600 });
    return true;
  } catch (error: unknown) {
    if (code(error) === 'EEXIST') return false;
    throw error;
  }
}

/**
 * One process drives a deployment name at a time. The lock is `<name>.lock`, created exclusively and
 * whole (`createWhole`), holding the owner's identity (pid, boot id, start time). A lock whose owner is
 * gone is stale and is taken over atomically, by exactly one of the processes that saw it:
 *
 * - The taker first creates a claim, `<lock>.<digest of the stale text>.claim`, exclusively and whole,
 *   holding its own identity. Of several takers of the same stale lock one creates it; the others read
 *   the claim — never empty, so never mistaken for a torn one — see a live claimer and report the lock
 *   as held by it.
 * - The claimer checks that the lock still holds the stale text and renames its own lock file over it
 *   (rename(2) replaces atomically: there is no moment without a lock for a third process to create one
 *   in). Removing the stale file and creating a new one instead would let a slow racer delete the
 *   winner's fresh lock. Between its check and its rename nobody else can change the lock: its dead owner
 *   cannot release it, nobody can create it (it exists), and renaming needs the claim.
 * - A claimer that dies holding its claim leaves it for good. Its claim is never removed while the lock
 *   still holds the stale text — a racer that removed it could remove a live claim created in the
 *   meantime under the same name, and two claimers would rename. The next taker instead claims the next
 *   link of a chain, `<lock>.<digest of the previous link's digest and text>.claim`: its name follows
 *   from the dead claim's content, which never changes, so every taker meets the same chain, each link is
 *   created once, and its holder goes on only when every holder before it is dead (and dead processes
 *   stay dead).
 * - Once the lock no longer holds the stale text (we renamed, or someone else did before our check) it
 *   never will again (that text names a process that is gone), so every claim on it is inert: the claimer
 *   removes the chain it walked, and a taker that still finds a claim on it will only see that the lock
 *   has changed.
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
    if (createWhole(path, text)) return lock;
    const stale = read(path);
    if (stale === undefined) continue; // Released between our create and our read: try again.
    const owner = parseOwner(stale);
    if (owner === undefined ? writtenRecently(path) : ownerAlive(owner)) throw lockedError(path, owner);
    const outcome = takeOver(path, stale, text);
    if (outcome === 'won') return lock;
    if (outcome !== 'changed') throw lockedError(path, outcome.claimer);
  }
  const owner = parseOwner(read(path) ?? '');
  if (owner !== undefined) throw lockedError(path, owner);
  throw new ResilientError('LOCKED', `Could not take the lock ${path}.`);
}

/**
 * Replaces the stale lock `stale` by `text` (see `acquireLock`). 'changed': the lock no longer holds
 * `stale`, look again; `claimer`: a live process is taking it over.
 */
function takeOver(
  path: string,
  stale: string,
  text: string,
): 'won' | 'changed' | { readonly claimer: Owner | undefined } {
  const walked: string[] = [];
  let key = digest(stale);
  for (let link = 0; link < MAX_CLAIM_CHAIN; link++) {
    const claim = `${path}.${key}.claim`;
    if (createWhole(claim, text)) {
      let changed = false;
      try {
        changed = read(path) !== stale; // Taken over (and perhaps released) by someone else.
        if (changed) return 'changed';
        const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
        writeFileSync(tmp, text, { mode: 0o600 });
        renameSync(tmp, path);
        changed = true;
        return 'won';
      } finally {
        // The lock no longer holds `stale`: every claim on it is inert. If we failed before our rename
        // (a full disk), only our own claim goes: we no longer act, and a dead link removed while the
        // lock is still stale could be created again by one taker while another claims past it.
        rmSync(claim, { force: true });
        if (changed) for (const c of walked) rmSync(c, { force: true });
      }
    }
    const held = read(claim);
    // Claims are removed once the lock has changed, or by a claimer that failed before renaming: look again.
    if (held === undefined) return 'changed';
    const claimer = parseOwner(held);
    if (claimer === undefined ? writtenRecently(claim) : ownerAlive(claimer)) return { claimer };
    // Its holder died holding it: claim the next link.
    walked.push(claim);
    key = digest(`${key}\n${held}`);
  }
  return { claimer: undefined };
}
