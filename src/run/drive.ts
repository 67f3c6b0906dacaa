import {
  type AnyActorRef,
  type AnyMachineSnapshot,
  type AnyStateMachine,
  createActor,
  type InspectionEvent,
} from 'xstate';
import { DEPLOY_RETRY_STATES } from '../../machines/deploy.ts';
import { DESTROY_RETRY_STATES } from '../../machines/destroy.ts';
import type { StepBook } from '../../machines/step-kit.ts';
import type { CheckpointStore } from '../checkpoint/store.ts';
import type { Answer, Host, Phase, Question } from '../events.ts';

const RETRY_OF = new Map<string, string>(
  [...Object.entries(DEPLOY_RETRY_STATES), ...Object.entries(DESTROY_RETRY_STATES)].map(([step, retry]) => [
    retry,
    step,
  ]),
);
const STEPS = new Set<string>([...Object.keys(DEPLOY_RETRY_STATES), ...Object.keys(DESTROY_RETRY_STATES)]);
const PHASES: Readonly<Record<string, Phase>> = { deploying: 'deploy', demo: 'demo', destroying: 'destroy' };

/** Full dotted paths of the active leaf states of a state value (`stage1.applying`; several when parallel). */
export function statePaths(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [`${prefix}${value}`];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const inner = statePaths(child, `${prefix}${key}.`);
    return inner.length === 0 ? [`${prefix}${key}`] : inner;
  });
}

/**
 * Every active state of a persisted snapshot, its invoked machines' included, as `child:path`
 * (`deploying`, `deploy:creatingTable`): what a checkpoint would resume.
 */
export function activeStates(snapshot: unknown, prefix = ''): string[] {
  const s = snapshot as {
    value?: unknown;
    context?: { stage?: unknown };
    children?: Record<string, { snapshot?: unknown }>;
  } | null;
  // A drill's one stage state is named by the stage it runs: `demo:method.stage3.observing`.
  const stage = typeof s?.context?.stage === 'number' ? s.context.stage + 1 : undefined;
  const own = statePaths(s?.value).map(
    (p) =>
      `${prefix}${stage === undefined ? p : p.replace(/^method\.stage(?=\.|$)/, `method.stage${stage}`)}`,
  );
  const nested = Object.entries(s?.children ?? {}).flatMap(([id, child]) =>
    activeStates(child.snapshot, `${prefix}${id}:`),
  );
  return [...own, ...nested];
}

/** Leaf state names of a state value (several for parallel states). */
export function leaves(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const inner = leaves(child);
    return inner.length === 0 ? [key] : inner;
  });
}

/** True while some machine of the system (the root or an invoked child, at any depth) has `tag`. */
export function tagged(snapshot: AnyMachineSnapshot, tag: string): boolean {
  if (snapshot.hasTag(tag)) return true;
  return Object.values(snapshot.children as Record<string, AnyActorRef | undefined>).some((child) => {
    const inner = child?.getSnapshot() as Partial<AnyMachineSnapshot> | undefined;
    return (
      inner?.value !== undefined &&
      typeof inner.hasTag === 'function' &&
      tagged(inner as AnyMachineSnapshot, tag)
    );
  });
}

/** True while some machine of the system is in a `step` state: a create or delete may be on the wire. */
export const stepInFlight = (snapshot: AnyMachineSnapshot): boolean => tagged(snapshot, 'step');

/** A question's default answer: what `--yes` answers (the menu's default is "next"). */
export const defaultAnswer = (q: Question): Answer =>
  q.kind === 'demo-menu' ? { kind: 'demo-menu', choice: 'next' } : { kind: q.kind, yes: q.defaultAnswer };

export interface DriveOptions {
  readonly machine: AnyStateMachine;
  readonly store: CheckpointStore;
  readonly host: Host;
  readonly signal?: AbortSignal | undefined;
  /** Restore from this persisted snapshot instead of starting from `input`. */
  readonly snapshot?: unknown;
  readonly input?: unknown;
  /** `--yes`: every question takes its default answer instead of being asked. */
  readonly yes?: boolean | undefined;
  /** false: the machine's snapshots are not written (destroy runs beside the run's own snapshot). */
  readonly persist?: boolean | undefined;
  /** Called after each snapshot is written, with the persisted snapshot (observability, crash tests). */
  readonly onSaved?: ((persisted: unknown) => void) | undefined;
  /** Builds the question a prompt state asks, and the event its answer becomes. */
  readonly prompts: (
    root: AnyMachineSnapshot,
  ) => { key: string; question: Question; toEvent(answer: Answer): { type: string } } | undefined;
}

export type DriveResult =
  | { readonly status: 'done'; readonly output: unknown }
  | { readonly status: 'interrupted' };

/**
 * Runs a machine to its end: checkpoints after every transition of any machine in the system (the
 * inspection API sees children's transitions too), emits step and phase events, answers prompts through
 * the host, and on abort lets the in-flight step finish, checkpoints the next state, and stops.
 *
 * A drill stage (tag `stage`) takes the abort as an `INTERRUPT` event: it rolls back first (tag
 * `rollback` while it does, or while the action in flight finishes before it) and then waits in a
 * `halted` state, where the run stops. A drill restored in `halted` is sent `RESUME`.
 */
