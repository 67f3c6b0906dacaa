/**
 * The AWS CLI, a second client besides the SDK, against the daemon's two accounts and several Regions:
 * each profile is its own account, the CLI's Region picks the Region served (as regional endpoints do), the
 * same names in two accounts and two Regions are each only their own, deleting in one leaves the others, a
 * Region the cloud does not serve gets each protocol's signature error, IAM and STS answer in any Region, and
 * a restarted daemon keeps the partitioning.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Aws, awsCli, failure, ok, profileEnv } from '../../_support/aws-cli.ts';
import { type DaemonProcess, startDaemon } from '../../_support/local-cloud.ts';

let daemon: DaemonProcess;
let stateDir: string;

/** The CLI as one profile (`a` = resilient-local, `b` = resilient-local-b) in one Region. */
const cli = (d: DaemonProcess, account: 'a' | 'b', region: string): Aws =>
  awsCli(d, {
    ...profileEnv(d),
    AWS_PROFILE: account === 'a' ? 'resilient-local' : 'resilient-local-b',
    AWS_DEFAULT_REGION: region,
    AWS_REGION: region,
  });

const SCOPES = [
  ['a', 'us-west-2'],
  ['a', 'eu-west-1'],
  ['b', 'us-west-2'],
] as const;

beforeAll(async () => {
  daemon = await startDaemon(0.05);
  stateDir = daemon.stateDir;
});
afterAll(async () => {
  await daemon?.stop();
});

const accountOf = (d: DaemonProcess, account: 'a' | 'b'): string =>
  d.record.accounts.find((a) => a.profile === (account === 'a' ? 'resilient-local' : 'resilient-local-b'))
    ?.accountId ?? '';

describe('the AWS CLI with two profiles and several Regions', { timeout: 180_000 }, () => {
  it('gets each profile’s own account from GetCallerIdentity', async () => {
    const [a, b] = await Promise.all([
      ok<{ Account: string; Arn: string }>(cli(daemon, 'a', 'us-west-2'), 'sts', 'get-caller-identity'),
      ok<{ Account: string; Arn: string }>(cli(daemon, 'b', 'us-west-2'), 'sts', 'get-caller-identity'),
    ]);
    expect(a.Account).toBe(daemon.record.accountId);
    expect(b.Account).toBe(accountOf(daemon, 'b'));
    expect(b.Account).toMatch(/^\d{12}$/);
    expect(b.Account).not.toBe(a.Account);
  });

  it('keeps the same parameter and table names apart per account and Region; a delete stays in its own', async () => {
    for (const [account, region] of SCOPES) {
      const aws = cli(daemon, account, region);
      await ok(
        aws,
        'ssm',
        'put-parameter',
        '--name',
        'dup',
        '--type',
        'String',
        '--value',
        `${account}@${region}`,
      );
      await ok(
        aws,
        ...['dynamodb', 'create-table', '--table-name', 'dup', '--billing-mode', 'PAY_PER_REQUEST'],
        ...['--attribute-definitions', 'AttributeName=id,AttributeType=S'],
        ...['--key-schema', 'AttributeName=id,KeyType=HASH'],
      );
    }
    for (const [account, region] of SCOPES) {
      const aws = cli(daemon, account, region);
      const p = await ok<{ Parameter: { Value: string; ARN: string } }>(
        aws,
        'ssm',
        'get-parameter',
        '--name',
        'dup',
      );
      expect(p.Parameter.Value).toBe(`${account}@${region}`);
      expect(p.Parameter.ARN).toBe(`arn:aws:ssm:${region}:${accountOf(daemon, account)}:parameter/dup`);
      const t = await ok<{ Table: { TableArn: string } }>(
        aws,
        'dynamodb',
        'describe-table',
        '--table-name',
        'dup',
      );
      expect(t.Table.TableArn).toBe(`arn:aws:dynamodb:${region}:${accountOf(daemon, account)}:table/dup`);
    }
    expect(
      await failure(cli(daemon, 'b', 'eu-west-1'), 'ssm', 'get-parameter', '--name', 'dup'),
    ).toMatchObject({
      code: 'ParameterNotFound',
    });

    await ok(cli(daemon, 'b', 'us-west-2'), 'ssm', 'delete-parameter', '--name', 'dup');
    await ok(cli(daemon, 'b', 'us-west-2'), 'dynamodb', 'delete-table', '--table-name', 'dup');
    expect(
      await failure(cli(daemon, 'b', 'us-west-2'), 'ssm', 'get-parameter', '--name', 'dup'),
    ).toMatchObject({
      code: 'ParameterNotFound',
    });
    for (const [account, region] of SCOPES.slice(0, 2)) {
      const aws = cli(daemon, account, region);
      const p = await ok<{ Parameter: { Value: string } }>(aws, 'ssm', 'get-parameter', '--name', 'dup');
      expect(p.Parameter.Value).toBe(`${account}@${region}`);
      expect((await ok<{ TableNames: string[] }>(aws, 'dynamodb', 'list-tables')).TableNames).toEqual([
        'dup',
      ]);
    }
  });

  it('refuses a Region the cloud does not serve, in each protocol’s signature error, but not IAM and STS', async () => {
    const elsewhere = cli(daemon, 'a', 'ap-south-1');
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
    const [identity, roles] = await Promise.all([
      ok<{ Account: string }>(elsewhere, 'sts', 'get-caller-identity'),
      ok<{ Roles: unknown[] }>(elsewhere, 'iam', 'list-roles'),
    ]);
    expect(identity.Account).toBe(daemon.record.accountId);
    expect(roles.Roles).toEqual([]);
  });

  it('serves each Region its own zones', async () => {
    const zones = await ok<{ AvailabilityZones: { ZoneName: string }[] }>(
      cli(daemon, 'b', 'eu-west-1'),
      'ec2',
      'describe-availability-zones',
    );
    expect(zones.AvailabilityZones.map((z) => z.ZoneName)).toEqual([
      'eu-west-1a',
      'eu-west-1b',
      'eu-west-1c',
    ]);
  });

  it('keeps the partitioning across a daemon restart', async () => {
    await daemon.stop({ keepState: true });
    daemon = await startDaemon(0.05, { stateDir });
    for (const [account, region] of SCOPES.slice(0, 2)) {
      const p = await ok<{ Parameter: { Value: string } }>(
        cli(daemon, account, region),
        'ssm',
        'get-parameter',
        '--name',
        'dup',
      );
      expect(p.Parameter.Value).toBe(`${account}@${region}`);
    }
    expect(
      await failure(cli(daemon, 'b', 'us-west-2'), 'ssm', 'get-parameter', '--name', 'dup'),
    ).toMatchObject({
      code: 'ParameterNotFound',
    });
    const tables = await ok<{ TableNames: string[] }>(
      cli(daemon, 'a', 'eu-west-1'),
      'dynamodb',
      'list-tables',
    );
    expect(tables.TableNames).toEqual(['dup']);
  });
});
