/**
 * The ELBv2 slice: application load balancers, listeners, target groups and their targets. State is
 * plain JSON; `provisioning → active` and draining are derived from timestamps. Target health comes from
 * the data plane's checker when it has an observation, otherwise from the model (see `targetHealth`).
 */
import type { Cloud, TargetHealthObservation } from '../../contracts.ts';
import { findInstance, instanceState } from '../ec2/model.ts';
import type { TagRecord } from '../shared/tags.ts';

export interface Elbv2Settings {
  /** provisioning → active (configured, unscaled ms). */
  provisioningMs: number;
}

export interface LoadBalancerRecord {
  arn: string;
  name: string;
  port: number;
  scheme: string;
  type: string;
  ipAddressType: string;
  subnets: { subnetId: string; zone: string }[];
  securityGroups: string[];
  vpcId: string;
  createdAt: number;
  activeAt: number;
  tags: TagRecord[];
}

export interface ListenerRecord {
  arn: string;
  loadBalancerArn: string;
  port: number;
  protocol: string;
  targetGroupArn: string;
  createdAt: number;
  tags: TagRecord[];
}

export interface TargetRecord {
  id: string;
  port: number;
  registeredAt: number;
  /** Set by deregistration: draining until then (already scaled), removed after. */
  drainingUntil: number | undefined;
}

export interface HealthCheckRecord {
  protocol: string;
  port: string;
  path: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThresholdCount: number;
  unhealthyThresholdCount: number;
  matcher: string;
}

export interface TargetGroupRecord {
  arn: string;
  name: string;
  protocol: string;
  port: number;
  vpcId: string;
  targetType: string;
  protocolVersion: string;
  ipAddressType: string;
  healthCheck: HealthCheckRecord;
  attributes: Record<string, string>;
  targets: TargetRecord[];
  tags: TagRecord[];
  createdAt: number;
}

export interface Elbv2State {
  settings: Elbv2Settings;
  loadBalancers: LoadBalancerRecord[];
  listeners: ListenerRecord[];
  targetGroups: TargetGroupRecord[];
}

export const DEFAULT_ELBV2_SETTINGS: Elbv2Settings = { provisioningMs: 30_000 };

/** Target-group attributes and their ALB defaults for instance targets (docs/local-cloud.md#health-check-settings). */
export const DEFAULT_TG_ATTRIBUTES: Readonly<Record<string, string>> = {
  'deregistration_delay.timeout_seconds': '300',
  'load_balancing.algorithm.type': 'round_robin',
  'load_balancing.algorithm.anomaly_mitigation': 'off',
  'load_balancing.cross_zone.enabled': 'use_load_balancer_configuration',
  'slow_start.duration_seconds': '0',
  'stickiness.enabled': 'false',
  'stickiness.type': 'lb_cookie',
  'stickiness.lb_cookie.duration_seconds': '86400',
  'stickiness.app_cookie.cookie_name': '',
  'stickiness.app_cookie.duration_seconds': '86400',
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.count': '1',
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage': 'off',
  'target_group_health.dns_failover.minimum_healthy_targets.count': 'off',
  'target_group_health.dns_failover.minimum_healthy_targets.percentage': 'off',
};

export function elbv2State(cloud: Cloud): Elbv2State {
  const existing = cloud.state['elasticloadbalancing'];
  if (existing !== undefined) return existing as Elbv2State;
  const fresh: Elbv2State = {
    settings: { ...DEFAULT_ELBV2_SETTINGS },
    loadBalancers: [],
    listeners: [],
    targetGroups: [],
  };
  cloud.state['elasticloadbalancing'] = fresh;
  return fresh;
}

export const loadBalancerState = (lb: LoadBalancerRecord, now: number): 'provisioning' | 'active' =>
  now >= lb.activeAt ? 'active' : 'provisioning';

export function findTargetGroup(cloud: Cloud, arn: string): TargetGroupRecord | undefined {
  return elbv2State(cloud).targetGroups.find((tg) => tg.arn === arn);
}

/** Listeners forwarding to the target group; a group with none is "not in use" (`Target.NotInUse`). */
export function listenersFor(cloud: Cloud, targetGroupArn: string): ListenerRecord[] {
  return elbv2State(cloud).listeners.filter((l) => l.targetGroupArn === targetGroupArn);
}

export function deregistrationDelayMs(tg: TargetGroupRecord): number {
  return Number(tg.attributes['deregistration_delay.timeout_seconds'] ?? '300') * 1000;
}

