import { dirname } from 'node:path';
import type { AnyMachineSnapshot } from 'xstate';
import { demoMachine } from '../../machines/demo.ts';
import { type DeployFacts, deployMachine } from '../../machines/deploy.ts';
import { type DestroyOutput, destroyMachine } from '../../machines/destroy.ts';
import { MACHINE_VERSION, type RunOutput, runMachine } from '../../machines/run.ts';
import type { ClientConfig } from '../aws/clients.ts';
import { type Aws, createAws } from '../aws/index.ts';
import type { CheckpointFile, LedgerEntry, Target } from '../checkpoint/schema.ts';
import {
  type CheckpointStore,
  checkpointPath,
  openCheckpoint,
  readCheckpointFile,
} from '../checkpoint/store.ts';
import { ResilientError } from '../errors.ts';
import type { Answer, Host, Outcome, Question } from '../events.ts';
import { assertValidName, DEFAULT_NAME, resourceNames } from '../names.ts';
import { demoActors } from '../steps/demo.ts';
import { deployActors } from '../steps/deploy.ts';
import { abortableSleep, type StepDeps } from '../steps/deps.ts';
import { destroyActors } from '../steps/destroy.ts';
import { httpGet } from '../steps/http.ts';
import { renderUserData } from '../userdata/index.ts';
import { activeStates, drive } from './drive.ts';
import { stageTimeoutMs, stepPolicies } from './policies.ts';

export { MACHINE_VERSION };

interface Connection {
  readonly stateDir: string;
  readonly region?: string | undefined;
  readonly endpoint?: string | undefined;
  readonly credentials?: ClientConfig['credentials'];
  readonly host: Host;
  readonly signal?: AbortSignal | undefined;
  /** Replace the AWS wrappers (tests: an in-memory cloud). */
  readonly aws?: Aws | undefined;
  readonly userData?: (() => string) | undefined;
  readonly get?: StepDeps['get'] | undefined;
  /** The caller's public IPv4 address for the ingress offer on AWS (default: checkip.amazonaws.com). */
  readonly callerIp?: StepDeps['callerIp'] | undefined;
  /**
   * Called after every checkpoint write with the file and the active states it records (the run's and
   * its phase machine's, e.g. `['deploying', 'deploy:creatingTable']`). For tests and diagnostics.
   */
  readonly onCheckpoint?: ((saved: { path: string; states: string[] }) => void) | undefined;
}

export interface StartOptions extends Connection {
  readonly name?: string | undefined;
  readonly target: 'local' | 'aws';
  readonly region: string;
  readonly yes: boolean;
  readonly keep: boolean;
  readonly timeScale: number;
}

export interface RunResult {
  readonly outcome: Outcome;
  readonly name: string;
  readonly checkpoint: string;
  readonly output?: RunOutput | undefined;
  readonly destroy?: DestroyOutput | undefined;
}

/** The caller's public IPv4 address as AWS sees it. */
async function publicIp(): Promise<string | undefined> {
  const seen = await httpGet('https://checkip.amazonaws.com/', 5_000);
  return typeof seen.body === 'string' && /^\d+\.\d+\.\d+\.\d+$/.test(seen.body.trim())
    ? seen.body.trim()
    : undefined;
}

function buildDeps(
  store: CheckpointStore,
  file: CheckpointFile,
  conn: Connection,
): { deps: StepDeps; close(): void } {
  const region = file.target.region;
  const made =
    conn.aws === undefined
      ? createAws({ region, endpoint: conn.endpoint ?? file.target.endpoint, credentials: conn.credentials })
      : { aws: conn.aws, close: () => {} };
  const names = resourceNames(file.name);
  const timeScale = file.options?.timeScale ?? 1;
  const deps: StepDeps = {
    aws: made.aws,
    ledger: store.ledger,
    names,
    target: file.target.kind,
    region,
    timeScale,
    emit: (event) => conn.host.emit(event),
    userData: conn.userData ?? (() => renderUserData({ region, parameterNames: names.parameters })),
    get: conn.get ?? httpGet,
    callerIp: conn.callerIp ?? publicIp,
    sleep: abortableSleep,
  };
  return { deps, close: made.close };
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
      question: {
        kind: 'confirm-destroy',
        message: 'Do you want to clean up all demo resources?',
        defaultAnswer: true,
      } satisfies Question,
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
        message: `Do you want to add a rule to security group ${groupId} to allow inbound traffic on port 80 from your computer's IP address ${cidr}?`,
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
    const stage = Number(String(Object.keys(demo.value as object)[0]).replace('stage', ''));
    return {
      // Stable per menu state: drive() asks again only after the run has left the prompt (GET, HEALTH).
      key: `menu:${JSON.stringify(demo.value)}`,
      question: { kind: 'demo-menu', stage, defaultAnswer: 'next' } satisfies Question,
      toEvent: (a: Answer) => ({ type: a.kind === 'demo-menu' ? a.choice.toUpperCase() : 'NEXT' }),
    };
  }
  return undefined;
}

const autoAnswer = (q: Question): Answer =>
  q.kind === 'demo-menu' ? { kind: 'demo-menu', choice: 'next' } : { kind: q.kind, yes: q.defaultAnswer };

const savedHook = (conn: Connection, path: string) => {
  const hook = conn.onCheckpoint;
  return hook === undefined
    ? undefined
    : (persisted: unknown) => hook({ path, states: activeStates(persisted) });
};

function provideRun(deps: StepDeps) {
  return runMachine.provide({
    actors: {
      deploy: deployMachine.provide({ actors: deployActors(deps) }),
      demo: demoMachine.provide({ actors: demoActors(deps) }),
      destroy: destroyMachine.provide({ actors: destroyActors(deps) }),
    },
  });
}

