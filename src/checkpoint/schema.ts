import type { Experiment } from '../drill/experiment.ts';
import { ResilientError } from '../errors.ts';

/** 2: the account the run is pinned to and the run plan. Schema 1 files are still read (see migrate). */
export const CHECKPOINT_SCHEMA = 2;

export const RESOURCE_KINDS = [
  'table',
  'parameter',
  'policy',
  'role',
  'instance-profile',
  'launch-template',
  'auto-scaling-group',
  'target-group',
  'load-balancer',
  'listener',
  'ingress-rule',
] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

export type LedgerStatus = 'pending' | 'created' | 'deleting' | 'deleted';

/** One logical resource: its intent is recorded before the create call, its id/ARN after it. */
export interface LedgerEntry {
  readonly kind: ResourceKind;
  readonly name: string;
  /** Stable per logical resource (not per attempt): the idempotency key a retried or resumed create reuses. */
  readonly token: string;
  readonly id?: string;
  readonly arn?: string;
  readonly status: LedgerStatus;
  readonly updatedAt: string;
}

export interface Target {
  readonly kind: 'local' | 'aws';
  readonly region: string;
  readonly endpoint?: string;
}

/** The account a run's resources live in: resume, destroy and status refuse any other. */
export interface Account {
  readonly id: string;
  readonly partition: string;
}

/**
 * The run plan, resolved once when the run starts and persisted: resume and destroy keep it, whatever
 * the flags or settings say later (docs/architecture.md#orchestration). `timeScale` is always 1 on `aws`.
 */
export interface RunPlan {
  readonly yes: boolean;
  readonly keep: boolean;
  readonly timeScale: number;
  /** Where reports are written (`--report DIR`), when asked for. */
  readonly reports?: string | undefined;
  /**
   * What the demo runs: the built-in seven stages or `--experiment FILE`, its content as validated at
   * start, so a resume runs the same experiment even if the file changed or vanished.
   */
  readonly experiment?: PlannedExperiment | undefined;
}

export interface PlannedExperiment {
  /** `built-in`, or the file as given to `--experiment`. */
  readonly source: string;
  readonly experiment: Experiment;
}

/** AWS's own time: the time scale of every run that asks for no other, and of every run on aws. */
export const DEFAULT_TIME_SCALE = 1;

export const DEFAULT_PLAN: RunPlan = { yes: false, keep: false, timeScale: DEFAULT_TIME_SCALE };

/** The file `<state-dir>/<name>.json`. Never holds credentials. */
export interface CheckpointFile {
  readonly schema: typeof CHECKPOINT_SCHEMA;
  readonly machineVersion: string;
  readonly name: string;
  readonly target: Target;
  /** Whose resources these are; absent only in files of schema 1 (then read from the snapshot's facts). */
  readonly account?: Account | undefined;
  readonly plan: RunPlan;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** `actor.getPersistedSnapshot()` of the run machine; `null` for a destroy-only checkpoint. */
  readonly snapshot: unknown;
  readonly ledger: readonly LedgerEntry[];
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const STATUSES: readonly string[] = ['pending', 'created', 'deleting', 'deleted'];

function isLedgerEntry(v: unknown): v is LedgerEntry {
  return (
    isRecord(v) &&
    typeof v.kind === 'string' &&
    (RESOURCE_KINDS as readonly string[]).includes(v.kind) &&
    typeof v.name === 'string' &&
    typeof v.token === 'string' &&
    typeof v.status === 'string' &&
    STATUSES.includes(v.status) &&
    (v.id === undefined || typeof v.id === 'string') &&
    (v.arn === undefined || typeof v.arn === 'string')
  );
}

const isAccount = (v: unknown): v is Account =>
  isRecord(v) && typeof v.id === 'string' && /^\d{12}$/.test(v.id) && typeof v.partition === 'string';

function planOf(v: unknown): RunPlan {
  if (!isRecord(v)) return DEFAULT_PLAN;
  return {
    yes: v.yes === true,
    keep: v.keep === true,
    timeScale: typeof v.timeScale === 'number' && v.timeScale > 0 ? v.timeScale : DEFAULT_TIME_SCALE,
    ...(typeof v.reports === 'string' ? { reports: v.reports } : {}),
    ...(isRecord(v.experiment) && typeof v.experiment.source === 'string' && isRecord(v.experiment.experiment)
      ? { experiment: v.experiment as unknown as PlannedExperiment }
      : {}),
  };
}

/** Whose account a schema-1 file was in: its deploy facts (preflight records them before any create). */
function accountOfSnapshot(snapshot: unknown): Account | undefined {
  const s = snapshot as {
    context?: { facts?: { accountId?: unknown; partition?: unknown } };
    children?: Record<
      string,
      { snapshot?: { context?: { facts?: { accountId?: unknown; partition?: unknown } } } }
    >;
  } | null;
  const facts =
    s?.context?.facts?.accountId !== undefined
      ? s.context.facts
      : s?.children?.deploy?.snapshot?.context?.facts;
  const account = { id: facts?.accountId, partition: facts?.partition ?? 'aws' };
  return isAccount(account) ? account : undefined;
}

export interface ParseOptions {
  /**
   * Destroy reads any version's file: only its target, account and ledger matter to it (it works by
   * name and tag and never restores the snapshot). Entries it cannot read are dropped: the sweep by
   * name and tag still finds what they named.
   */
  readonly anyMachineVersion?: boolean;
}

/** Validates parsed JSON as a checkpoint of this schema and machine version, or explains why not. */
export function parseCheckpoint(
  raw: unknown,
  path: string,
  machineVersion: string,
  options: ParseOptions = {},
): CheckpointFile {
  const bad = (why: string) =>
    new ResilientError('CHECKPOINT', `Checkpoint ${path} ${why}.`, {
      hint: 'The file was left untouched. Move it aside to start over, or use the version of resilient that wrote it.',
    });
  if (!isRecord(raw)) throw bad('is not a JSON object');
  if (raw.schema !== CHECKPOINT_SCHEMA && raw.schema !== 1)
    throw bad(`has schema ${String(raw.schema)}, expected ${CHECKPOINT_SCHEMA} or older`);
  const lenient = options.anyMachineVersion === true;
  if (raw.machineVersion !== machineVersion && !lenient) {
    throw bad(`was written by machine version ${String(raw.machineVersion)}, this is ${machineVersion}`);
  }
  if (typeof raw.name !== 'string') throw bad('has no deployment name');
  const target = raw.target;
  if (
    !isRecord(target) ||
    (target.kind !== 'local' && target.kind !== 'aws') ||
    typeof target.region !== 'string'
  ) {
    throw bad('has no valid target');
  }
  if (!Array.isArray(raw.ledger) || (!lenient && !raw.ledger.every(isLedgerEntry)))
    throw bad('has an invalid resource ledger');
  if (typeof raw.createdAt !== 'string' || typeof raw.updatedAt !== 'string') throw bad('has no timestamps');
  if (raw.account !== undefined && !isAccount(raw.account)) throw bad('has an invalid account');
  // Schema 1 kept the plan as `options` and had no account: both are read from what it did record.
  const account = raw.schema === 1 ? accountOfSnapshot(raw.snapshot) : (raw.account as Account | undefined);
  const { options: legacyPlan, ...rest } = raw;
  return {
    ...(rest as unknown as CheckpointFile),
    schema: CHECKPOINT_SCHEMA,
    plan: planOf(raw.schema === 1 ? legacyPlan : raw.plan),
    ledger: raw.ledger.filter(isLedgerEntry),
    ...(account === undefined ? {} : { account }),
  };
}
