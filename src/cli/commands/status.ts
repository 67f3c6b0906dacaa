/**
 * `resilient status [--json]`: the run's machine state and ledger from its checkpoint (read without
 * taking the lock, so it works while the run is going), plus the live health of its targets when
 * the cloud answers. The JSON document is described in USAGE.md ("status --json").
 */
import type { ClientConfig } from '../../aws/config.ts';
import type { Account } from '../../checkpoint/schema.ts';
import { ResilientError } from '../../errors.ts';
import type { TargetHealthView } from '../../events.ts';
import type { CommandContext } from '../commands.ts';
import type { Io } from '../io.ts';
import { renderTargetHealth } from '../render/target-health.ts';
import { resolveRunOptions } from '../run-options.ts';

export const STATUS_SCHEMA = 'resilient.status/1';

export type LiveHealth =
  | { readonly available: true; readonly targets: readonly TargetHealthView[] }
  | { readonly available: false; readonly reason: string };

export interface StatusDocument {
  readonly schema: typeof STATUS_SCHEMA;
  readonly name: string;
  /** The state directory the checkpoint was looked for in (absolute). */
  readonly stateDir: string;
  readonly exists: boolean;
  readonly target: {
    readonly kind: 'local' | 'aws';
    readonly region: string;
    readonly endpoint: string | null;
  } | null;
  /** XState snapshot status: active, done, error, stopped, or 'not started'. */
  readonly status: string | null;
  /** The machine state value: the phase, and the phase machine's state inside it. */
  readonly state: unknown;
  readonly endpoint: string | null;
  readonly updatedAt: string | null;
  readonly resources: readonly {
    readonly kind: string;
    readonly name: string;
    readonly id: string | null;
    readonly arn: string | null;
    readonly status: string;
  }[];
  readonly targetHealth: LiveHealth;
}

async function liveHealth(
  io: Io,
  stateDir: string,
  target: { kind: 'local' | 'aws'; region: string },
  targetGroupArn: string | undefined,
  account: Account | undefined,
  name: string,
): Promise<LiveHealth> {
  if (targetGroupArn === undefined) return { available: false, reason: 'no target group exists' };
  let config: ClientConfig = { region: target.region, maxAttempts: 2 };
  if (target.kind === 'local') {
    const { requireLocalCloud } = await import('../local-target.ts');
    try {
      const local = await requireLocalCloud(stateDir);
      config = { ...config, region: local.region, endpoint: local.endpoint, credentials: local.credentials };
    } catch {
      return { available: false, reason: 'the local cloud is not running' };
    }
  }
  const failure = (error: unknown): string =>
    error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  // The run is pinned to its account: another account's credentials are refused before any other call.
  const { openSts } = await import('../../aws/sts.ts');
  const sts = openSts(config);
  try {
    const who = await sts.api.getCallerIdentity({ signal: AbortSignal.timeout(5_000) });
    const { assertSameAccount } = await import('../../run/pin.ts');
    assertSameAccount(
      name,
      account,
      { id: who.account, partition: who.arn.split(':')[1] || 'aws' },
      'show its live status',
    );
  } catch (error: unknown) {
    if (error instanceof ResilientError) throw error;
    return { available: false, reason: failure(error) };
  } finally {
    sts.close();
  }
  const { openElbv2 } = await import('../../aws/elbv2.ts');
  const elbv2 = openElbv2(config);
  try {
    const health = await elbv2.api.targetHealth(targetGroupArn, { signal: AbortSignal.timeout(5_000) });
    if (health === undefined) return { available: false, reason: `target group ${targetGroupArn} not found` };
    return {
      available: true,
      targets: health.map((d) => ({
        id: d.Target?.Id ?? '?',
        port: d.Target?.Port,
        state: d.TargetHealth?.State ?? 'unknown',
        reason: d.TargetHealth?.Reason,
        description: d.TargetHealth?.Description,
      })),
    };
  } catch (error: unknown) {
    const reason = failure(error);
    if (io.env['RESILIENT_DEBUG'] !== undefined) io.warn(reason);
    return { available: false, reason };
  } finally {
    elbv2.close();
  }
}

export async function buildStatus(io: Io, stateDir: string, name: string): Promise<StatusDocument> {
  const { runStatus } = await import('../../run/index.ts');
  const status = runStatus({ stateDir, name });
  if (status === undefined) {
    return {
      schema: STATUS_SCHEMA,
      name,
      stateDir,
      exists: false,
      target: null,
      status: null,
      state: null,
      endpoint: null,
      updatedAt: null,
      resources: [],
      targetHealth: { available: false, reason: 'no run' },
    };
  }
  const tg = status.ledger.find((e) => e.kind === 'target-group' && e.status === 'created');
  return {
    schema: STATUS_SCHEMA,
    name: status.name,
    stateDir,
    exists: true,
    target: {
      kind: status.target.kind,
      region: status.target.region,
      endpoint: status.target.endpoint ?? null,
    },
    status: status.status,
    state: status.state ?? null,
    endpoint: status.endpoint ?? null,
    updatedAt: status.updatedAt,
    resources: status.ledger.map((e) => ({
      kind: e.kind,
      name: e.name,
      id: e.id ?? null,
      arn: e.arn ?? null,
      status: e.status,
    })),
    targetHealth: await liveHealth(io, stateDir, status.target, tg?.arn, status.account, status.name),
  };
}

function stateText(state: unknown): string {
  if (state === null || state === undefined) return 'not started';
  if (typeof state === 'string') return state;
  return Object.entries(state as Record<string, unknown>)
    .map(([k, v]) => `${k} › ${stateText(v)}`)
    .join(', ');
}

export async function run({ io, values }: CommandContext): Promise<void> {
  const options = await resolveRunOptions(values, io.env);
  const doc = await buildStatus(io, options.stateDir, options.name);
  if (values.json === true) {
    io.line(JSON.stringify(doc, null, 2));
    return;
  }
  const { style } = io;
  if (!doc.exists) {
    io.line(`No run named '${doc.name}' in ${doc.stateDir}.`);
    io.line(style.dim('start one with: resilient start'));
    return;
  }
  io.line(`${style.bold(`Run '${doc.name}'`)} on ${doc.target?.kind ?? '?'} (${doc.target?.region ?? '?'})`);
  io.line(`  state:    ${doc.status} — ${stateText(doc.state)}`);
  io.line(`  endpoint: ${doc.endpoint ?? 'not yet'}`);
  io.line(`  updated:  ${doc.updatedAt ?? '?'}`);
  io.line(`  saved in: ${doc.stateDir}`);
  io.line('');
  io.line(style.bold('Resources:'));
  if (doc.resources.length === 0) io.line('  none recorded');
  const kindWidth = Math.max(0, ...doc.resources.map((r) => r.kind.length)) + 2;
  const nameWidth = Math.max(0, ...doc.resources.map((r) => r.name.length)) + 2;
  for (const r of doc.resources) {
    const colour = r.status === 'created' ? style.green : r.status === 'deleted' ? style.dim : style.yellow;
    const id = r.id === null ? '' : style.dim(`  ${r.id}`);
    io.line(`  ${r.kind.padEnd(kindWidth)}${r.name.padEnd(nameWidth)}${colour(r.status.padEnd(8))}${id}`);
  }
  io.line('');
  if (doc.targetHealth.available) io.line(renderTargetHealth(doc.targetHealth.targets, style));
  else io.line(style.dim(`Target health: unavailable (${doc.targetHealth.reason})`));
}
