/**
 * What start, resume and destroy share around a run: the prompter and host, Ctrl+C handling (first:
 * stop after the call in flight; second: now), the prompt Ctrl+C guard, and turning the outcome into
 * a success or a ResilientError.
 */
import type { RunResult } from '../run/index.ts';
import { type CliHost, createHost } from './host.ts';
import { guardPromptCtrlC, installInterrupt } from './interrupt.ts';
import type { Io } from './io.ts';
import { outcomeError } from './outcome.ts';
import { createPrompter, type Prompter } from './prompter.ts';

export function sessionPrompter(io: Io, yes: boolean, command: string): Prompter {
  return createPrompter({ interactive: io.interactive, yes, command, color: io.style.enabled });
}

export async function runSession(
  io: Io,
  prompter: Prompter,
  go: (host: CliHost, signal: AbortSignal) => Promise<RunResult>,
): Promise<RunResult> {
  const host = createHost(io, prompter);
  const interrupt = installInterrupt(io, {
    firstMessage: 'Stopping after the call in flight; the run is checkpointed.',
  });
  const releaseGuard = guardPromptCtrlC(io);
  try {
    const result = await go(host, interrupt.signal);
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
