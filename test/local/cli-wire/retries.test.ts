/**
 * The local cloud's injected faults (docs/local-cloud.md#fault-injection) are answers
 * botocore recognises as AWS's: each protocol's throttling code (awsQuery `Throttling`, ec2Query
 * `RequestLimitExceeded`, awsJson `ThrottlingException`) and the 5xx failures are retried by the CLI (it
 * prints "reached max retries" only for a retryable error), and a throttled call completes once the
 * throttling stops. Faults are set through the daemon's control route; every AWS call is the CLI's.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ControlClient, createControlClient } from '../../../src/local/control/client.ts';
import { type Aws, awsCli, profileEnv } from '../../_support/aws-cli.ts';
import { type DaemonProcess, startDaemon } from '../../_support/local-cloud.ts';
import { until } from '../../_support/poll.ts';

let daemon: DaemonProcess;
let control: ControlClient;
/** Standard retry mode, two attempts: one retry, quick backoff (at most 1 s). */
let twoAttempts: Aws;

beforeAll(async () => {
  daemon = await startDaemon(0.05);
  control = createControlClient({ endpoint: daemon.endpoint, adminSecret: daemon.admin.secretAccessKey });
  twoAttempts = awsCli(daemon, { ...profileEnv(daemon), AWS_RETRY_MODE: 'standard', AWS_MAX_ATTEMPTS: '2' });
});
afterEach(async () => {
  await control.setApiFaults({ throttleRate: 0, errorRate: 0 });
});
afterAll(async () => {
  await daemon?.stop();
});

/** The CLI's own line for an error it gave up on after retrying. */
const retriedError =
  /An error occurred \(([^)]+)\) when calling the (\w+) operation \(reached max retries: 1\)/;

describe('the AWS CLI retries the local cloud’s throttling and server errors', { timeout: 120_000 }, () => {
  it('recognises every protocol’s throttling code as a throttle', async () => {
    await control.setApiFaults({ throttleRate: 1, errorRate: 0 });
    const outs = await Promise.all([
      twoAttempts('iam', 'list-roles'),
      twoAttempts('autoscaling', 'describe-auto-scaling-groups'),
      twoAttempts('ec2', 'describe-vpcs'),
      twoAttempts('ssm', 'describe-parameters'),
      twoAttempts('dynamodb', 'list-tables'),
    ]);
    expect(outs.map((o) => retriedError.exec(o.stderr)?.slice(1, 3))).toEqual([
      ['Throttling', 'ListRoles'],
      ['Throttling', 'DescribeAutoScalingGroups'],
      ['RequestLimitExceeded', 'DescribeVpcs'],
      ['ThrottlingException', 'DescribeParameters'],
      ['ThrottlingException', 'ListTables'],
    ]);
  });

  it('retries 5xx answers as transient', async () => {
    await control.setApiFaults({ throttleRate: 0, errorRate: 1 });
    const outs = await Promise.all([
      twoAttempts('sts', 'get-caller-identity'),
      twoAttempts('ssm', 'describe-parameters'),
    ]);
    for (const out of outs) {
      expect(out.code).not.toBe(0);
      expect(out.stderr).toMatch(retriedError);
    }
  });

  it('completes a throttled call on a retry once the throttling stops', async () => {
    await control.setApiFaults({ throttleRate: 1, errorRate: 0 });
    const patient = awsCli(daemon, {
      ...profileEnv(daemon),
      AWS_RETRY_MODE: 'standard',
      AWS_MAX_ATTEMPTS: '10',
    });
    const before = daemon.output().length;
    const call = patient(
      'ssm',
      'get-parameter',
      '--name',
      '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
    );
    // The daemon logs each answer with its operation: stop throttling once the first attempt was turned away.
    await until(
      'the first attempt to be throttled',
      () =>
        / ssm\.GetParameter 400 ThrottlingException/.test(daemon.output().slice(before)) ? true : undefined,
      20_000,
      20,
    );
    await control.setApiFaults({ throttleRate: 0, errorRate: 0 });
    const out = await call;
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ Parameter: { Value: expect.stringMatching(/^ami-/) } });
  });
});