async function runFrom(store: CheckpointStore, conn: Connection, fresh: boolean): Promise<RunResult> {
  const file = store.read();
  const { deps, close } = buildDeps(store, file, conn);
  const options = file.options ?? { yes: false, keep: false, timeScale: 1 };
  try {
    const result = await drive({
      machine: provideRun(deps),
      store,
      host: conn.host,
      signal: conn.signal,
      ...(fresh
        ? {
            input: {
              name: file.name,
              policies: stepPolicies(options.timeScale),
              auto: options.yes,
              keep: options.keep,
              stageTimeoutMs: stageTimeoutMs(options.timeScale),
            },
          }
        : { snapshot: file.snapshot, input: undefined }),
      autoAnswer: options.yes ? autoAnswer : undefined,
      prompts: runPrompts,
      onSaved: savedHook(conn, store.path),
    });
    if (result.status === 'interrupted') {
      conn.host.emit({ type: 'run-finished', outcome: 'interrupted' });
      return { outcome: 'interrupted', name: file.name, checkpoint: store.path };
    }
    const output = result.output as RunOutput;
    conn.host.emit({ type: 'run-finished', outcome: output.outcome });
    // Everything is gone and verified: the checkpoint has nothing left to remember.
    if (output.destroy?.outcome === 'succeeded') store.remove();
    return { outcome: output.outcome, name: file.name, checkpoint: store.path, output };
  } finally {
    close();
    store.release();
  }
}

/** `resilient start`: deploy → demo → confirm → destroy, checkpointed at every transition. */
export async function startRun(options: StartOptions): Promise<RunResult> {
  const name = assertValidName(options.name ?? DEFAULT_NAME);
  const target: Target = {
    kind: options.target,
    region: options.region,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
  };
  const store = openCheckpoint({
    stateDir: options.stateDir,
    name,
    machineVersion: MACHINE_VERSION,
    create: { target, options: { yes: options.yes, keep: options.keep, timeScale: options.timeScale } },
  });
  return runFrom(store, options, true);
}

/** `resilient resume`: continue from the checkpoint (idempotent steps re-run what was in flight). */
export async function resumeRun(options: Connection & { name?: string | undefined }): Promise<RunResult> {
  const name = assertValidName(options.name ?? DEFAULT_NAME);
  const store = openCheckpoint({ stateDir: options.stateDir, name, machineVersion: MACHINE_VERSION });
  const file = store.read();
  const status = (file.snapshot as { status?: unknown } | null)?.status;
  if (file.snapshot === null || status !== 'active') {
    store.release();
    throw new ResilientError(
      'USAGE',
      `The run '${name}' has nothing to resume (${status === 'done' ? 'it finished' : 'it never started'}).`,
      {
        hint: `Run \`resilient destroy --name ${name}\` to remove what it made.`,
      },
    );
  }
  return runFrom(store, options, false);
}

/** `resilient destroy`: tear down everything of the deployment (ledger, then by name and tag), then verify. */
export async function destroyRun(
  options: Connection & { name?: string | undefined; fromState?: string | undefined },
): Promise<RunResult> {
  let name = options.name ?? DEFAULT_NAME;
  let stateDir = options.stateDir;
  if (options.fromState !== undefined) {
    const file = readCheckpointFile(options.fromState, MACHINE_VERSION);
    if (file === undefined) throw new ResilientError('USAGE', `No checkpoint at ${options.fromState}.`);
    name = file.name;
    stateDir = dirname(options.fromState);
  }
  assertValidName(name);
  const path = options.fromState ?? checkpointPath(stateDir, name);
  let store: CheckpointStore;
  if (readCheckpointFile(path, MACHINE_VERSION) === undefined) {
    // No checkpoint: destroy by name and tag alone (needs the target from the caller).
    if (options.region === undefined)
      throw new ResilientError('USAGE', `No checkpoint for '${name}'; pass --region to sweep by name.`);
    const target: Target = {
      kind: options.endpoint === undefined ? 'aws' : 'local',
      region: options.region,
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    };
    store = openCheckpoint({ stateDir, name, machineVersion: MACHINE_VERSION, create: { target } });
  } else {
    store = openCheckpoint({ stateDir, name, machineVersion: MACHINE_VERSION, path });
  }
  const file = store.read();
  const { deps, close } = buildDeps(store, file, options);
  const facts = factsOf(file.snapshot);
  const timeScale = file.options?.timeScale ?? 1;
  // Destroy runs as its own machine; the run's snapshot stays as it was, the ledger records progress.
  const snapshotStore: CheckpointStore = { ...store, saveSnapshot: () => {} };
  try {
    const result = await drive({
      machine: destroyMachine.provide({ actors: destroyActors(deps) }),
      store: snapshotStore,
      host: options.host,
      signal: options.signal,
      input: { name, facts, policies: stepPolicies(timeScale) },
      prompts: () => undefined,
      onSaved: savedHook(options, store.path),
    });
    if (result.status === 'interrupted') {
      options.host.emit({ type: 'run-finished', outcome: 'interrupted' });
      return { outcome: 'interrupted', name, checkpoint: store.path };
    }
    const output = result.output as DestroyOutput;
    options.host.emit({ type: 'run-finished', outcome: output.outcome });
    if (output.outcome === 'succeeded') store.remove();
    return { outcome: output.outcome, name, checkpoint: store.path, destroy: output };
  } finally {
    close();
    store.release();
  }
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
    state: phaseChild === undefined ? snap?.value : { [String(snap?.value)]: phaseChild },
    status: snap?.status ?? 'not started',
    endpoint: facts.dnsName === undefined ? undefined : `http://${facts.dnsName}/`,
    ledger: file.ledger,
    updatedAt: file.updatedAt,
  };
}
