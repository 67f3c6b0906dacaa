/**
 * `resilient start`: deploy → demo (the seven stages, or `--experiment FILE`) → ask → destroy,
 * checkpointed at every transition.
 * Without a terminal it needs --yes, and says so at once: it never starts something it cannot finish.
 */
import { ResilientError, usageError } from '../../errors.ts';
import { checkpointFileOf, readRecordedRun } from '../checkpoint-target.ts';
import type { CommandContext } from '../commands.ts';
import { type Connection, connectAws, connectLocal } from '../connect.ts';
import { guardedPrompt } from '../interrupt.ts';
import { parsePort } from '../options.ts';
import { askStartDeploy } from '../questions.ts';
import { renderIntro } from '../render/intro.ts';
import { resolveRunOptions } from '../run-options.ts';
import { recordingFlags, withRecording } from '../run-recording.ts';
import { localControl, runSession, sessionPrompter } from '../run-session.ts';

export async function run({ io, values, command }: CommandContext): Promise<void> {
  const options = await resolveRunOptions(values, io.env);
  const recording = recordingFlags(values);
  const port = typeof values.port === 'string' ? parsePort(values.port) : undefined;
  if (port !== undefined && options.target !== 'local') {
    throw usageError("--port is the local cloud's port: it only applies to --target local");
  }
  if (!options.yes && !io.interactive) {
    throw usageError(
      'resilient start asks questions (the demo menu after each stage, and before destroying) and there is no terminal to ask on: pass --yes',
      '--yes answers with the defaults and verifies every stage automatically; run resilient start --help',
    );
  }
  // One run per name: say so before the intro, the local cloud and the first question, not after.
  const file = await checkpointFileOf(options.stateDir, options.name);
  if ((await readRecordedRun(file, options.stateDir)) !== undefined) {
    throw new ResilientError('USAGE', `A run named '${options.name}' already exists (${file}).`, {
      hint: `continue it: resilient resume --name ${options.name}   or remove it: resilient destroy --name ${options.name}   or pick another --name`,
    });
  }
  // --experiment FILE is checked before anything is created or started, with `drill validate`'s
  // messages (exit 2); its content goes into the run plan, so a resume does not read the file again.
  const experimentFile = typeof values.experiment === 'string' ? values.experiment : undefined;
  const experiment =
    experimentFile === undefined
      ? undefined
      : {
          source: experimentFile,
          experiment: (await import('../../drill/load.ts')).loadExperiment(experimentFile, options.target),
        };
  const prompter = sessionPrompter(io, options.yes, command);
  io.line(renderIntro(options.target, options.name, io.style));
  if (experiment !== undefined)
    io.line(
      `Experiment: ${experiment.experiment.title} (${experiment.source}), instead of the seven stages.`,
    );
  if (options.notice !== undefined) io.line(io.style.yellow(options.notice));
  const nothingYet = () =>
    new ResilientError('INTERRUPTED', 'Cancelled. Nothing was created.', {
      hint: 'run resilient start again when you are ready',
    });
  const connection: Connection | undefined = await guardedPrompt(
    io,
    async () => {
      if (options.target !== 'local') {
        return connectAws(io, prompter, { region: options.region, creating: true });
      }
      // Ask before starting anything, the local cloud included.
      if (!(await askStartDeploy(prompter))) return undefined;
      return connectLocal(io, {
        stateDir: options.stateDir,
        timeScale: options.timeScale,
        region: options.region ?? 'us-west-2',
        port,
        // Only an explicit --time-scale conflicts with a running cloud; otherwise the run takes its scale.
        onOtherTimeScale: typeof values['time-scale'] === 'string' ? 'refuse' : 'adopt',
      });
    },
    nothingYet,
  );
  if (connection === undefined) {
    io.line('Nothing was created.');
    return;
  }
  const conn = connection;
  const { startRun } = await import('../../run/index.ts');
  const control = await localControl(options.target, conn);
  const timeScale = conn.timeScale ?? options.timeScale;
  const run = { name: options.name, target: options.target, region: conn.region, timeScale };
  const session = { stateDir: options.stateDir, run, command: 'start', fresh: true, cloud: conn };
  const result = await withRecording(io, recording, session, (tap) =>
    runSession(
      io,
      prompter,
      (host, signal) =>
        startRun({
          name: options.name,
          target: options.target,
          region: conn.region,
          endpoint: conn.endpoint,
          credentials: conn.credentials,
          stateDir: options.stateDir,
          yes: options.yes,
          keep: options.keep,
          timeScale,
          reports: recording.reportDir,
          experiment,
          control,
          host: tap(host),
          signal,
        }),
      { name: options.name, checkpoint: file },
    ),
  );
  if (result.outcome === 'kept') {
    io.line(
      `The resources of '${result.name}' are kept. Remove them with: resilient destroy --name ${result.name}`,
    );
  }
}
