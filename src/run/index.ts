import type { AnyMachineSnapshot } from 'xstate';
import { type DeployFacts, deployMachine } from '../../machines/deploy.ts';
import { type DestroyOutput, destroyMachine } from '../../machines/destroy.ts';
import { drillMachine } from '../../machines/drill.ts';
import { MACHINE_VERSION, type RunOutput, runMachine } from '../../machines/run.ts';
import type { Aws } from '../aws/index.ts';
import type { Account, LedgerEntry, PlannedExperiment, Target } from '../checkpoint/schema.ts';
import {
  type CheckpointStore,
  checkpointPath,
  openCheckpoint,
  readCheckpointFile,
} from '../checkpoint/store.ts';
import { type DrillDeps, drillActors } from '../drill/actors.ts';
import { BUILT_IN_EXPERIMENT, loadExperiment } from '../drill/load.ts';
import { ResilientError } from '../errors.ts';
import type { Answer, Outcome, Question } from '../events.ts';
import { assertValidName, DEFAULT_NAME } from '../names.ts';
import { deployActors } from '../steps/deploy.ts';
import { destroyActors } from '../steps/destroy.ts';
import { offlineMs, shiftDeadlines } from './clock.ts';
import { activeStates, type DriveOptions, drive } from './drive.ts';
import { callerAccount, resolvePlan, scaleOf } from './pin.ts';
import { stageTimeoutMs, stepPolicies } from './policies.ts';
import { buildDeps, type Connection, locateForDestroy, openAws, openPinned } from './wiring.ts';

export type { Connection };
export { MACHINE_VERSION };

export interface StartOptions extends Connection {
  readonly name?: string | undefined;
  readonly target: 'local' | 'aws';
  readonly region: string;
  readonly yes: boolean;
  readonly keep: boolean;
  readonly timeScale: number;
  /** `--report DIR`: kept in the plan, so a resume writes its reports there too. */
  readonly reports?: string | undefined;
  /** `--experiment FILE`, loaded and validated by the caller; default: the built-in seven stages. */
  readonly experiment?: PlannedExperiment | undefined;
}

export interface RunResult {
  readonly outcome: Outcome;
  readonly name: string;
  readonly checkpoint: string;
  readonly output?: RunOutput | undefined;
  readonly destroy?: DestroyOutput | undefined;
}

const childSnapshot = (root: AnyMachineSnapshot, id: string): AnyMachineSnapshot | undefined => {
  const child = (root.children as Record<string, { getSnapshot(): unknown } | undefined>)[id];
  const snapshot = child?.getSnapshot() as AnyMachineSnapshot | undefined;
  return snapshot?.value === undefined ? undefined : snapshot;
};

/** The question a run is waiting on, if any, and the event its answer becomes. */
function runPrompts(root: AnyMachineSnapshot) {
  if (root.hasTag('prompt')) {
    return {
      key: 'confirm',
      question: { kind: 'confirm-destroy', defaultAnswer: true } satisfies Question,
      toEvent: (a: Answer) => ({ type: 'CONFIRM', destroy: a.kind === 'confirm-destroy' && a.yes }),
    };
  }
  const deploy = childSnapshot(root, 'deploy');
  if (deploy?.hasTag('prompt') === true) {
    const facts = (deploy.context as { facts: DeployFacts }).facts;
    const groupId = facts.securityGroupId ?? '';
    const cidr = facts.callerCidr ?? '';
    return {
      key: `ingress:${cidr}`,
      question: {
        kind: 'ingress',
        groupId,
        cidr,
        port: 80,
        defaultAnswer: true,
      } satisfies Question,
      toEvent: (a: Answer) => ({ type: 'INGRESS', allow: a.kind === 'ingress' && a.yes }),
    };
  }
  const demo = childSnapshot(root, 'demo');
  if (demo?.hasTag('prompt') === true) {
    const stage = Number((demo.context as { stage?: number }).stage ?? 0) + 1;
    return {
      // Stable per menu state: drive() asks again only after the run has left the prompt (GET, HEALTH).
      key: `menu:${stage}:${JSON.stringify(demo.value)}`,
      question: { kind: 'demo-menu', stage, defaultAnswer: 'next' } satisfies Question,
      toEvent: (a: Answer) => ({ type: a.kind === 'demo-menu' ? a.choice.toUpperCase() : 'NEXT' }),
    };
  }
  return undefined;
}

const savedHook = (conn: Connection, path: string) => {
  const hook = conn.onCheckpoint;
  return hook === undefined
    ? undefined
    : (persisted: unknown) => hook({ path, states: activeStates(persisted) });
};

