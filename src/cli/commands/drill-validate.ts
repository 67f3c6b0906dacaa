/**
 * `resilient drill validate FILE [--target local|aws]`: parses and checks an experiment file against
 * resources/experiment.schema.json and the rules a schema cannot state (selectors, local-only
 * actions, parameter values), touching no cloud. Exit 0 with a summary, or 2 with the file, the
 * JSON pointer and line, and what was expected.
 */
import { usageError } from '../../errors.ts';
import type { CommandContext } from '../commands.ts';

export async function run({ io, values, positionals }: CommandContext): Promise<void> {
  const file = positionals[0];
  if (file === undefined) throw usageError('drill validate needs an experiment file');
  const target = values.target;
  if (target !== undefined && target !== 'local' && target !== 'aws')
    throw usageError(`--target must be local or aws, not '${String(target)}'`);
  const { loadExperiment } = await import('../../drill/load.ts');
  const experiment = loadExperiment(file, target);
  const actions = experiment.method.reduce((n, s) => n + (s.actions?.length ?? 0), 0);
  const checks = experiment.method.reduce(
    (n, s) => n + (s.expect?.length ?? 0) + (s.continuous?.length ?? 0) + (s.wait === undefined ? 0 : 1),
    0,
  );
  io.line(`${io.style.green('✓')} ${file}: ${experiment.title}`);
  io.line(
    `  ${experiment.method.length} stages, ${actions} actions, ${checks} checks, ${experiment.steadyState?.probes.length ?? 0} steady-state probes, ${experiment.rollbacks?.length ?? 0} rollbacks, ${experiment.stopConditions?.length ?? 0} stop conditions`,
  );
  io.line(`  runs on: ${(experiment.targets ?? ['local', 'aws']).join(', ')}`);
}
