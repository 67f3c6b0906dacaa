import type { StepPolicy } from '../../machines/step-kit.ts';

/**
 * Retry and wait budgets per step, in AWS time; `timeScale` (< 1 on the local cloud) shortens delays
 * and deadlines alike, with floors so that a fast local cloud still gets a fair chance.
 */
export function stepPolicies(timeScale: number): Record<string, StepPolicy> {
  const p = (
    maxAttempts: number,
    baseDelayMs: number,
    maxDelayMs: number,
    timeoutMs: number,
  ): StepPolicy => ({
    maxAttempts,
    baseDelayMs: Math.max(10, Math.round(baseDelayMs * timeScale)),
    maxDelayMs: Math.max(50, Math.round(maxDelayMs * timeScale)),
    timeoutMs: Math.max(30_000, Math.round(timeoutMs * timeScale)),
  });
  return {
    default: p(8, 1_000, 10_000, 300_000),
    tableCreating: p(60, 1_000, 5_000, 300_000),
    // IAM is eventually consistent: a new instance profile can take ~10 s or more to be usable by EC2.
    creatingLaunchTemplate: p(30, 2_000, 10_000, 180_000),
    creatingGroup: p(30, 2_000, 10_000, 180_000),
    lbProvisioning: p(120, 5_000, 15_000, 600_000),
    verifyingEndpoint: p(60, 5_000, 15_000, 600_000),
    lbDeleting: p(60, 2_000, 10_000, 300_000),
    deletingTargetGroup: p(60, 2_000, 10_000, 300_000),
    instancesTerminating: p(200, 5_000, 15_000, 900_000),
    // The seed retries DeleteAutoScalingGroup every 60 s, up to 60 times.
    deletingGroup: p(60, 5_000, 60_000, 900_000),
    deletingIam: p(30, 2_000, 10_000, 300_000),
    deletingTable: p(60, 1_000, 5_000, 300_000),
    verifying: p(30, 2_000, 10_000, 300_000),
  };
}

/** How long one demo stage may take (acting plus, with `--yes`, showing its expected outcome). */
export const stageTimeoutMs = (timeScale: number): number =>
  Math.max(30_000, Math.round(600_000 * timeScale));
