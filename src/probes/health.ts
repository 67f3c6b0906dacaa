/**
 * Target health as the load balancer reports it, with the group's instances as Auto Scaling sees
 * them: one `health-sample` per read. Instances that left the group are reported `Terminated` once,
 * so a timeline shows the old instance go and the new one arrive.
 */
import type { Aws } from '../aws/index.ts';
import type { InstanceView, TargetHealthView } from '../events.ts';

export interface HealthSample {
  readonly at: number;
  readonly targets: readonly TargetHealthView[];
  readonly instances: readonly InstanceView[];
}

export interface HealthProbeOptions {
  readonly aws: Pick<Aws, 'elbv2' | 'autoscaling'>;
  readonly targetGroupArn: string;
  /** The Auto Scaling group's name; without it the sample has target health only. */
  readonly groupName?: string | undefined;
  readonly now?: () => number;
}

/** DescribeTargetHealth, as the views and checks read it. */
export async function readTargets(
  aws: Pick<Aws, 'elbv2'>,
  targetGroupArn: string,
  signal?: AbortSignal,
): Promise<TargetHealthView[]> {
  return ((await aws.elbv2.targetHealth(targetGroupArn, { signal })) ?? []).map((t) => ({
    id: t.Target?.Id ?? '',
    port: t.Target?.Port,
    state: t.TargetHealth?.State ?? 'unknown',
    reason: t.TargetHealth?.Reason,
    description: t.TargetHealth?.Description,
  }));
}

/** A health probe that remembers the instances it has seen, to report the ones that are gone. */
export function healthProbe(options: HealthProbeOptions) {
  const seen = new Map<string, InstanceView>();
  const now = options.now ?? Date.now;
  return {
    async read(signal?: AbortSignal): Promise<HealthSample> {
      const at = now();
      const targets = await readTargets(options.aws, options.targetGroupArn, signal);
      if (options.groupName === undefined) return { at, targets, instances: [] };
      const group = await options.aws.autoscaling.describeGroup(options.groupName, { signal });
      const byTarget = new Map(targets.map((t) => [t.id, t.state]));
      const current: InstanceView[] = (group?.Instances ?? []).flatMap((i) =>
        i.InstanceId === undefined
          ? []
          : [
              {
                id: i.InstanceId,
                zone: i.AvailabilityZone,
                lifecycle: i.LifecycleState ?? 'unknown',
                health: byTarget.get(i.InstanceId) ?? i.HealthStatus,
              },
            ],
      );
      const ids = new Set(current.map((i) => i.id));
      const gone: InstanceView[] = [];
      for (const [id, view] of seen) {
        if (ids.has(id)) continue;
        gone.push({ id, zone: view.zone, lifecycle: 'Terminated', health: byTarget.get(id) });
        seen.delete(id);
      }
      for (const view of current) seen.set(view.id, view);
      return { at, targets, instances: [...current, ...gone] };
    },
  };
}
