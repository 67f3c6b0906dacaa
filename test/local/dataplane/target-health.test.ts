import { describe, expect, it } from 'vitest';
import {
  applyProbe,
  type HealthRecord,
  matchesCode,
  type ProbeResult,
  registeredRecord,
  startChecking,
  type Thresholds,
} from '../../../src/local/dataplane/target-health.ts';

const thresholds: Thresholds = { healthy: 2, unhealthy: 2, initialHealthy: 1 };
const ok: ProbeResult = { ok: true };
const code503: ProbeResult = { ok: false, kind: 'code', code: 503 };
const run = (record: HealthRecord, results: ProbeResult[], t = thresholds): HealthRecord =>
  results.reduce((r, p) => applyProbe(r, p, t), record);

describe('target health state machine (docs/local-cloud.md#target-health)', () => {
  it('starts in initial with Elb.RegistrationInProgress, then Elb.InitialHealthChecking', () => {
    const registered = registeredRecord();
    expect(registered.observation).toEqual({
      state: 'initial',
      reason: 'Elb.RegistrationInProgress',
      description: 'Target registration is in progress',
    });
    expect(startChecking(registered).observation).toMatchObject({ reason: 'Elb.InitialHealthChecking' });
  });

  it('makes a new target healthy after one success (docs), or HealthyThresholdCount when configured', () => {
    const checking = startChecking(registeredRecord());
    expect(run(checking, [ok]).observation).toEqual({ state: 'healthy' });
    const strict = { ...thresholds, initialHealthy: 2 };
    expect(run(checking, [ok], strict).observation.state).toBe('initial');
    expect(run(checking, [ok, ok], strict).observation.state).toBe('healthy');
  });

  it('marks a target unhealthy only after UnhealthyThresholdCount consecutive failures, with the code', () => {
    const healthy = run(startChecking(registeredRecord()), [ok]);
    expect(run(healthy, [code503]).observation.state).toBe('healthy');
    expect(run(healthy, [code503, ok, code503]).observation.state).toBe('healthy');
    expect(run(healthy, [code503, code503]).observation).toEqual({
      state: 'unhealthy',
      reason: 'Target.ResponseCodeMismatch',
      description: 'Health checks failed with these codes: [503]',
    });
  });

  it('maps timeouts and connection errors to Target.Timeout and Target.FailedHealthChecks', () => {
    const healthy = run(startChecking(registeredRecord()), [ok]);
    const timeout: ProbeResult = { ok: false, kind: 'timeout' };
    const refused: ProbeResult = { ok: false, kind: 'connection' };
    expect(run(healthy, [timeout, timeout]).observation).toEqual({
      state: 'unhealthy',
      reason: 'Target.Timeout',
      description: 'Request timed out',
    });
    expect(run(healthy, [refused, refused]).observation).toEqual({
      state: 'unhealthy',
      reason: 'Target.FailedHealthChecks',
      description: 'Health checks failed',
    });
  });

  it('needs HealthyThresholdCount successes to recover from unhealthy', () => {
    const unhealthy = run(startChecking(registeredRecord()), [code503, code503]);
    expect(unhealthy.observation.state).toBe('unhealthy');
    expect(run(unhealthy, [ok]).observation.state).toBe('unhealthy');
    expect(run(unhealthy, [ok, code503, ok]).observation.state).toBe('unhealthy');
    expect(run(unhealthy, [ok, ok]).observation).toEqual({ state: 'healthy' });
  });

  it('matches HttpCode matchers: single codes, ranges and lists', () => {
    expect(matchesCode('200', 200)).toBe(true);
    expect(matchesCode('200', 204)).toBe(false);
    expect(matchesCode('200-299', 204)).toBe(true);
    expect(matchesCode('200-299', 302)).toBe(false);
    expect(matchesCode('200,302', 302)).toBe(true);
    expect(matchesCode('200, 300-399', 307)).toBe(true);
    expect(matchesCode('bogus', 200)).toBe(false);
  });
});
