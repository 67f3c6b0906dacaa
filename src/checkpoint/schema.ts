import { ResilientError } from '../errors.ts';

export const CHECKPOINT_SCHEMA = 1;

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

/** The file `<state-dir>/<name>.json`. Never holds credentials. */
export interface CheckpointFile {
  readonly schema: typeof CHECKPOINT_SCHEMA;
  readonly machineVersion: string;
  readonly name: string;
  readonly target: Target;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** `actor.getPersistedSnapshot()` of the run machine; `null` for a destroy-only checkpoint. */
  readonly snapshot: unknown;
  readonly ledger: readonly LedgerEntry[];
  /** Options the run started with that resume must keep (no secrets). */
  readonly options?: { readonly yes: boolean; readonly keep: boolean; readonly timeScale: number };
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

/** Validates parsed JSON as a checkpoint of this schema and machine version, or explains why not. */
export function parseCheckpoint(raw: unknown, path: string, machineVersion: string): CheckpointFile {
  const bad = (why: string) =>
    new ResilientError('CHECKPOINT', `Checkpoint ${path} ${why}.`, {
      hint: 'The file was left untouched. Move it aside to start over, or use the version of resilient that wrote it.',
    });
  if (!isRecord(raw)) throw bad('is not a JSON object');
  if (raw.schema !== CHECKPOINT_SCHEMA)
    throw bad(`has schema ${String(raw.schema)}, expected ${CHECKPOINT_SCHEMA}`);
  if (raw.machineVersion !== machineVersion) {
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
  if (!Array.isArray(raw.ledger) || !raw.ledger.every(isLedgerEntry))
    throw bad('has an invalid resource ledger');
  if (typeof raw.createdAt !== 'string' || typeof raw.updatedAt !== 'string') throw bad('has no timestamps');
  return raw as unknown as CheckpointFile;
}
