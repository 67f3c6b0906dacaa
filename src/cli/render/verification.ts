/**
 * What a `--yes` run saw at each stage, and whether that matches the stage's row in docs/architecture.md#the-seven-stages: status counts,
 * answer kinds, instances and zones seen, target states, and the reasons when it does not.
 */
import type { RunEvent } from '../../events.ts';
import type { Style } from './style.ts';
import { formatCounts } from './text.ts';

type Observation = Extract<RunEvent, { type: 'observation' }>;

export function renderObservation(o: Observation, style: Style): string {
  const verdict = o.pass ? style.green('PASS') : style.red('FAIL');
  const targets =
    o.targets.length === 0
      ? 'none registered'
      : o.targets
          .map((t) => `${t.id} ${t.state}${t.reason === undefined ? '' : ` (${t.reason})`}`)
          .join(', ');
  const lines = [
    `${style.bold(`Stage ${o.stage} verification:`)} ${verdict}`,
    `  GET status:     ${formatCounts(o.statusCounts)}`,
    `  answers:        ${formatCounts(o.kinds)}`,
    `  instances seen: ${o.instances.length === 0 ? 'none' : o.instances.join(', ')}`,
    `  zones seen:     ${o.zones.length === 0 ? 'none' : o.zones.join(', ')}`,
    `  target health:  ${targets}`,
  ];
  if (!o.pass) for (const reason of o.reasons) lines.push(`  ${style.red('✗')} ${reason}`);
  return lines.join('\n');
}
