/** Types of view.js (plain JavaScript so the browser loads the very file Node renders reports with). */
import type { ProbeOutcome, RunEvent } from '../events.ts';

export interface ViewEntry {
  readonly seq?: number;
  readonly part?: number;
  readonly at: number;
  readonly stage: number | null;
  readonly event: RunEvent;
}

export interface StageView {
  stage: number;
  title: string;
  text: string;
  startedAt: number | null;
  endedAt: number | null;
  /** `action` events of the stage's method. */
  changes: string[];
  /** What the demo said it did (`info`), shown when there are no actions. */
  notes: string[];
  expectations: { name: string; pass: boolean; seen: string; reasons: string[]; at: number }[];
  verdict?: { pass: boolean; seen: string; reasons: string[] };
}

export interface ViewModel {
  run: { name: string; target: string; region: string; timeScale: number } | null;
  phase: string | null;
  outcome: string | null;
  endpoint: string | null;
  experiment: { title: string; outcome: string | null } | null;
  stages: Map<number, StageView>;
  current: number | null;
  samples: {
    probe: string;
    startedAt: number;
    endedAt: number;
    counts: Readonly<Record<ProbeOutcome, number>>;
  }[];
  targets: Map<
    string,
    {
      id: string;
      state: string | null;
      reason: string | null;
      description: string | null;
      history: { at: number; state: string; reason: string | null }[];
    }
  >;
  instances: Map<string, { id: string; zone: string | null; lifecycle: string | null; since: number }>;
  hypotheses: { scope: string; name: string; pass: boolean; seen: string; reasons: string[] }[];
  log: { at: number; stage: number | null; kind: string; text: string; ok: boolean }[];
  first: number | null;
  last: number | null;
  cloud: { reachable: boolean; detail: string };
}

export const OUTCOMES: readonly ProbeOutcome[];
export const MONITOR_PROBE: string;
export function escapeHtml(value: unknown): string;
export function createModel(): ViewModel;
export function applyEntry(model: ViewModel, entry: ViewEntry): void;
export function modelOf(journal: { run?: ViewModel['run']; entries?: readonly ViewEntry[] }): ViewModel;
export function observationCounts(
  event: Extract<RunEvent, { type: 'observation' }>,
): Record<ProbeOutcome, number>;
export function describeObservation(event: Extract<RunEvent, { type: 'observation' }>): string;
export function stageVerdict(stage: StageView): boolean | null;
export function stageChanges(stage: StageView): string[];
export function perSecond(
  model: ViewModel,
  from: number,
  to: number,
): Map<number, Record<ProbeOutcome, number>>;
export function lifecycleOf(model: ViewModel, id: string): string;
export function renderTimeline(
  model: ViewModel,
  options: { from: number; to: number; width?: number },
): string;
export function renderApp(
  model: ViewModel,
  options?: { live?: boolean; now?: number; windowMs?: number; width?: number; maxLog?: number },
): string;
