import { describe, expect, it } from 'vitest';
import { isTransient } from '../../src/aws/errors.ts';
import { runStep } from '../../src/steps/deps.ts';
import { serviceError, throttled } from '../run/_fakes/faults.ts';

describe('transient cloud errors', () => {
  it('are throttling (as the SDK marks it, or by code), 5xx faults and dropped connections', () => {
    expect(isTransient(throttled('iam.createRole'))).toBe(true);
    expect(isTransient(throttled('ec2.describeInstances'))).toBe(true);
    expect(isTransient(serviceError('RequestLimitExceeded', 'slow down'))).toBe(true);
    expect(isTransient(serviceError('InternalFailure', 'oops', { status: 500, fault: 'server' }))).toBe(true);
    expect(isTransient(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(true);
  });

  it('are not access denials, missing entities, validation errors or plain bugs', () => {
    expect(isTransient(serviceError('AccessDenied', 'no', { status: 403 }))).toBe(false);
    expect(isTransient(serviceError('NoSuchEntity', 'gone', { status: 404 }))).toBe(false);
    expect(isTransient(serviceError('ValidationError', 'bad'))).toBe(false);
    expect(isTransient(new TypeError('undefined is not a function'))).toBe(false);
    expect(isTransient('Throttling')).toBe(false);
  });
});

describe('a step that meets a transient error', () => {
  const input = (deadline: number) => ({ step: 'creatingTable', facts: {}, attempt: 0, deadline });
  const throwing = (error: unknown) => async () => {
    throw error;
  };

  it('waits and retries before its deadline, and times out after it', async () => {
    const signal = new AbortController().signal;
    const far = Date.now() + 60_000;
    expect(await runStep(throwing(throttled('dynamodb.createTable')), input(far), signal)).toEqual({
      outcome: 'retry',
      reason: 'transient cloud error ThrottlingException',
    });
    expect(await runStep(throwing(throttled('dynamodb.createTable')), input(0), signal)).toEqual({
      outcome: 'timeout',
      reason: 'timed out: transient cloud error ThrottlingException',
    });
  });

  it('fails on anything else, and on a transient error once the run is being stopped', async () => {
    const denied = serviceError('AccessDenied', 'no', { status: 403 });
    const far = Date.now() + 60_000;
    await expect(runStep(throwing(denied), input(far), new AbortController().signal)).rejects.toBe(denied);
    const stopping = new AbortController();
    stopping.abort();
    const error = throttled('dynamodb.createTable');
    await expect(runStep(throwing(error), input(far), stopping.signal)).rejects.toBe(error);
  });
});
