/**
 * The local cloud serves one Region, and a request signed for another is refused as a regional AWS endpoint
 * refuses it ("Credential should be scoped to a valid region"), in each protocol's code: before, a CLI
 * configured for eu-west-1 silently got us-west-2 resources and ARNs. IAM and STS, global on AWS, accept
 * any Region (botocore scopes them to the configured one when given an endpoint URL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Aws, awsCli, failure, ok, profileEnv } from './_helpers/aws-cli.ts';
import { type DaemonProcess, startDaemon } from './_helpers/daemon.ts';

let daemon: DaemonProcess;
let elsewhere: Aws;

beforeAll(async () => {
  daemon = await startDaemon(0.05);
  elsewhere = awsCli(daemon, {
    ...profileEnv(daemon),
    AWS_DEFAULT_REGION: 'eu-west-1',
    AWS_REGION: 'eu-west-1',
  });
});
afterAll(async () => {
  await daemon?.stop();
});

describe('a CLI configured for another Region', { timeout: 120_000 }, () => {
  it('is refused by the regional services, with each protocol’s signature error', async () => {
    const refused = await Promise.all([
      failure(elsewhere, 'ec2', 'describe-vpcs'),
      failure(elsewhere, 'ssm', 'describe-parameters'),
      failure(elsewhere, 'dynamodb', 'list-tables'),
      failure(elsewhere, 'elbv2', 'describe-load-balancers'),
      failure(elsewhere, 'autoscaling', 'describe-auto-scaling-groups'),
    ]);
    expect(refused.map((r) => r.code)).toEqual([
      'AuthFailure',
      'InvalidSignatureException',
      'InvalidSignatureException',
      'SignatureDoesNotMatch',
      'SignatureDoesNotMatch',
    ]);
  });

  it('still reaches the global services, IAM and STS', async () => {
    const [identity, roles] = await Promise.all([
      ok<{ Account: string }>(elsewhere, 'sts', 'get-caller-identity'),
      ok<{ Roles: unknown[] }>(elsewhere, 'iam', 'list-roles'),
    ]);
    expect(identity.Account).toBe(daemon.record.accountId);
    expect(roles.Roles).toEqual([]);
  });
});
