/** Typed messages the data plane emits (core code never prints; the daemon or a test decides what to do). */
import type { HealthTransition } from './health-checker.ts';

export type DataPlaneEvent =
  | { readonly kind: 'target-health'; readonly transition: HealthTransition }
  | { readonly kind: 'instance-impaired'; readonly instanceId: string; readonly reason: string }
  | {
      readonly kind: 'load-balancer-bind-failed';
      readonly loadBalancerArn: string;
      readonly port: number;
      readonly error: string;
    }
  /** The shipped JavaScript server could not be built: instances run the TypeScript entry instead. */
  | { readonly kind: 'shipped-server-unavailable'; readonly error: string };
