/**
 * The typed messages core code emits (rendered by `src/cli`, recorded by tests), and the questions it
 * asks through the host. Core code never prints: everything a person reads starts here.
 */

export type Phase = 'deploy' | 'demo' | 'destroy';
export type Outcome = 'succeeded' | 'failed' | 'timed-out' | 'interrupted' | 'kept';

export interface TargetHealthView {
  readonly id: string;
  readonly port: number | undefined;
  readonly state: string;
  readonly reason?: string | undefined;
  readonly description?: string | undefined;
}

/** One GET through the load balancer, classified. */
export interface GetView {
  readonly status: number;
  /** `real`: a recommendation; `static`: the 404 coloring book; `error`: anything else (or no answer). */
  readonly kind: 'real' | 'static' | 'error';
  readonly instanceId?: string | undefined;
  readonly zone?: string | undefined;
  readonly body?: unknown;
  readonly error?: string | undefined;
}

/**
 * What one GET through the load balancer came to, for probes and reports: a recommendation, the
 * static item, a 5xx from the load balancer or a target, any other HTTP status, or no HTTP answer at all.
 */
export type ProbeOutcome = 'real' | 'static' | '5xx' | 'other' | 'transport';

/**
 * One batch of a probe: GETs through the load balancer, counted by outcome. Probes are the one
 * mechanism behind `--yes` verification, experiment probes and stop conditions, the journal and
 * the live view; a batch is small (a few GETs) and stamped with when it was taken.
 */
export interface ProbeSample {
  /** The probe's name: `verify` for the built-in verification, an experiment probe's name, `watch`. */
  readonly probe: string;
  /** Epoch ms when the batch started and ended. */
  readonly startedAt: number;
  readonly endedAt: number;
  readonly counts: Readonly<Record<ProbeOutcome, number>>;
  /** HTTP status → count (`0` for transport errors). */
  readonly statuses: Readonly<Record<string, number>>;
  readonly instances: readonly string[];
  readonly zones: readonly string[];
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /**
   * Instance id → the outcomes of the answers it served (only the outcomes it had), e.g.
   * `{"i-a": {"real": 3}, "i-c": {"static": 2}}`: which instance answered what, so a check can ask
   * that every static answer came from one selected instance. Answers without an instance id (a 502
   * from the load balancer, a transport error) are in `counts` only. Absent in journals written before
   * it existed.
   */
  readonly byInstance?: Readonly<Record<string, Readonly<Partial<Record<ProbeOutcome, number>>>>>;
}

/** An instance of the deployment's group as Auto Scaling and the target group see it. */
export interface InstanceView {
  readonly id: string;
  readonly zone?: string | undefined;
  /** Auto Scaling's lifecycle state (Pending, InService, Terminating, …) or `Terminated` once gone. */
  readonly lifecycle: string;
  readonly health?: string | undefined;
}