/** Drops targets whose draining is over; returns whether anything changed. */
export function pruneDrained(cloud: Cloud): boolean {
  const now = cloud.clock.now();
  let changed = false;
  for (const tg of elbv2State(cloud).targetGroups) {
    const keep = tg.targets.filter((t) => t.drainingUntil === undefined || now < t.drainingUntil);
    if (keep.length !== tg.targets.length) {
      tg.targets = keep;
      changed = true;
    }
  }
  return changed;
}

/** Registers targets (re-registering a draining target makes it live again, as on ALB). */
export function registerTargets(
  cloud: Cloud,
  tg: TargetGroupRecord,
  targets: readonly { id: string; port?: number }[],
): void {
  const now = cloud.clock.now();
  for (const target of targets) {
    const port = target.port ?? tg.port;
    const existing = tg.targets.find((t) => t.id === target.id && t.port === port);
    if (existing === undefined)
      tg.targets.push({ id: target.id, port, registeredAt: now, drainingUntil: undefined });
    else if (existing.drainingUntil !== undefined) {
      existing.drainingUntil = undefined;
      existing.registeredAt = now;
    }
  }
}

/**
 * Deregisters targets: each drains for the group's deregistration delay (scaled) and then disappears.
 * Unknown targets are ignored, as ELBv2 does. Returns the latest draining deadline (epoch ms).
 */
export function deregisterTargets(
  cloud: Cloud,
  tg: TargetGroupRecord,
  targets: readonly { id: string; port?: number }[],
): number {
  const now = cloud.clock.now();
  const until = now + cloud.clock.scaled(deregistrationDelayMs(tg));
  let latest = now;
  for (const target of targets) {
    for (const t of tg.targets) {
      if (t.id !== target.id || (target.port !== undefined && t.port !== target.port)) continue;
      if (t.drainingUntil === undefined) t.drainingUntil = until;
      latest = Math.max(latest, t.drainingUntil);
    }
  }
  tg.targets = tg.targets.filter((t) => t.drainingUntil === undefined || t.drainingUntil > now);
  return latest;
}

export interface TargetHealthView {
  state: TargetHealthObservation['state'];
  reason?: string;
  description?: string;
}

/**
 * A registered target's health. Order: draining; `unused` when no listener forwards to the group or the
 * instance is not running; the data plane's checker when it has an observation; otherwise the model's
 * fallback timeline, measured from registration (or from the first listener, if later):
 * `initial/Elb.RegistrationInProgress` for one interval, `initial/Elb.InitialHealthChecking` until
 * interval × healthyThreshold, then `healthy` (an impaired instance reads `unhealthy`).
 */
export function targetHealth(cloud: Cloud, tg: TargetGroupRecord, target: TargetRecord): TargetHealthView {
  const now = cloud.clock.now();
  if (target.drainingUntil !== undefined) {
    return {
      state: 'draining',
      reason: 'Target.DeregistrationInProgress',
      description: 'Target deregistration is in progress',
    };
  }
  const listeners = listenersFor(cloud, tg.arn);
  if (listeners.length === 0) {
    return {
      state: 'unused',
      reason: 'Target.NotInUse',
      description: 'Target group is not configured to receive traffic from the load balancer',
    };
  }
  const instance = tg.targetType === 'instance' ? findInstance(cloud, target.id) : undefined;
  if (instance !== undefined) {
    const state = instanceState(instance, now);
    if (state === 'terminated' || state === 'shutting-down' || state === 'stopped' || state === 'stopping') {
      const shown = state === 'shutting-down' ? 'terminated' : state === 'stopping' ? 'stopped' : state;
      return {
        state: 'unused',
        reason: 'Target.InvalidState',
        description: `Target is in the ${shown} state`,
      };
    }
  }
  const observed = cloud.dataplane.targetHealth(tg.arn, target.id, target.port);
  if (observed !== undefined) {
    return {
      state: observed.state,
      ...(observed.reason === undefined ? {} : { reason: observed.reason }),
      ...(observed.description === undefined ? {} : { description: observed.description }),
    };
  }
  if (instance?.impaired !== undefined) {
    return { state: 'unhealthy', reason: 'Target.FailedHealthChecks', description: 'Health checks failed' };
  }
  const since = Math.max(target.registeredAt, Math.min(...listeners.map((l) => l.createdAt)));
  const interval = cloud.clock.scaled(tg.healthCheck.intervalSeconds * 1000);
  if (now < since + interval) {
    return {
      state: 'initial',
      reason: 'Elb.RegistrationInProgress',
      description: 'Target registration is in progress',
    };
  }
  if (now < since + interval * tg.healthCheck.healthyThresholdCount) {
    return {
      state: 'initial',
      reason: 'Elb.InitialHealthChecking',
      description: 'Initial health checks in progress',
    };
  }
  return { state: 'healthy' };
}
