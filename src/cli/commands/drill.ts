/**
 * `resilient drill FILE --name N`: runs an experiment file against a deployment kept by
 * `resilient start --keep`. The file is validated before anything is touched (exit 2); PASS exits 0,
 * a failed or aborted drill 1, Ctrl+C 130 after the rollbacks (run the same command again to resume the drill).
 */
import { ResilientError, usageError } from '../../errors.ts';
import { checkpointFileOf, connectRecorded, readRecordedRun } from '../checkpoint-target.ts';
import type { CommandContext } from '../commands.ts';
import { createHost } from '../host.ts';
import { installInterrupt } from '../interrupt.ts';
import { resolveRunOptions } from '../run-options.ts';
import { recordingFlags } from '../run-recording.ts';
import { localControl, sessionPrompter } from '../run-session.ts';

export async function run({ io, values, positionals, command }: CommandContext): Promise<void> {
  const file = positionals[0];
  if (file === undefined) throw usageError('drill needs an experiment file');
  const options = await resolveRunOptions(values, io.env);
  const flags = recordingFlags(values);
  const checkpoint = await checkpointFileOf(options.stateDir, options.name);
  const recorded = await readRecordedRun(checkpoint, options.stateDir);
  if (recorded === undefined)
    throw new ResilientError('USAGE', `No deployment named '${options.name}' to drill (no ${checkpoint}).`, {
      hint: `Deploy one and keep it: resilient start --keep --name ${options.name}`,
    });
  const { loadExperiment } = await import('../../drill/load.ts');
  const experiment = loadExperiment(file, recorded.target.kind);
  const prompter = sessionPrompter(io, true, command);
  const conn = await connectRecorded(io, prompter, recorded, true);
  const control = await localControl(recorded.target.kind, conn);
  io.line(
    `Drill '${experiment.title}' against '${recorded.name}' on ${recorded.target.kind} (${conn.region})...`,
  );
  const host = createHost(io, prompter);
  // --report DIR, --web: the drill's events go to the run's journal (appended: a drill is a later part
  // of the deployment's journal), to the live page, and to the reports when it ends.
  const { openRecording } = await import('../../report/session.ts');
  const recording = await openRecording({
    stateDir: options.stateDir,
    run: {
      name: recorded.name,
      target: recorded.target.kind,
      region: conn.region,
      timeScale: recorded.timeScale,
    },
    command: 'drill',
    fresh: false,
    deployed: true,
    reportDir: flags.reportDir,
    web: flags.web,
    probeRate: flags.probeRate,
    cloud: conn,
    line: (text) => io.line(text),
  });
  const interrupt = installInterrupt(io, {
    firstMessage: 'Stopping: the call in flight finishes, then the rollbacks run; the drill is checkpointed.',
  });
  try {
    const { runDrill } = await import('../../drill/run.ts');
    const result = await runDrill({
      stateDir: options.stateDir,
      name: recorded.name,
      file,
      host: recording.tap(host),
      signal: interrupt.signal,
      endpoint: conn.endpoint,
      credentials: conn.credentials,
      control,
    });
    host.renderer.settle();
    const stages = result.output?.results ?? [];
    for (const r of stages) {
      io.line(`${r.pass ? io.style.green('PASS') : io.style.red('FAIL')} stage ${r.stage}: ${r.title}`);
      for (const reason of r.reasons) io.line(`  ${io.style.red('✗')} ${reason}`);
    }
    if (result.outcome === 'interrupted')
      throw new ResilientError(
        'INTERRUPTED',
        `The drill was interrupted; its checkpoint is ${result.checkpoint}.`,
        {
          hint: `Run the same command again to resume it (after the rollbacks of a first Ctrl+C, its method runs anew): resilient drill ${file} --name ${recorded.name}`,
        },
      );
    if (result.outcome !== 'passed') {
      const o = result.output;
      const why =
        o?.stopped !== undefined
          ? `stop condition '${o.stopped}' held`
          : (o?.error ??
            (o?.before?.pass === false
              ? `the steady state did not hold before the method: ${o.before.reasons.join('; ')}`
              : o?.after?.pass === false
                ? `the steady state did not come back: ${o.after.reasons.join('; ')}`
                : 'a stage did not behave as expected'));
      throw new ResilientError('VERIFICATION', `Drill '${experiment.title}' ${result.outcome}: ${why}.`, {
        hint: 'The rollbacks ran; the deployment is kept.',
      });
    }
    io.line(
      `${io.style.green('✓')} Drill '${experiment.title}' passed; the rollbacks ran; the deployment is kept.`,
    );
  } finally {
    host.renderer.settle();
    interrupt.dispose();
    await recording.finish().catch((error: unknown) => {
      io.warn(`Could not write the report: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
}