export type RunEvent =
  | { readonly type: 'phase'; readonly phase: Phase }
  | { readonly type: 'step-started'; readonly step: string; readonly attempt: number }
  | { readonly type: 'step-finished'; readonly step: string }
  | {
      readonly type: 'step-retrying';
      readonly step: string;
      readonly attempt: number;
      readonly delayMs: number;
      readonly reason: string;
    }
  | {
      readonly type: 'wait-progress';
      readonly what: string;
      readonly deadline: number;
      readonly detail: string;
    }
  | {
      readonly type: 'resource';
      readonly action: 'created' | 'adopted' | 'deleted' | 'absent';
      readonly kind: string;
      readonly name: string;
      readonly id?: string | undefined;
    }
  | { readonly type: 'info'; readonly message: string }
  | { readonly type: 'warning'; readonly message: string }
  | { readonly type: 'stage'; readonly stage: number; readonly title: string; readonly text: string }
  | { readonly type: 'endpoint'; readonly url: string }
  | { readonly type: 'get-result'; readonly url: string; readonly result: GetView }
  | { readonly type: 'target-health'; readonly targets: readonly TargetHealthView[] }
  | {
      readonly type: 'observation';
      readonly stage: number;
      readonly pass: boolean;
      readonly statusCounts: Readonly<Record<string, number>>;
      readonly kinds: Readonly<Record<string, number>>;
      readonly instances: readonly string[];
      readonly zones: readonly string[];
      readonly targets: readonly TargetHealthView[];
      readonly reasons: readonly string[];
    }
  | { readonly type: 'sweep'; readonly found: readonly string[] }
  | {
      readonly type: 'error';
      readonly code: string;
      readonly message: string;
      readonly hint?: string | undefined;
    }
  | { readonly type: 'run-finished'; readonly outcome: Outcome }
  /** A probe batch (see ProbeSample); `stage` is the stage it was taken in, when there is one. */
  | { readonly type: 'probe-sample'; readonly stage?: number | undefined; readonly sample: ProbeSample }
  /** Target health as a probe read it (unlike `target-health`, which answers the menu's question). */
  | {
      readonly type: 'health-sample';
      readonly at: number;
      readonly stage?: number | undefined;
      readonly targets: readonly TargetHealthView[];
      readonly instances?: readonly InstanceView[] | undefined;
    }
  /** A change an experiment or the demo made to the system: a parameter, a profile, a fault, a rollback. */
  | {
      readonly type: 'action';
      readonly at: number;
      readonly stage?: number | undefined;
      /** `set-parameter`, `swap-profile`, `reboot`, `terminate`, `fault`, … (the experiment's action kind). */
      readonly action: string;
      readonly detail: string;
      readonly phase: 'method' | 'rollback';
      readonly outcome: 'done' | 'failed';
      readonly error?: string | undefined;
    }
  /** One checked expectation of a stage, or one steady-state hypothesis check: a JUnit testcase each. */
  | {
      readonly type: 'expectation';
      readonly at: number;
      /** `stage` for a stage expectation, `hypothesis-before`/`hypothesis-after` for the steady state. */
      readonly scope: 'stage' | 'hypothesis-before' | 'hypothesis-after';
      readonly stage?: number | undefined;
      readonly name: string;
      readonly pass: boolean;
      /** What was seen, in words a person reads in a CI failure. */
      readonly seen: string;
      readonly reasons: readonly string[];
    }
  /** A stop condition held: the method is aborted and the rollbacks run. */
  | { readonly type: 'stop-condition'; readonly at: number; readonly name: string; readonly seen: string }
  /** An experiment (the built-in seven stages included) began or ended; the journal's frame. */
  | {
      readonly type: 'experiment';
      readonly at: number;
      readonly phase: 'started' | 'finished';
      readonly title: string;
      readonly stages: readonly { readonly stage: number; readonly title: string }[];
      readonly outcome?: 'passed' | 'failed' | 'aborted' | 'interrupted' | undefined;
    };

/** What the run asks, as data: the words a person reads are the CLI's (src/cli/host.ts). */
export type Question =
  | { readonly kind: 'confirm-destroy'; readonly defaultAnswer: boolean }
  | {
      readonly kind: 'ingress';
      readonly groupId: string;
      readonly cidr: string;
      readonly port: number;
      readonly defaultAnswer: boolean;
    }
  | { readonly kind: 'demo-menu'; readonly stage: number; readonly defaultAnswer: 'next' };

export type Answer =
  | { readonly kind: 'confirm-destroy'; readonly yes: boolean }
  | { readonly kind: 'ingress'; readonly yes: boolean }
  | { readonly kind: 'demo-menu'; readonly choice: 'get' | 'health' | 'next' };

/** What the run API needs from its caller: the CLI renders and prompts; tests record and answer. */
export interface Host {
  emit(event: RunEvent): void;
  ask(question: Question): Promise<Answer>;
}
