/**
 * What start, resume and destroy share around a run: the prompter and host, Ctrl+C handling (first:
 * stop after the call in flight; second: now), the prompt Ctrl+C guard, and turning the outcome into
 * a success or a ResilientError.
 */
import type { DrillControl } from '../drill/actors.ts';
import { ResilientError } from '../errors.ts';
import type { RunResult } from '../run/index.ts';
import { type CliHost, createHost } from './host.ts';
import { guardPromptCtrlC, installInterrupt } from './interrupt.ts';
import type { Io } from './io.ts';
import { interruptedRunError, outcomeError } from './outcome.ts';
import { createPrompter, type Prompter } from './prompter.ts';

/**
 * The local cloud's control route for an experiment's `fault` and `api-faults` actions (and their
 * rollbacks): only on `local`, with the admin credentials the daemon wrote; undefined on aws.
 */
export async function localControl(
  target: 'local' | 'aws',
  conn: {
    readonly endpoint?: string | undefined;
    readonly credentials?: { readonly secretAccessKey: string } | undefined;
  },
): Promise<DrillControl | undefined> {
  if (target !== 'local' || conn.endpoint === undefined || conn.credentials === undefined) return undefined;
  const { createControlClient } = await import('../local/control/client.ts');
  return createControlClient({ endpoint: conn.endpoint, adminSecret: conn.credentials.secretAccessKey });
}

export function sessionPrompter(io: Io, yes: boolean, command: string): Prompter {
  return createPrompter({ interactive: io.interactive, yes, command, color: io.style.enabled });
}

/** The run a session drives, so that Ctrl+C at one of its prompts can say what to do next. */
export interface SessionRun {
  readonly name: string;
  readonly checkpoint: string;
}

export async function runSession(
  io: Io,
  prompter: Prompter,
  go: (host: CliHost, signal: AbortSignal) => Promise<RunResult>,
  run?: SessionRun,
): Promise<RunResult> {
  const interrupt = installInterrupt(io, {
    firstMessage:
      'Stopping after the call in flight (an experiment runs its rollbacks first); the run is checkpointed.',
  });
  // Ctrl+C at a prompt is a keypress (the terminal is raw), not SIGINT: enquirer cancels the prompt,
  // by rejecting (Node < 24.2) or by an uncaught ERR_USE_AFTER_CLOSE (Node >= 24.2). At the demo menu
  // (inside an experiment's method) the host turns it into the interrupt, as a first SIGINT: the drill
  // rolls back, then the run stops. At any other prompt nothing is in flight: it ends the run now with
  // what any interrupted run says: its name, and resume or destroy.
  const host = createHost(io, prompter, interrupt);
  const cancelled = run === undefined ? undefined : () => interruptedRunError(run.name, run.checkpoint);
  const releaseGuard = guardPromptCtrlC(io, undefined, cancelled, () => host.ctrlCAtPrompt());
  try {
    let result: RunResult;
    try {
      result = await go(host, interrupt.signal);
    } catch (error: unknown) {
      if (cancelled !== undefined && error instanceof ResilientError && error.code === 'INTERRUPTED') {
        throw cancelled();
      }
      throw error;
    }
    host.renderer.settle();
    const error = outcomeError(result);
    if (error !== undefined) throw error;
    return result;
  } finally {
    host.renderer.settle();
    releaseGuard();
    interrupt.dispose();
  }
}
