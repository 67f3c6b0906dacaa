/**
 * Target health as the seed lists it (spec "2. Check health"): one line per target with its state,
 * and for targets that are not healthy the ALB reason code and description on the next line.
 */
import { SEED_HEALTH_CHECK } from '../../aws/elbv2.ts';
import type { TargetHealthView } from '../../events.ts';
import type { Style } from './style.ts';
import { RULE } from './text.ts';

function colorState(state: string, style: Style): string {
  if (state === 'healthy') return style.green(state);
  if (state === 'unhealthy' || state === 'unavailable') return style.red(state);
  return style.yellow(state);
}

export function renderTargetHealth(targets: readonly TargetHealthView[], style: Style): string {
  const lines = [style.dim(RULE), '', 'Checking the health of load balancer targets:', ''];
  if (targets.length === 0) lines.push('        No targets are registered with the target group yet.');
  for (const t of targets) {
    const port = t.port === undefined ? '' : ` on port ${t.port}`;
    lines.push(`        Target ${t.id}${port} is ${colorState(t.state, style)}`);
    if (t.state !== 'healthy' && (t.reason !== undefined || t.description !== undefined)) {
      lines.push(`                ${[t.reason, t.description].filter((x) => x !== undefined).join(': ')}`);
      lines.push('');
    }
  }
  lines.push(
    '',
    style.dim('Note that it can take a little while for the health checks to update after a change'),
    style.dim(
      `(interval × threshold: ${SEED_HEALTH_CHECK.intervalSeconds * SEED_HEALTH_CHECK.unhealthyThreshold} seconds with this target group; on the local cloud, times --time-scale).`,
    ),
    '',
    style.dim(RULE),
  );
  return lines.join('\n');
}
