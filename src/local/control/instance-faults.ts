/**
 * What the control route knows about instance faults, so that `GET /_local/faults` can say which faults
 * are on. The data plane applies a fault and keeps no history (contracts.ts `DataPlane`), so the route
 * records the lasting ones it injected: `hang` and `slow` stay on the instance's relay until `heal` (a reboot
 * keeps them: it restarts the process, not the instance's network face). `crash` is a one-off: its effect is
 * the instance status (impaired), which the EC2 model reports. Faults live in the daemon's memory, as the
 * data plane's relays do, so a restarted daemon starts with none.
 */
import type { Cloud, InstanceFault } from '../contracts.ts';
import { instanceStatus } from '../services/ec2/instance-lifecycle.ts';
import { ec2State, instanceState, visibleInstances } from '../services/ec2/model.ts';

/** A fault that lasts until healed. */
export type LastingFault = { readonly kind: 'hang' } | { readonly kind: 'slow'; readonly delayMs: number };

export interface InstanceFaultView {
  readonly instanceId: string;
  /** EC2 lifecycle state (pending, running, shutting-down, terminated). */
  readonly state: string;
  /** DescribeInstanceStatus's instance status: ok | impaired | initializing | not-applicable. */
  readonly status: string;
  /** The lasting fault on it, `none` when it answers normally. */
  readonly fault: 'none' | 'hang' | 'slow';
  readonly delayMs?: number;
}

/** Instances that have a process (and a relay) a fault can reach. */
const FAULTABLE = new Set(['pending', 'running']);

export type InjectOutcome =
  | { readonly kind: 'injected' }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'not-running'; readonly state: string };

/** A local cloud (every account and Region), or one cloud alone. */
export type FaultSource = Cloud & { readonly scopes?: { all(): readonly Cloud[] } };

export class InstanceFaults {
  readonly #cloud: Cloud;
  readonly #scopes: () => readonly Cloud[];
  readonly #lasting = new Map<string, LastingFault>();

  constructor(cloud: FaultSource) {
    this.#cloud = cloud;
    // Instances of every account and Region share the one data plane, so the route reaches them all.
    this.#scopes = () => (cloud.scopes?.all() ?? [cloud]).filter((c) => c.state.ec2 !== undefined);
  }

  /** Applies a fault through the data plane; an unknown or stopped instance is refused, not ignored. */
  inject(instanceId: string, fault: InstanceFault): InjectOutcome {
    const instance = this.#scopes()
      .flatMap((c) => ec2State(c).instances)
      .find((i) => i.instanceId === instanceId);
    if (instance === undefined) return { kind: 'not-found' };
    const state = instanceState(instance, this.#cloud.clock.now());
    if (!FAULTABLE.has(state)) return { kind: 'not-running', state };
    this.#cloud.dataplane.injectInstanceFault(instanceId, fault);
    if (fault.kind === 'hang' || fault.kind === 'slow') this.#lasting.set(instanceId, fault);
    else if (fault.kind === 'heal') this.#lasting.delete(instanceId);
    return { kind: 'injected' };
  }

  /** Every visible instance with its state, status and lasting fault; forgets faults of vanished instances. */
  list(): InstanceFaultView[] {
    const now = this.#cloud.clock.now();
    const instances = this.#scopes().flatMap((c) => visibleInstances(c).map((i) => ({ c, i })));
    const live = new Set<string>();
    const views = instances.map(({ c, i }): InstanceFaultView => {
      const state = instanceState(i, now);
      if (FAULTABLE.has(state)) live.add(i.instanceId);
      const fault = FAULTABLE.has(state) ? this.#lasting.get(i.instanceId) : undefined;
      return {
        instanceId: i.instanceId,
        state,
        status: state === 'running' ? instanceStatus(c, i) : 'not-applicable',
        fault: fault?.kind ?? 'none',
        ...(fault?.kind === 'slow' ? { delayMs: fault.delayMs } : {}),
      };
    });
    for (const id of [...this.#lasting.keys()]) if (!live.has(id)) this.#lasting.delete(id);
    return views;
  }
}
