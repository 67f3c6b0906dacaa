/**
 * Which registered target gets the next request (docs/local-cloud.md#routing-and-fail-open): healthy targets in turn;
 * when fewer than `minimum_healthy_targets.count` (default 1) are healthy the load balancer fails open
 * and routes to all of them; draining and unused targets never get new requests.
 */
import type { TargetHealthObservation, TargetSpec } from '../contracts.ts';

export interface RoutableTarget {
  readonly id: string;
  readonly port: number;
  readonly health: TargetHealthObservation | undefined;
}

export interface PoolRules {
  readonly minimumHealthyTargets: number;
  readonly initialTargetsFailOpen: boolean;
}

/** Routable targets right now, ordered by id so the rotation is stable between calls. */
export function routingPool(targets: readonly RoutableTarget[], rules: PoolRules): RoutableTarget[] {
  const candidates = targets
    .filter((t) => {
      const state = t.health?.state ?? 'initial';
      return state === 'healthy' || state === 'unhealthy' || state === 'initial';
    })
    .sort((a, b) => (a.id === b.id ? a.port - b.port : a.id < b.id ? -1 : 1));
  const healthy = candidates.filter((t) => t.health?.state === 'healthy');
  if (healthy.length >= rules.minimumHealthyTargets) return healthy;
  return rules.initialTargetsFailOpen ? candidates : candidates.filter((t) => t.health?.state !== 'initial');
}

export function isDraining(target: TargetSpec): boolean {
  return target.drainingUntil !== undefined;
}

/** round_robin: each load balancer keeps its own rotation. */
export class RoundRobin {
  #next = 0;

  pick<T>(pool: readonly T[]): T | undefined {
    if (pool.length === 0) return undefined;
    const chosen = pool[this.#next % pool.length];
    this.#next = (this.#next + 1) % 1_000_000_007;
    return chosen;
  }
}
