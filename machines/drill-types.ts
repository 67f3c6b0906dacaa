/**
 * The drill machine's shapes (machines/drill.ts): its input, context, events and output, and what each
 * of its actors is given. Types only.
 */
import type { Experiment } from '../src/drill/experiment.ts';
import type { DeployFacts } from './deploy.ts';
import type { StepBook } from './step-kit.ts';

export interface DrillFacts extends DeployFacts {
  /** Selector name → the instance it chose: chosen once, kept in the checkpoint. */
  readonly selected?: Readonly<Record<string, string>>;
  /** Actions of the current stage already done (a resumed stage does not repeat them). */
  readonly actionsDone?: number;
}

export interface DrillInput {
  readonly experiment: Experiment;
  readonly facts: DeployFacts;
  /** A stage's budget (act, wait and observe), unless the stage says otherwise. */
  readonly stageTimeoutMs: number;
  /** AWS time → real time on the local cloud (stage `timeoutSeconds` are AWS time). */
  readonly timeScale: number;
  /**
   * `--yes` (the default): every stage is observed and judged. `false` (`start` in a terminal): each
   * stage ends in the menu (GET, target health, next), answered by a person, and is not judged.
   */
  readonly yes?: boolean | undefined;
}

export interface StageVerdict {
  readonly stage: number;
  readonly title: string;
  readonly pass: boolean;
  readonly reasons: readonly string[];
}

/** What the observe and wait actors answer: a verdict, or that a stop condition held. */
export interface ObserveOutput {
  readonly pass: boolean;
  readonly reasons: readonly string[];
  readonly stopped?: string | undefined;
}

export interface DrillContext extends Omit<DrillInput, 'yes'> {
  readonly yes: boolean;
  readonly facts: DrillFacts;
  /** The method stage being run (0-based). */
  readonly stage: number;
  readonly deadline?: number;
  readonly book: StepBook;
  readonly results: readonly StageVerdict[];
  readonly before?: ObserveOutput;
  readonly after?: ObserveOutput;
  readonly stopped?: string;
  readonly error?: string;
}

export type DrillEvent =
  | { type: 'GET' }
  | { type: 'HEALTH' }
  | { type: 'NEXT' }
  /** Ctrl+C: abort the method, roll back, then wait in `halted`. */
  | { type: 'INTERRUPT' }
  /** Sent to a drill restored in `halted`: run the method again. */
  | { type: 'RESUME' };

export interface DrillOutput {
  readonly outcome: 'passed' | 'failed' | 'aborted';
  readonly facts: DrillFacts;
  readonly results: readonly StageVerdict[];
  readonly before?: ObserveOutput | undefined;
  readonly after?: ObserveOutput | undefined;
  readonly stopped?: string | undefined;
  readonly error?: string | undefined;
}

export interface DrillStageInput {
  readonly experiment: Experiment;
  readonly stage: number;
  readonly facts: DrillFacts;
  readonly deadline: number;
  readonly attempt: number;
  /** The actor's name; `halt` for the rollbacks Ctrl+C started. */
  readonly step: string;
  /** `before` / `after` for the hypothesis, `rollback` for the rollbacks. */
  readonly phase: 'before' | 'method' | 'rollback' | 'after';
  /** The drill's verdict so far (the rollbacks and the last hypothesis report it). */
  readonly outcome: DrillOutput['outcome'];
  /** `--yes`: the stage is observed (a probe runs from its first action); otherwise the menu follows. */
  readonly yes: boolean;
}
