/**
 * IAM enforcement as the AWS CLI meets it (docs/local-cloud.md#iam: identity policies are enforced for role sessions). The CLI
 * assumes a role holding the seed's least-privilege instance policy, then calls with the session's keys and
 * token (`X-Amz-Security-Token`, signed by botocore): what the policy allows succeeds, and every denial
 * carries its protocol's AWS code (awsQuery `AccessDenied`, awsJson `AccessDeniedException`, ec2Query
 * `UnauthorizedOperation`). A bad or missing session token is an invalid token, as on AWS.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECOMMENDATIONS } from '../../../resources/recommendations.ts';
import { type Aws, awsCli, failure, keyEnv, ok } from '../../_support/aws-cli.ts';
import { type DaemonProcess, startDaemon } from '../../_support/local-cloud.ts';
import {
  createSeedTable,
  PARAMETER_NAMES,
  putSeedParameters,
  roleWithPolicy,
  SEED,
  writeStackFiles,
} from '../../_support/seed-stack.ts';

const ROLE = 'doc-example-cli-session-role';

interface Session {
  readonly AccessKeyId: string;
  readonly SecretAccessKey: string;
  readonly SessionToken: string;
}

// Timeouts are hang detectors: every CLI call is a Python process, and two cores are shared with other suites.
describe('a role session used by the AWS CLI', { timeout: 120_000 }, () => {
  let daemon: DaemonProcess;
  let admin: Aws;
  let dir: string;
  let session: Session;
  let asRole: (token?: string) => Aws;

  beforeAll(async () => {
    daemon = await startDaemon(0.05);
    admin = awsCli(daemon);
    dir = await mkdtemp(join(tmpdir(), 'resilient-cli-session-'));
    const { accountId, region } = daemon.record;
    // The seed's instance policy and table, and a role with that policy which the account may assume
    // (so the admin can), as a trust policy naming the account root allows.
    const files = await writeStackFiles(dir, { accountId, region });
    const trustFile = join(dir, 'account-trust.json');
    await writeFile(
      trustFile,
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: 'sts:AssumeRole' },
        ],
      }),
    );
    await Promise.all([
      createSeedTable(admin, files),
      putSeedParameters(admin),
      roleWithPolicy(
        admin,
        { policy: `${ROLE}-policy`, role: ROLE },
        files.instancePolicy,
        `file://${trustFile}`,
      ),
    ]);
    const assumed = await ok<{ Credentials: Session }>(
      admin,
      'sts',
      'assume-role',
      '--role-arn',
      `arn:aws:iam::${accountId}:role/${ROLE}`,
      '--role-session-name',
      'cli-session',
    );
    session = assumed.Credentials;
    asRole = (token = session.SessionToken) =>
      awsCli(daemon, {
        ...keyEnv(daemon, session.AccessKeyId, session.SecretAccessKey),
        ...(token === '' ? {} : { AWS_SESSION_TOKEN: token }),
      });
  }, 120_000);
  afterAll(async () => {
    await daemon?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('is the assumed role, and may do what the instance policy allows', async () => {
    const role = asRole();
    const [identity, parameters, item, table] = await Promise.all([
      ok<{ Arn: string }>(role, 'sts', 'get-caller-identity'),
      ok<{ Parameters: { Name: string }[]; InvalidParameters: string[] }>(
        role,
        'ssm',
        'get-parameters',
        '--names',
        ...PARAMETER_NAMES,
      ),
      ok<{ Item: { Title: { S: string } } }>(
        role,
        'dynamodb',
        'get-item',
        '--table-name',
        SEED.table,
        '--key',
        JSON.stringify({ MediaType: RECOMMENDATIONS[0]?.MediaType, ItemId: RECOMMENDATIONS[0]?.ItemId }),
      ),
      ok<{ Table: { TableStatus: string } }>(role, 'dynamodb', 'describe-table', '--table-name', SEED.table),
    ]);
    expect(identity.Arn).toBe(`arn:aws:sts::${daemon.record.accountId}:assumed-role/${ROLE}/cli-session`);
    expect(parameters.Parameters.map((p) => p.Name).sort()).toEqual([...PARAMETER_NAMES].sort());
    expect(parameters.InvalidParameters).toEqual([]);
    expect(item.Item.Title.S).toBe(RECOMMENDATIONS[0]?.Title.S);
    expect(table.Table.TableStatus).toBe('ACTIVE');
  });

  it('is denied everything else, with each protocol’s AWS error code', async () => {
    const role = asRole();
    const denied = await Promise.all([
      failure(role, 'dynamodb', 'scan', '--table-name', SEED.table),
      failure(role, 'ssm', 'put-parameter', '--name', SEED.parameters.table, '--value', 'x', '--overwrite'),
      failure(role, 'ssm', 'get-parameter', '--name', SEED.parameters.table),
      failure(role, 'ec2', 'describe-vpcs'),
      failure(role, 'iam', 'list-roles'),
      failure(role, 'elbv2', 'describe-load-balancers'),
    ]);
    expect(denied).toEqual([
      { code: 'AccessDeniedException', operation: 'Scan' },
      { code: 'AccessDeniedException', operation: 'PutParameter' },
      { code: 'AccessDeniedException', operation: 'GetParameter' },
      { code: 'UnauthorizedOperation', operation: 'DescribeVpcs' },
      { code: 'AccessDenied', operation: 'ListRoles' },
      { code: 'AccessDenied', operation: 'DescribeLoadBalancers' },
    ]);
  });

  it('needs its own session token: a wrong or missing one is an invalid token', async () => {
    const [wrong, missing] = await Promise.all([
      failure(asRole('not-the-token'), 'sts', 'get-caller-identity'),
      failure(asRole(''), 'ssm', 'get-parameters', '--names', SEED.parameters.table),
    ]);
    expect(wrong.code).toBe('InvalidClientTokenId');
    expect(missing.code).toBe('UnrecognizedClientException');
  });
});