function provideRun(deps: DrillDeps) {
  return runMachine.provide({
    actors: {
      deploy: deployMachine.provide({ actors: deployActors(deps) }),
      demo: drillMachine.provide({ actors: drillActors(deps) }),
      destroy: destroyMachine.provide({ actors: destroyActors(deps) }),
    },
  });
}

/**
 * The one drive-and-settle path of start, resume and destroy: drive the machine over the checkpoint,
 * then tell the host how it ended, remove the checkpoint once everything is gone and verified, and
 * always close the clients and release the lock.
 */
async function driveAndSettle(
  store: CheckpointStore,
  conn: Connection,
  made: { close(): void },
  name: string,
  how: Omit<DriveOptions, 'store' | 'host' | 'signal' | 'onSaved'>,
  settle: (output: unknown) => {
    outcome: Outcome;
    gone: boolean;
    result: Pick<RunResult, 'output' | 'destroy'>;
  },
): Promise<RunResult> {
  try {
    const result = await drive({
      ...how,
      store,
      host: conn.host,
      signal: conn.signal,
      onSaved: savedHook(conn, store.path),
    });
    if (result.status === 'interrupted') {
      conn.host.emit({ type: 'run-finished', outcome: 'interrupted' });
      return { outcome: 'interrupted', name, checkpoint: store.path };
    }
    const settled = settle(result.output);
    conn.host.emit({ type: 'run-finished', outcome: settled.outcome });
    // Everything is gone and verified: the checkpoint has nothing left to remember.
    if (settled.gone) store.remove();
    return { outcome: settled.outcome, name, checkpoint: store.path, ...settled.result };
  } finally {
    made.close();
    store.release();
  }
}

function runFrom(
  store: CheckpointStore,
  conn: Connection,
  fresh: boolean,
  made: { aws: Aws; close(): void },
): Promise<RunResult> {
  const file = store.read();
  const deps = buildDeps(store, file, conn, made.aws);
  const options = file.plan;
  const scale = scaleOf(file, conn.aws !== undefined);
  return driveAndSettle(
    store,
    conn,
    made,
    file.name,
    {
      machine: provideRun(deps),
      ...(fresh
        ? {
            input: {
              name: file.name,
              policies: stepPolicies(scale),
              yes: options.yes,
              keep: options.keep,
              stageTimeoutMs: stageTimeoutMs(scale),
              timeScale: scale,
              experiment: (options.experiment ?? builtIn(file.target.kind)).experiment,
            },
          }
        : { snapshot: shiftDeadlines(file.snapshot, offlineMs(file.updatedAt)), input: undefined }),
      yes: options.yes,
      prompts: runPrompts,
    },
    (out) => {
      const output = out as RunOutput;
      return { outcome: output.outcome, gone: output.destroy?.outcome === 'succeeded', result: { output } };
    },
  );
}

/** The seven stages, `resources/`'s built-in experiment: what `start` runs without `--experiment`. */
export const builtIn = (target: 'local' | 'aws'): PlannedExperiment => ({
  source: 'built-in',
  experiment: loadExperiment(BUILT_IN_EXPERIMENT, target),
});

/** `resilient start`: deploy → demo (the experiment) → confirm → destroy, checkpointed at every transition. */
export async function startRun(options: StartOptions): Promise<RunResult> {
  const name = assertValidName(options.name ?? DEFAULT_NAME);
  const target: Target = {
    kind: options.target,
    region: options.region,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
  };
  const plan = resolvePlan(
    options.target,
    {
      yes: options.yes,
      keep: options.keep,
      timeScale: options.timeScale,
      ...(options.reports === undefined ? {} : { reports: options.reports }),
      experiment: options.experiment ?? builtIn(options.target),
    },
    options.aws !== undefined,
  );
  const made = openAws(options, target);
  let store: CheckpointStore;
  try {
    // The account is pinned before the checkpoint exists: every later command is checked against it.
    const account = await callerAccount(made.aws, options.signal);
    store = openCheckpoint({
      stateDir: options.stateDir,
      name,
      machineVersion: MACHINE_VERSION,
      create: { target, plan, account },
    });
  } catch (error: unknown) {
    made.close();
    throw error;
  }
  return runFrom(store, options, true, made);
}

