/**
 * An experiment file's shape, as `resources/experiment.schema.json` defines it (the schema is the
 * contract editors and `drill validate` check; these types are what the loader returns).
 */

export interface Range {
  readonly min?: number;
  readonly max?: number;
  readonly equals?: number;
}

export type Outcome = 'real' | 'static' | '5xx' | 'other' | 'transport';

export interface RequestsCheck {
  readonly probe: 'requests';
  readonly name: string;
  /** Consecutive batches every tolerance must hold in (default 1; the built-in stages use 3). */
  readonly batches?: number;
  readonly real?: Range;
  readonly static?: Range;
  readonly '5xx'?: Range;
  readonly other?: Range;
  readonly transport?: Range;
  readonly status?: Readonly<Record<string, Range>>;
  readonly instances?: Range;
  readonly zones?: Range;
  readonly p50Ms?: Range;
  readonly p99Ms?: Range;
  /**
   * Outcome → selector: every answer of that outcome came from the instance the selector chose, e.g.
   * `{ static: 'bad' }` (none at all holds too). Only real and static answers name their instance.
   */
  readonly onlyFrom?: Readonly<Partial<Record<InstanceOutcome, string>>>;
}

/** The outcomes whose answers say which instance served them (the item's Metadata). */
export type InstanceOutcome = 'real' | 'static';

export interface TargetsCheck {
  readonly probe: 'targets';
  readonly name: string;
  readonly healthy?: Range;
  readonly unhealthy?: Range;
  readonly draining?: Range;
  readonly all?: 'healthy' | 'unhealthy';
  readonly instance?: {
    readonly select: string;
    readonly state: 'initial' | 'healthy' | 'unhealthy' | 'draining' | 'unused' | 'absent';
    readonly reason?: string;
    readonly description?: string;
  };
}

export type Check = RequestsCheck | TargetsCheck;

export type Action =
  | {
      readonly action: 'set-parameter';
      readonly parameter: 'table' | 'failure-response' | 'health-check';
      readonly value: string;
    }
  | { readonly action: 'swap-profile'; readonly instance: string }
  | { readonly action: 'restore-profile'; readonly instance: string }
  | { readonly action: 'terminate'; readonly instance: string }
  | {
      readonly action: 'fault';
      readonly instance: string;
      readonly fault: 'crash' | 'hang' | 'slow' | 'heal';
      readonly delayMs?: number;
    }
  | { readonly action: 'api-faults'; readonly throttle?: number; readonly errors?: number }
  | { readonly action: 'wait'; readonly seconds: number };

export type ActionKind = Action['action'];

/** Actions only the local cloud can perform (its control route); refused at validation for aws. */
export const LOCAL_ONLY: ReadonlySet<ActionKind> = new Set(['fault', 'api-faults']);

export interface Stage {
  readonly title: string;
  readonly text?: string;
  readonly actions?: readonly Action[];
  readonly wait?: { readonly until: Check; readonly timeoutSeconds?: number };
  readonly expect?: readonly Check[];
  readonly continuous?: readonly Check[];
  readonly timeoutSeconds?: number;
}

export interface StopCondition {
  readonly name: string;
  readonly when: { readonly '5xx'?: Range; readonly transport?: Range; readonly p99Ms?: Range };
  readonly forSeconds: number;
}

export interface Experiment {
  readonly version: 1;
  readonly title: string;
  readonly description?: string;
  readonly targets?: readonly ('local' | 'aws')[];
  readonly probe?: { readonly batchSize?: number; readonly intervalSeconds?: number };
  readonly instances?: Readonly<
    Record<string, { readonly pick: 'one-in-service'; readonly description?: string }>
  >;
  readonly steadyState?: { readonly title?: string; readonly probes: readonly Check[] };
  readonly method: readonly Stage[];
  readonly rollbacks?: readonly Action[];
  readonly stopConditions?: readonly StopCondition[];
  /** `check` (default): a verdict (testcase) per check; `stage`: one per stage, as the seven stages report. */
  readonly verdict?: 'check' | 'stage';
  /** Shown as stage N+1 when the rollbacks start (the seven stages' "Reset"). */
  readonly rollbackBanner?: { readonly title: string; readonly text?: string };
}

/** The values `set-parameter` accepts per parameter (`table` takes any name: `ours` is the deployment's). */
export const PARAMETER_VALUES: Readonly<Record<string, readonly string[] | undefined>> = {
  'failure-response': ['none', 'static'],
  'health-check': ['shallow', 'deep'],
  table: undefined,
};
