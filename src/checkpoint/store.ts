import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ResilientError } from '../errors.ts';
import { writeFileAtomic } from './atomic.ts';
import { acquireLock, type Lock } from './lock.ts';
import {
  type Account,
  CHECKPOINT_SCHEMA,
  type CheckpointFile,
  DEFAULT_PLAN,
  type LedgerEntry,
  type LedgerStatus,
  type ParseOptions,
  parseCheckpoint,
  type ResourceKind,
  type RunPlan,
  type Target,
} from './schema.ts';

/**
 * What steps see of the checkpoint: record intent before a cloud call and the result after it.
 * Every change is written to disk before the method returns.
 */
export interface Ledger {
  entries(): readonly LedgerEntry[];
  find(kind: ResourceKind, name: string): LedgerEntry | undefined;
  /** Marks a create as about to happen (`pending`), keeping the entry's token; a created entry stays created. */
  intend(kind: ResourceKind, name: string): LedgerEntry;
  created(
    kind: ResourceKind,
    name: string,
    ids?: { id?: string | undefined; arn?: string | undefined },
  ): void;
  deleting(kind: ResourceKind, name: string): void;
  deleted(kind: ResourceKind, name: string): void;
}

export interface CheckpointStore {
  readonly path: string;
  readonly ledger: Ledger;
  read(): CheckpointFile;
  saveSnapshot(snapshot: unknown): void;
  /** Removes the file (after a complete destroy) and releases the lock. */
  remove(): void;
  release(): void;
}

export const checkpointPath = (stateDir: string, name: string): string => join(stateDir, `${name}.json`);

/** Reads and validates a checkpoint file; `undefined` when there is none. Never modifies it. */
export function readCheckpointFile(
  path: string,
  machineVersion: string,
  options: ParseOptions = {},
): CheckpointFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ResilientError('CHECKPOINT', `Cannot read checkpoint ${path}.`, { cause: error });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error: unknown) {
    throw new ResilientError('CHECKPOINT', `Checkpoint ${path} is not valid JSON (corrupt or truncated).`, {
      cause: error,
      hint: 'The file was left untouched. Move it aside, then run `resilient destroy` to sweep by tag.',
    });
  }
  return parseCheckpoint(raw, path, machineVersion, options);
}

const tokenOf = (deployment: string, kind: ResourceKind, name: string): string =>
  `${deployment}:${kind}:${name}`.slice(0, 255);

interface OpenOptions {
  readonly stateDir: string;
  readonly name: string;
  readonly machineVersion: string;
  /** For a new checkpoint: where it runs. Refused when a checkpoint already exists. */
  readonly create?: {
    readonly target: Target;
    readonly plan?: RunPlan | undefined;
    readonly account?: Account | undefined;
  };
  /** Open a checkpoint file at another path (destroy --from-state). */
  readonly path?: string;
  /** Accept a file of any machine version (destroy: it uses the target, account and ledger only). */
  readonly anyMachineVersion?: boolean;
  readonly now?: () => Date;
}

/**
 * Opens (or creates) the checkpoint of a deployment under its lock. The lock is taken before the file
 * is read so that two processes never both believe they own the run.
 */
export function openCheckpoint(options: OpenOptions): CheckpointStore {
  const now = options.now ?? (() => new Date());
  const path = options.path ?? checkpointPath(options.stateDir, options.name);
  mkdirSync(options.stateDir, { recursive: true, mode: 0o700 });
  const lock: Lock = acquireLock(join(options.stateDir, `${options.name}.lock`));
  let data: CheckpointFile;
  try {
    const existing = readCheckpointFile(path, options.machineVersion, {
      anyMachineVersion: options.anyMachineVersion === true,
    });
    if (options.create !== undefined) {
      if (existing !== undefined) {
        throw new ResilientError(
          'USAGE',
          `A run named '${options.name}' already has a checkpoint at ${path}.`,
          {
            hint: `Use \`resilient resume --name ${options.name}\` or \`resilient destroy --name ${options.name}\`.`,
          },
        );
      }
      const at = now().toISOString();
      data = {
        schema: CHECKPOINT_SCHEMA,
        machineVersion: options.machineVersion,
        name: options.name,
        target: options.create.target,
        createdAt: at,
        updatedAt: at,
        snapshot: null,
        ledger: [],
        plan: options.create.plan ?? DEFAULT_PLAN,
        ...(options.create.account === undefined ? {} : { account: options.create.account }),
      };
    } else {
      if (existing === undefined) {
        throw new ResilientError('USAGE', `No checkpoint for '${options.name}' at ${path}.`, {
          hint: 'Start a run with `resilient start`.',
        });
      }
      data = existing;
    }
  } catch (error: unknown) {
    lock.release();
    throw error;
  }

  const write = () => {
    data = { ...data, updatedAt: now().toISOString() };
    writeFileAtomic(path, `${JSON.stringify(data, null, 2)}\n`);
  };
  if (options.create !== undefined) write();

  const setStatus = (
    kind: ResourceKind,
    name: string,
    status: LedgerStatus,
    ids: Partial<LedgerEntry> = {},
  ) => {
    const at = now().toISOString();
    const existing = data.ledger.find((e) => e.kind === kind && e.name === name);
    const entry: LedgerEntry = {
      kind,
      name,
      token: existing?.token ?? tokenOf(data.name, kind, name),
      ...(existing?.id === undefined ? {} : { id: existing.id }),
      ...(existing?.arn === undefined ? {} : { arn: existing.arn }),
      ...(ids.id === undefined ? {} : { id: ids.id }),
      ...(ids.arn === undefined ? {} : { arn: ids.arn }),
      status,
      updatedAt: at,
    };
    data = {
      ...data,
      ledger:
        existing === undefined
          ? [...data.ledger, entry]
          : data.ledger.map((e) => (e === existing ? entry : e)),
    };
    write();
    return entry;
  };

  const ledger: Ledger = {
    entries: () => data.ledger,
    find: (kind, name) => data.ledger.find((e) => e.kind === kind && e.name === name),
    intend(kind, name) {
      const existing = ledger.find(kind, name);
      if (existing?.status === 'created') return existing;
      return setStatus(kind, name, 'pending');
    },
    created: (kind, name, ids = {}) => {
      setStatus(kind, name, 'created', {
        ...(ids.id === undefined ? {} : { id: ids.id }),
        ...(ids.arn === undefined ? {} : { arn: ids.arn }),
      });
    },
    deleting: (kind, name) => {
      if (ledger.find(kind, name)?.status !== 'deleted') setStatus(kind, name, 'deleting');
    },
    deleted: (kind, name) => {
      setStatus(kind, name, 'deleted');
    },
  };

  let released = false;
  return {
    path,
    ledger,
    read: () => data,
    saveSnapshot(snapshot) {
      data = { ...data, snapshot };
      write();
    },
    remove() {
      if (existsSync(path)) rmSync(path);
      if (!released) lock.release();
      released = true;
    },
    release() {
      if (!released) lock.release();
      released = true;
    },
  };
}