export function drive(options: DriveOptions): Promise<DriveResult> {
  const { store, host } = options;
  return new Promise<DriveResult>((resolve, reject) => {
    let finished = false;
    let interruptRequested = false;
    let asking: string | undefined;
    const lastLeaves = new Map<string, Set<string>>();

    const onSnapshot = (event: InspectionEvent) => {
      if (event.type !== '@xstate.snapshot' || finished) return;
      const snapshot = event.snapshot as Partial<AnyMachineSnapshot>;
      if (snapshot.value === undefined) return; // a promise actor
      save();
      describe(event.actorRef as AnyActorRef, snapshot as AnyMachineSnapshot);
      queueMicrotask(afterTransition);
    };

    const actor = createActor(options.machine, {
      ...(options.snapshot === undefined
        ? { input: options.input }
        : { snapshot: options.snapshot, input: options.input }),
      inspect: onSnapshot,
    } as Parameters<typeof createActor>[1]);

    function save() {
      const root = actor.getSnapshot();
      // A snapshot taken after stop() restores as stopped (xstate#4583): only persist live ones.
      if (root.status === 'active' || root.status === 'done') {
        const persisted = actor.getPersistedSnapshot();
        if (options.persist !== false) store.saveSnapshot(persisted);
        options.onSaved?.(persisted);
      }
    }

    function describe(ref: AnyActorRef, snapshot: AnyMachineSnapshot) {
      const now = new Set(leaves(snapshot.value));
      const before = lastLeaves.get(ref.id) ?? new Set<string>();
      lastLeaves.set(ref.id, now);
      const book = (snapshot.context as { book?: StepBook } | undefined)?.book;
      for (const leaf of now) {
        if (before.has(leaf)) continue;
        const phase = ref === actor ? PHASES[leaf] : undefined;
        if (phase !== undefined) host.emit({ type: 'phase', phase });
        const step = RETRY_OF.get(leaf);
        if (step !== undefined && book !== undefined) {
          host.emit({
            type: 'step-retrying',
            step,
            attempt: book.attempts[step] ?? 0,
            delayMs: Math.max(0, (book.retryAt[step] ?? 0) - Date.now()),
            reason: book.reasons[step] ?? '',
          });
        } else if (STEPS.has(leaf)) {
          host.emit({ type: 'step-started', step: leaf, attempt: book?.attempts[leaf] ?? 0 });
        }
      }
      for (const leaf of before) {
        const retrying = [...now].some((l) => RETRY_OF.get(l) === leaf);
        if (STEPS.has(leaf) && !now.has(leaf) && !retrying) host.emit({ type: 'step-finished', step: leaf });
      }
    }

    function finish(result: DriveResult) {
      if (finished) return;
      finished = true;
      options.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    }

    function interrupt() {
      save();
      finished = true;
      actor.stop();
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ status: 'interrupted' });
    }

    function afterTransition() {
      if (finished) return;
      const root = actor.getSnapshot();
      if (root.status === 'done') {
        finish({ status: 'done', output: root.output });
        return;
      }
      if (root.status === 'error') {
        finished = true;
        reject(root.error);
        return;
      }
      if (interruptRequested) {
        // The rollbacks Ctrl+C started run to their end (bounded by their deadline) before the stop.
        if (!tagged(root, 'rollback')) interrupt();
        return;
      }
      // A drill halted by an earlier Ctrl+C, its rollbacks done: this process runs its method again.
      if (tagged(root, 'halted')) {
        actor.send({ type: 'RESUME' });
        return;
      }
      const prompt = options.prompts(root);
      // A question stays pending until the run has left the prompt it was asked for: snapshots of other
      // actors (or of the same state) must not ask it twice, and a menu revisited after GET is asked anew.
      if (prompt === undefined || prompt.key !== asking) asking = undefined;
      if (prompt === undefined || asking !== undefined) return;
      asking = prompt.key;
      const answer = options.yes === true ? defaultAnswer(prompt.question) : undefined;
      const ask = answer === undefined ? host.ask(prompt.question) : Promise.resolve(answer);
      ask.then(
        (a) => {
          if (!finished) actor.send(prompt.toEvent(a));
        },
        (error: unknown) => {
          // A question the interrupt cut short (the CLI closes its prompt on the abort, and Ctrl+C at
          // the demo menu is the interrupt itself): the abort's path stops the run, after the rollbacks.
          if (finished || interruptRequested) return;
          save();
          finished = true;
          actor.stop();
          reject(error);
        },
      );
    }

    function onAbort() {
      interruptRequested = true;
      if (tagged(actor.getSnapshot(), 'stage')) {
        // A drill stage aborts its method and rolls back; the machine says when it is done.
        actor.send({ type: 'INTERRUPT' });
        if (tagged(actor.getSnapshot(), 'rollback')) return;
      }
      // Waiting for a person, for a retry timer, or polling (the demo's observations may poll for
      // minutes): stop now; restoring re-runs the idempotent wait or poll. A step that creates or
      // deletes something finishes its call first, and the next transition stops the run.
      if (asking !== undefined || !stepInFlight(actor.getSnapshot())) interrupt();
    }

    options.signal?.addEventListener('abort', onAbort, { once: true });
    actor.subscribe({
      error: (error: unknown) => {
        if (finished) return;
        finished = true;
        reject(error);
      },
    });
    actor.start();
    save();
    queueMicrotask(afterTransition);
    if (options.signal?.aborted === true) onAbort();
  });
}
