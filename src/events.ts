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
  | { readonly type: 'run-finished'; readonly outcome: Outcome };

export type Question =
  | { readonly kind: 'confirm-destroy'; readonly message: string; readonly defaultAnswer: boolean }
  | {
      readonly kind: 'ingress';
      readonly message: string;
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
