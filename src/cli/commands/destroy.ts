/**
 * `resilient destroy [--name N | --from-state FILE]`: delete everything the checkpoint records, then
 * sweep by tag and name, then verify. Without a checkpoint it sweeps by name and tag on --target.
 * Asks first on a terminal; without one it needs --yes.
 */
import path from 'node:path';
import { ResilientError, usageError } from '../../errors.ts';
import {
  checkpointFileOf,
  connectRecorded,
  type RecordedRun,
  readRecordedRun,
} from '../checkpoint-target.ts';
import type { CommandContext } from '../commands.ts';
import { guardedPrompt } from '../interrupt.ts';
import { interruptedRunError } from '../outcome.ts';
import { resolveRunOptions } from '../run-options.ts';
import { runSession, sessionPrompter } from '../run-session.ts';
import { DEFAULTS } from '../settings.ts';

export async function run({ io, values, command }: CommandContext): Promise<void> {
  const options = await resolveRunOptions(values, io.env);
  const fromState = typeof values['from-state'] === 'string' ? path.resolve(values['from-state']) : undefined;
  if (fromState !== undefined && typeof values.name === 'string') {
    throw usageError('pass either --name or --from-state, not both');
  }
  const file = fromState ?? (await checkpointFileOf(options.stateDir, options.name));
  // Any version's checkpoint will do (destroy needs its target, account and ledger, not its snapshot). A
  // corrupt one named by --name is no reason to leave resources behind: sweep by name and tag instead
  // (the run API moves the file aside first).
  let found: RecordedRun | undefined;
  try {
    found = await readRecordedRun(
      file,
      fromState === undefined ? options.stateDir : path.dirname(fromState),
      true,
    );
  } catch (error: unknown) {
    if (!(error instanceof ResilientError) || error.code !== 'CHECKPOINT' || fromState !== undefined)
      throw error;
    io.line(`The checkpoint ${file} is unreadable: ${error.message}`);
  }
  if (found === undefined && fromState !== undefined) {
    throw new ResilientError('USAGE', `There is no checkpoint at ${fromState}.`, {
      hint: 'pass the checkpoint file a run wrote (<state-dir>/<name>.json), or --name to sweep by name',
    });
  }
  // No checkpoint (lost, or never written): the resources still carry the deployment's names and tag.
  const recorded: RecordedRun = found ?? {
    name: options.name,
    target: { kind: options.target, region: options.region ?? DEFAULTS.region },
    timeScale: options.timeScale,
    stateDir: options.stateDir,
    yes: options.yes,
  };
  if (found === undefined) {
    io.line(
      `No checkpoint for '${recorded.name}' in ${options.stateDir}: sweeping ${recorded.target.kind} by name and tag.`,
    );
  }
  const prompter = sessionPrompter(io, options.yes, command);
  // Ctrl+C at the question: nothing was deleted, and the run (if any) can still be resumed or destroyed.
  const cancelled = () =>
    found === undefined
      ? new ResilientError('INTERRUPTED', 'Cancelled. Nothing was deleted.', {
          hint: `tear down later with: resilient destroy --name ${recorded.name}`,
        })
      : interruptedRunError(recorded.name, file);
  const go = await guardedPrompt(
    io,
    () =>
      prompter.confirm({
        name: 'destroy',
        message: `Destroy every resource of deployment '${recorded.name}' on ${recorded.target.kind} (${recorded.target.region})?`,
        initial: true,
        flag: '--yes',
      }),
    cancelled,
  );
  if (!go) {
    io.line('Nothing was deleted.');
    return;
  }
  const conn = await connectRecorded(io, prompter, recorded, false);
  const { destroyRun } = await import('../../run/index.ts');
  await runSession(
    io,
    prompter,
    (host, signal) =>
      destroyRun({
        name: recorded.name,
        stateDir: recorded.stateDir,
        fromState: found === undefined ? undefined : file,
        region: conn.region,
        endpoint: conn.endpoint,
        credentials: conn.credentials,
        host,
        signal,
      }),
    found === undefined ? undefined : { name: recorded.name, checkpoint: file },
  );
  io.line(`${io.style.green('✓')} Everything of '${recorded.name}' is gone.`);
}