/** `resilient resume`: continue from the checkpoint (idempotent steps re-run what was in flight). */
export async function resumeRun(options: Connection & { name?: string | undefined }): Promise<RunResult> {
  const name = assertValidName(options.name ?? DEFAULT_NAME);
  const { store, made } = await openPinned(
    options,
    () => openCheckpoint({ stateDir: options.stateDir, name, machineVersion: MACHINE_VERSION }),
    'resume it',
  );
  const file = store.read();
  const status = (file.snapshot as { status?: unknown } | null)?.status;
  if (file.snapshot === null || status !== 'active') {
    made.close();
    store.release();
    throw new ResilientError(
      'USAGE',
      `The run '${name}' has nothing to resume (${status === 'done' ? 'it finished' : 'it never started'}).`,
      {
        hint: `Run \`resilient destroy --name ${name}\` to remove what it made.`,
      },
    );
  }
  return runFrom(store, options, false, made);
}

/** `resilient destroy`: tear down everything of the deployment (ledger, then by name and tag), then verify. */
export async function destroyRun(
  options: Connection & { name?: string | undefined; fromState?: string | undefined },
): Promise<RunResult> {
  const found = locateForDestroy(options);
  const { name, stateDir, path } = found;
  const pinned = await openPinned(
    options,
    () => {
      if (found.file !== undefined)
        return openCheckpoint({
          stateDir,
          name,
          machineVersion: MACHINE_VERSION,
          path,
          anyMachineVersion: true,
        });
      // No checkpoint: destroy by name and tag alone (needs the target from the caller). The account
      // is pinned to the caller's below, before the first delete.
      if (options.region === undefined)
        throw new ResilientError('USAGE', `No checkpoint for '${name}'; pass --region to sweep by name.`);
      const target: Target = {
        kind: options.endpoint === undefined ? 'aws' : 'local',
        region: options.region,
        ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      };
      return openCheckpoint({ stateDir, name, machineVersion: MACHINE_VERSION, create: { target } });
    },
    'destroy it',
  );
  const { store, made } = pinned;
  const file = store.read();
  const deps = buildDeps(store, file, options, made.aws);
  const facts = factsOf(file.snapshot);
  // Destroy runs as its own machine; the run's snapshot stays as it was, the ledger records progress.
  return driveAndSettle(
    store,
    options,
    made,
    name,
    {
      machine: destroyMachine.provide({ actors: destroyActors(deps) }),
      persist: false,
      input: { name, facts, policies: stepPolicies(scaleOf(file, options.aws !== undefined)) },
      prompts: () => undefined,
    },
    (out) => {
      const output = out as DestroyOutput;
      return { outcome: output.outcome, gone: output.outcome === 'succeeded', result: { destroy: output } };
    },
  );
}

/** The deploy facts inside a persisted run snapshot (its context, or its deploy child's). */
export function factsOf(snapshot: unknown): DeployFacts {
  const s = snapshot as {
    context?: { facts?: DeployFacts };
    children?: Record<string, { snapshot?: { context?: { facts?: DeployFacts } } }>;
  } | null;
  const own = s?.context?.facts ?? {};
  const child = s?.children?.deploy?.snapshot?.context?.facts ?? {};
  return { ...child, ...own };
}

export interface RunStatus {
  readonly name: string;
  readonly target: Target;
  /** The account the run is pinned to: status refuses to ask another account's cloud about it. */
  readonly account?: Account | undefined;
  readonly state: unknown;
  readonly status: string;
  readonly endpoint?: string | undefined;
  readonly ledger: readonly LedgerEntry[];
  readonly updatedAt: string;
}

/** `resilient status`: what the checkpoint says, without taking the lock. `undefined`: no run. */
export function runStatus(options: { stateDir: string; name?: string | undefined }): RunStatus | undefined {
  const name = assertValidName(options.name ?? DEFAULT_NAME);
  const file = readCheckpointFile(checkpointPath(options.stateDir, name), MACHINE_VERSION);
  if (file === undefined) return undefined;
  const snap = file.snapshot as {
    value?: unknown;
    status?: string;
    children?: Record<string, { snapshot?: { value?: unknown } }>;
  } | null;
  const facts = factsOf(file.snapshot);
  const phaseChild =
    snap?.children === undefined ? undefined : Object.values(snap.children)[0]?.snapshot?.value;
  return {
    name,
    target: file.target,
    account: file.account,
    state: phaseChild === undefined ? snap?.value : { [String(snap?.value)]: phaseChild },
    status: snap?.status ?? 'not started',
    endpoint: facts.dnsName === undefined ? undefined : `http://${facts.dnsName}/`,
    ledger: file.ledger,
    updatedAt: file.updatedAt,
  };
}
