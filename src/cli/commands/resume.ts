/** `resilient resume`: continue an interrupted run from its checkpoint, on the target it recorded. */
import { ResilientError } from '../../errors.ts';
import { checkpointFileOf, connectRecorded, readRecordedRun } from '../checkpoint-target.ts';
import type { CommandContext } from '../commands.ts';
import { resolveRunOptions } from '../run-options.ts';
import { recordingFlags, resumedFlags, withRecording } from '../run-recording.ts';
import { localControl, runSession, sessionPrompter } from '../run-session.ts';

export async function run({ io, values, command }: CommandContext): Promise<void> {
  const options = await resolveRunOptions(values, io.env);
  const recording = recordingFlags(values);
  const file = await checkpointFileOf(options.stateDir, options.name);
  const recorded = await readRecordedRun(file, options.stateDir);
  if (recorded === undefined) {
    throw new ResilientError('USAGE', `There is no run named '${options.name}' to resume (no ${file}).`, {
      hint: 'start one with: resilient start (or pass --name / --state-dir)',
    });
  }
  // A run started with --yes answers its own questions; any other needs a terminal or --yes now.
  if (!recorded.yes && !options.yes && !io.interactive) {
    throw new ResilientError(
      'USAGE',
      `the run '${recorded.name}' was interactive and there is no terminal to ask on: pass --yes`,
      { hint: '--yes answers the remaining questions with their defaults; run resilient resume --help' },
    );
  }
  const prompter = sessionPrompter(io, options.yes, command);
  const conn = await connectRecorded(io, prompter, recorded, true);
  io.line(`Resuming run '${recorded.name}' on ${recorded.target.kind} (${recorded.target.region})...`);
  const { resumeRun } = await import('../../run/index.ts');
  const control = await localControl(recorded.target.kind, conn);
  const run = {
    name: recorded.name,
    target: recorded.target.kind,
    region: conn.region,
    timeScale: recorded.timeScale,
  };
  const session = { stateDir: options.stateDir, run, command: 'resume', fresh: false, cloud: conn };
  const result = await withRecording(io, await resumedFlags(recording, file), session, (tap) =>
    runSession(
      io,
      prompter,
      (host, signal) =>
        resumeRun({
          name: recorded.name,
          stateDir: options.stateDir,
          region: conn.region,
          endpoint: conn.endpoint,
          credentials: conn.credentials,
          control,
          host: tap(host),
          signal,
        }),
      { name: recorded.name, checkpoint: file },
    ),
  );
  if (result.outcome === 'kept') {
    io.line(
      `The resources of '${result.name}' are kept. Remove them with: resilient destroy --name ${result.name}`,
    );
  }
}
