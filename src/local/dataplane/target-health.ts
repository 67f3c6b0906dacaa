/**
 * ALB target health as a pure state machine (docs/local-cloud.md#target-health): states, reason codes and
 * descriptions exactly as DescribeTargetHealth shows them. Healthy targets carry no reason.
 */
import type { TargetHealthObservation } from '../contracts.ts';

export type ProbeResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly kind: 'code'; readonly code: number }
  | { readonly ok: false; readonly kind: 'timeout' }
  | { readonly ok: false; readonly kind: 'connection' };

export interface HealthRecord {
  readonly observation: TargetHealthObservation;
  readonly consecutiveSuccesses: number;
  readonly consecutiveFailures: number;
}

export interface Thresholds {
  readonly healthy: number;
  readonly unhealthy: number;
  /** Successes a target still in `initial` needs (docs: 1). */
  readonly initialHealthy: number;
}

export const REGISTRATION_IN_PROGRESS: TargetHealthObservation = {
  state: 'initial',
  reason: 'Elb.RegistrationInProgress',
  description: 'Target registration is in progress',
};
export const INITIAL_HEALTH_CHECKING: TargetHealthObservation = {
  state: 'initial',
  reason: 'Elb.InitialHealthChecking',
  description: 'Initial health checks in progress',
};
export const HEALTHY: TargetHealthObservation = { state: 'healthy' };
export const DRAINING: TargetHealthObservation = {
  state: 'draining',
  reason: 'Target.DeregistrationInProgress',
  description: 'Target deregistration is in progress',
};
export const NOT_IN_USE: TargetHealthObservation = {
  state: 'unused',
  reason: 'Target.NotInUse',
  description: 'Target group is not configured to receive traffic from the load balancer',
};

export function registeredRecord(): HealthRecord {
  return { observation: REGISTRATION_IN_PROGRESS, consecutiveSuccesses: 0, consecutiveFailures: 0 };
}

/** Registration finished: the first checks are on their way. */
export function startChecking(record: HealthRecord): HealthRecord {
  return record.observation.reason === 'Elb.RegistrationInProgress'
    ? { ...record, observation: INITIAL_HEALTH_CHECKING }
    : record;
}

/** `mapFail` of docs/local-cloud.md#health-checks. */
export function failureObservation(result: Exclude<ProbeResult, { ok: true }>): TargetHealthObservation {
  switch (result.kind) {
    case 'code':
      return {
        state: 'unhealthy',
        reason: 'Target.ResponseCodeMismatch',
        description: `Health checks failed with these codes: [${result.code}]`,
      };
    case 'timeout':
      return { state: 'unhealthy', reason: 'Target.Timeout', description: 'Request timed out' };
    case 'connection':
      return { state: 'unhealthy', reason: 'Target.FailedHealthChecks', description: 'Health checks failed' };
  }
}

export function applyProbe(record: HealthRecord, result: ProbeResult, thresholds: Thresholds): HealthRecord {
  const state = record.observation.state;
  if (result.ok) {
    const successes = record.consecutiveSuccesses + 1;
    const needed = state === 'initial' ? thresholds.initialHealthy : thresholds.healthy;
    const observation = state === 'healthy' || successes >= needed ? HEALTHY : record.observation;
    return { observation, consecutiveSuccesses: successes, consecutiveFailures: 0 };
  }
  const failures = record.consecutiveFailures + 1;
  let observation = record.observation;
  if (state === 'unhealthy')
    observation = failureObservation(result); // latest failure's reason (INF)
  else if (failures >= thresholds.unhealthy) observation = failureObservation(result);
  return { observation, consecutiveSuccesses: 0, consecutiveFailures: failures };
}

/** Matcher.HttpCode: `200`, `200-299`, `200,302`, or a mix of lists and ranges. */
export function matchesCode(matcher: string, code: number): boolean {
  return matcher.split(',').some((part) => {
    const [low, high] = part.trim().split('-');
    const from = Number(low);
    const to = high === undefined ? from : Number(high);
    return Number.isInteger(from) && Number.isInteger(to) && code >= from && code <= to;
  });
}
