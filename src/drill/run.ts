/**
 * `resilient drill FILE --name N`: runs an experiment against a deployment kept by
 * `resilient start --keep --name N`. The drill is checkpointed beside the run's checkpoint
 * (`<state-dir>/<name>.drill.json`, under the deployment's lock): an interrupted drill is resumed by
 * running the same command again, at its stage, with the instances its selectors chose, and ends
 * with its rollbacks. The experiment is checked before anything is touched (exit 2, nothing changed).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DRILL_MACHINE_VERSION, type DrillOutput, drillMachine } from '../../machines/drill.ts';
import { MACHINE_VERSION } from '../../machines/run.ts';
import type { ClientConfig } from '../aws/clients.ts';
import { type Aws, createAws } from '../aws/index.ts';
import { checkpointPath, openCheckpoint, readCheckpointFile } from '../checkpoint/store.ts';
import { ResilientError } from '../errors.ts';
import type { Host } from '../events.ts';
import { assertValidName, resourceNames } from '../names.ts';
import { drive } from '../run/drive.ts';
import { factsOf } from '../run/index.ts';
import { stageTimeoutMs } from '../run/policies.ts';
import { abortableSleep, type StepDeps } from '../steps/deps.ts';
import { httpGet } from '../steps/http.ts';
import { type DrillControl, drillActors } from './actors.ts';
import { loadExperiment } from './load.ts';

export interface DrillOptions {
  readonly stateDir: string;
  readonly name: string;
  readonly file: string;
  readonly host: Host;
  readonly signal?: AbortSignal | undefined;
  readonly endpoint?: string | undefined;
  readonly credentials?: ClientConfig['credentials'];
  /** The local cloud's control route (fault, api-faults); undefined on aws. */
  readonly control?: DrillControl | undefined;
  /** Tests: an in-memory cloud and its GET. */
  readonly aws?: Aws | undefined;
  readonly get?: StepDeps['get'] | undefined;
}

export interface DrillResult {
  readonly outcome: DrillOutput['outcome'] | 'interrupted';
  readonly output?: DrillOutput | undefined;
  readonly checkpoint: string;
}

export const drillCheckpointPath = (stateDir: string, name: string): string =>
  join(stateDir, `${name}.drill.json`);

export async function runDrill(options: DrillOptions): Promise<DrillResult> {
  const name = assertValidName(options.name);
  const run = readCheckpointFile(checkpointPath(options.stateDir, name), MACHINE_VERSION);
  const facts = run === undefined ? undefined : factsOf(run.snapshot);
  if (run === undefined || facts?.dnsName === undefined || facts.targetGroupArn === undefined)
    throw new ResilientError('USAGE', `No deployment named '${name}' to drill in ${options.stateDir}.`, {
      hint: `Deploy one and keep it: \`resilient start --keep --name ${name}\` (then \`resilient destroy --name ${name}\`).`,
    });
  // Bad input exits 2 before any cloud is touched.
  const experiment = loadExperiment(options.file, run.target.kind);
  const path = drillCheckpointPath(options.stateDir, name);
  const resuming = existsSync(path);
  const store = openCheckpoint({
    stateDir: options.stateDir,
    name,
    machineVersion: DRILL_MACHINE_VERSION,
    path,
    ...(resuming ? {} : { create: { target: run.target, plan: run.plan } }),
  });
  const made =
    options.aws === undefined
      ? createAws({
          region: run.target.region,
          endpoint: options.endpoint ?? run.target.endpoint,
          credentials: options.credentials,
        })
      : { aws: options.aws, close: () => {} };
  const timeScale = run.plan.timeScale;
  const deps = {
    aws: made.aws,
    ledger: store.ledger,
    names: resourceNames(name),
    target: run.target.kind,
    region: run.target.region,
    timeScale,
    emit: (event) => options.host.emit(event),
    userData: () => '',
    get: options.get ?? httpGet,
    callerIp: async () => undefined,
    sleep: abortableSleep,
    interrupt: options.signal,
    control: options.control,
  } satisfies Parameters<typeof drillActors>[0];
  try {
    const previous = store.read().snapshot as { status?: string } | null;
    const restore = resuming && previous !== null && previous.status === 'active';
    const result = await drive({
      machine: drillMachine.provide({ actors: drillActors(deps) }),
      store,
      host: options.host,
      signal: options.signal,
      ...(restore
        ? { snapshot: previous, input: undefined }
        : {
            input: {
              experiment,
              facts,
              stageTimeoutMs: stageTimeoutMs(timeScale),
              timeScale,
            },
          }),
      prompts: () => undefined,
    });
    if (result.status === 'interrupted') {
      options.host.emit({ type: 'run-finished', outcome: 'interrupted' });
      return { outcome: 'interrupted', checkpoint: path };
    }
    const output = result.output as DrillOutput;
    options.host.emit({
      type: 'run-finished',
      outcome: output.outcome === 'passed' ? 'succeeded' : 'failed',
    });
    // A finished drill has nothing to resume: the next one starts afresh.
    store.remove();
    return { outcome: output.outcome, output, checkpoint: path };
  } finally {
    made.close();
    store.release();
  }
}
