/**
 * `resilient destroy [--name N | --from-state FILE]`: delete everything the checkpoint records, then
 * sweep by tag and name, then verify. Asks first on a terminal; without one it needs --yes.
 */
import path from 'node:path';
import { ResilientError, usageError } from '../../errors.ts';
import { checkpointFileOf, connectRecorded, readRecordedRun } from '../checkpoint-target.ts';
import type { CommandContext } from '../commands.ts';
import { resolveRunOptions } from '../run-options.ts';
import { runSession, sessionPrompter } from '../run-session.ts';

export async function run({ io, values, command }: CommandContext): Promise<void> {
  const options = await resolveRunOptions(values, io.env);
  const fromState = typeof values['from-state'] === 'string' ? path.resolve(values['from-state']) : undefined;
  if (fromState !== undefined && typeof values.name === 'string') {
    throw usageError('pass either --name or --from-state, not both');
  }
  const file = fromState ?? (await checkpointFileOf(options.stateDir, options.name));
  const recorded = await readRecordedRun(
    file,
    fromState === undefined ? options.stateDir : path.dirname(fromState),
  );
  if (recorded === undefined) {
    throw new ResilientError('USAGE', `There is no checkpoint at ${file}: nothing is recorded to destroy.`, {
      hint: 'pass --name or --from-state, or --state-dir where the run was started',
    });
  }
  const prompter = sessionPrompter(io, options.yes, command);
  const go = await prompter.confirm({
    name: 'destroy',
    message: `Destroy every resource of deployment '${recorded.name}' on ${recorded.target.kind} (${recorded.target.region})?`,
    initial: true,
    flag: '--yes',
  });
  if (!go) {
    io.line('Nothing was deleted.');
    return;
  }
  const conn = await connectRecorded(io, prompter, recorded);
  const { destroyRun } = await import('../../run/index.ts');
  await runSession(io, prompter, (host, signal) =>
    destroyRun({
      name: recorded.name,
      stateDir: recorded.stateDir,
      fromState: file,
      region: conn.region,
      endpoint: conn.endpoint,
      credentials: conn.credentials,
      host,
      signal,
    }),
  );
  io.line(`${io.style.green('✓')} Everything of '${recorded.name}' is gone.`);
}
