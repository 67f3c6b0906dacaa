/**
 * Runs a CLI command and SIGKILLs it as soon as its output contains a marker: the crash drill's way of
 * choosing a point in the run (the CLI prints a step's line after the step is checkpointed).
 */
import { spawnCli } from '../../_support/cli.ts';

export interface Crash {
  /** True when the marker was seen and the kill sent. */
  readonly killed: boolean;
  readonly signal: NodeJS.Signals | null;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runUntilKilled(
  args: readonly string[],
  marker: string,
  env: Readonly<Record<string, string>>,
  deadlineMs = 170_000,
): Promise<Crash> {
  let killed = false;
  const result = await spawnCli(args, {
    env,
    deadlineMs,
    onStdout: (out, child) => {
      if (!killed && out.includes(marker)) {
        killed = true;
        child.kill('SIGKILL');
      }
    },
  });
  return { killed, ...result };
}
