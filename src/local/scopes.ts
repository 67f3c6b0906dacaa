/**
 * Accounts and Regions: the local cloud's state is partitioned by account, and inside an account by Region,
 * as AWS keeps them apart. IAM and STS are global per account (their slices live at account level); every
 * other service has one slice per (account, Region). A service never sees the partitioning: it is handed a
 * `Cloud` scoped to one account and one Region, whose `config` names them (and the Region's zones) and whose
 * `state` holds that scope's slices. So a key of one account can never see, adopt or delete another's
 * resources, and us-east-1 never sees us-west-2's.
 */
import type { Clock, Cloud, DataPlane, LocalCloudConfig } from './contracts.ts';

/** Slices (keyed by signing name) that are global per account rather than regional. */
export const GLOBAL_SLICES: ReadonlySet<string> = new Set(['iam', 'sts']);

export interface AccountPartition {
  /** `iam`, `sts`. */
  global: Record<string, unknown>;
  /** Region name → that Region's slices (`ec2`, `elasticloadbalancing`, `autoscaling`, `ssm`). */
  regions: Record<string, Record<string, unknown>>;
}

/** The whole persisted control-plane state (snapshot version 2). */
export interface PartitionedState {
  accounts: Record<string, AccountPartition>;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A version 1 snapshot (one account, one Region, slices at top level) as the partitions it was. */
export function migrateFlatState(
  flat: Record<string, unknown>,
  accountId: string,
  region: string,
): PartitionedState {
  const global: Record<string, unknown> = {};
  const regional: Record<string, unknown> = {};
  for (const [key, slice] of Object.entries(flat)) (GLOBAL_SLICES.has(key) ? global : regional)[key] = slice;
  return { accounts: { [accountId]: { global, regions: { [region]: regional } } } };
}

/** Checks a version 2 state's shape (a corrupt file must fail loudly, not be served as empty). */
export function asPartitionedState(value: unknown): PartitionedState | undefined {
  if (!isRecord(value) || !isRecord(value.accounts)) return undefined;
  for (const account of Object.values(value.accounts)) {
    if (!isRecord(account) || !isRecord(account.global) || !isRecord(account.regions)) return undefined;
    if (!Object.values(account.regions).every(isRecord)) return undefined;
  }
  return value as unknown as PartitionedState;
}

/** A scope's `state`: its Region's slices, with `iam`/`sts` read from and written to its account's. */
function scopedState(account: AccountPartition, region: Record<string, unknown>): Record<string, unknown> {
  const home = (key: string | symbol): Record<string | symbol, unknown> =>
    typeof key === 'string' && GLOBAL_SLICES.has(key) ? account.global : region;
  return new Proxy(region, {
    get: (_t, key) => home(key)[key],
    set: (_t, key, value) => {
      home(key)[key] = value;
      return true;
    },
    has: (_t, key) => key in home(key),
    deleteProperty: (_t, key) => delete home(key)[key],
    ownKeys: () => [...Reflect.ownKeys(account.global), ...Reflect.ownKeys(region)],
    getOwnPropertyDescriptor: (_t, key) => {
      const target = home(key);
      return Object.hasOwn(target, key)
        ? { value: target[key], writable: true, enumerable: true, configurable: true }
        : undefined;
    },
  });
}

export interface ScopesBase {
  /** Endpoint, data dir and time scale, the same in every scope. */
  readonly config: Pick<LocalCloudConfig, 'timeScale' | 'dataDir' | 'endpoint'>;
  readonly clock: Clock;
  dataplane(): DataPlane;
  commit(): void;
  /** The zones of a Region (only served Regions are ever asked). */
  zonesOf(region: string): readonly string[];
}

/** The (account, Region) scopes of one local cloud, each a `Cloud` the service modules run against. */
export class Scopes {
  readonly root: PartitionedState;
  readonly #base: ScopesBase;
  readonly #clouds = new Map<string, Cloud>();

  constructor(root: PartitionedState, base: ScopesBase) {
    this.root = root;
    this.#base = base;
  }

  #account(accountId: string): AccountPartition {
    let account = this.root.accounts[accountId];
    if (account === undefined) {
      account = { global: {}, regions: {} };
      this.root.accounts[accountId] = account;
    }
    return account;
  }

  /** The cloud as seen in one account and Region (created empty on first use, like a new Region). */
  cloud(accountId: string, region: string): Cloud {
    const key = `${accountId}/${region}`;
    const cached = this.#clouds.get(key);
    if (cached !== undefined) return cached;
    const account = this.#account(accountId);
    let regional = account.regions[region];
    if (regional === undefined) {
      regional = {};
      account.regions[region] = regional;
    }
    const base = this.#base;
    const config: LocalCloudConfig = { ...base.config, accountId, region, zones: base.zonesOf(region) };
    const cloud: Cloud = {
      config,
      state: scopedState(account, regional),
      clock: base.clock,
      get dataplane() {
        return base.dataplane();
      },
      commit: () => base.commit(),
    };
    this.#clouds.set(key, cloud);
    return cloud;
  }

  /** Accounts that have state. */
  accountIds(): string[] {
    return Object.keys(this.root.accounts);
  }

  /** Every scope that has state, in a stable order (accounts, then Regions, as first used). */
  all(): Cloud[] {
    return Object.entries(this.root.accounts).flatMap(([accountId, account]) =>
      Object.keys(account.regions).map((region) => this.cloud(accountId, region)),
    );
  }
}
