import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { asPartitionedState, migrateFlatState, type PartitionedState } from '../scopes.ts';
import { writeFileAtomic } from './atomic-write.ts';

/**
 * `<dataDir>/state.json`: the control plane's whole state, versioned. Version 2 is partitioned by account and
 * Region (`../scopes.ts`); a version 1 file (one account, one Region) is read as the default account's
 * partition in the default Region, and written back as version 2.
 */
export const SNAPSHOT_FILE = 'state.json';
const SNAPSHOT_VERSION = 2;

interface SnapshotFile {
  readonly version: number;
  readonly savedAt: string;
  readonly state: PartitionedState;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads the last snapshot; a missing file is an empty cloud, a corrupt or foreign one is an error. `home` is
 * where a version 1 snapshot's resources lived: the default account and Region.
 */
export function readSnapshot(
  dataDir: string,
  home: { readonly accountId: string; readonly region: string },
): PartitionedState {
  let text: string;
  try {
    text = readFileSync(join(dataDir, SNAPSHOT_FILE), 'utf8');
  } catch (error: unknown) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return { accounts: {} };
    throw error;
  }
  const parsed: unknown = JSON.parse(text);
  if (isRecord(parsed) && parsed.version === 1 && isRecord(parsed.state)) {
    return migrateFlatState(parsed.state, home.accountId, home.region);
  }
  const state =
    isRecord(parsed) && parsed.version === SNAPSHOT_VERSION ? asPartitionedState(parsed.state) : undefined;
  if (state === undefined) {
    throw new Error(
      `${join(dataDir, SNAPSHOT_FILE)} is not a version ${SNAPSHOT_VERSION} local cloud snapshot`,
    );
  }
  return state;
}

/**
 * A debounced snapshot writer: `schedule()` after each change writes the state within `debounceMs`, at most
 * one write in flight, and a change made during a write triggers one more. `flush()` writes now and waits.
 */
export class SnapshotWriter {
  readonly #path: string;
  readonly #state: () => PartitionedState;
  readonly #debounceMs: number;
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> | undefined;
  #dirty = false;
  #lastError: unknown;

  constructor(dataDir: string, state: () => PartitionedState, debounceMs = 50) {
    this.#path = join(dataDir, SNAPSHOT_FILE);
    this.#state = state;
    this.#debounceMs = debounceMs;
  }

  /** The last write failure, if the most recent write failed (surfaced by the daemon's status). */
  get lastError(): unknown {
    return this.#lastError;
  }

  schedule(): void {
    this.#dirty = true;
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#drain();
    }, this.#debounceMs);
  }

  async flush(): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    await this.#drain();
  }

  async #drain(): Promise<void> {
    while (this.#writing !== undefined) await this.#writing;
    if (!this.#dirty) return;
    this.#dirty = false;
    const file: SnapshotFile = {
      version: SNAPSHOT_VERSION,
      savedAt: new Date().toISOString(),
      state: this.#state(),
    };
    this.#writing = writeFileAtomic(this.#path, JSON.stringify(file))
      .then(() => {
        this.#lastError = undefined;
      })
      .catch((error: unknown) => {
        this.#lastError = error;
      })
      .finally(() => {
        this.#writing = undefined;
      });
    await this.#writing;
    if (this.#dirty) await this.#drain();
  }
}
