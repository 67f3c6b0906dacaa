import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  GetRoleCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueRoleSession } from '../../../../src/local/services/sts/index.ts';
import { stsState } from '../../../../src/local/services/sts/sessions.ts';
import { localClient, startTestLocalCloud, type TestLocalCloud } from '../../../_support/local-cloud.ts';
import { sdkFailure } from '../../../_support/sdk-failure.ts';

const ACCOUNT = '123456789012';
const trustAccount = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' },
  ],
});
const trustEc2Only = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

let local: TestLocalCloud;
let iam: IAMClient;
let sts: STSClient;

async function roleWithPolicy(name: string, statements: object[]): Promise<string> {
  const role = await iam.send(
    new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustAccount }),
  );
  const policy = await iam.send(
    new CreatePolicyCommand({
      PolicyName: `${name}-policy`,
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
    }),
  );
  await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: policy.Policy?.Arn ?? '' }));
  return role.Role?.Arn ?? '';
}

async function sessionFor(
  roleArn: string,
): Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken: string }> {
  const out = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'test-session' }));
  return {
    accessKeyId: out.Credentials?.AccessKeyId ?? '',
    secretAccessKey: out.Credentials?.SecretAccessKey ?? '',
    sessionToken: out.Credentials?.SessionToken ?? '',
  };
}

beforeAll(async () => {
  local = await startTestLocalCloud();
  iam = localClient(IAMClient, local);
  sts = localClient(STSClient, local);
});
afterAll(async () => {
  await local.close();
});

describe('STS', () => {
  it('identifies the admin caller', async () => {
    const id = await sts.send(new GetCallerIdentityCommand({}));
    expect(id).toMatchObject({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/resilient-local-admin` });
  });

  it('assumes a role the trust policy allows, with ASIA credentials that identify the session', async () => {
    const roleArn = await roleWithPolicy('assumable', [
      { Effect: 'Allow', Action: 'iam:GetRole', Resource: '*' },
    ]);
    const out = await sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 's1', DurationSeconds: 900 }),
    );
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    const ttl = (out.Credentials?.Expiration?.getTime() ?? 0) - Date.now();
    expect(ttl).toBeGreaterThan(800_000);
    expect(ttl).toBeLessThanOrEqual(900_000);
    const asRole = localClient(STSClient, local, { credentials: await sessionFor(roleArn) });
    const id = await asRole.send(new GetCallerIdentityCommand({}));
    expect(id.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/assumable/test-session`);
    expect(id.UserId).toMatch(/^AROA[A-Z2-7]{17}:test-session$/);
  });

  it('refuses roles whose trust policy does not name the caller, unknown roles, and long durations', async () => {
    const role = await iam.send(
      new CreateRoleCommand({ RoleName: 'ec2-only', AssumeRolePolicyDocument: trustEc2Only }),
    );
    expect(
      await sdkFailure(
        sts.send(new AssumeRoleCommand({ RoleArn: role.Role?.Arn ?? '', RoleSessionName: 's' + 'x' })),
      ),
    ).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(
      await sdkFailure(
        sts.send(
          new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/missing`, RoleSessionName: 'sx' }),
        ),
      ),
    ).toMatchObject({ name: 'AccessDenied', status: 403 });
    const ok = await roleWithPolicy('short', [{ Effect: 'Allow', Action: '*', Resource: '*' }]);
    expect(
      await sdkFailure(
        sts.send(new AssumeRoleCommand({ RoleArn: ok, RoleSessionName: 'sx', DurationSeconds: 7200 })),
      ),
    ).toMatchObject({ name: 'ValidationError', message: expect.stringContaining('MaxSessionDuration') });
  });

  it('answers ExpiredToken once a session has expired', async () => {
    const roleArn = await roleWithPolicy('expiring', [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }]);
    const creds = await sessionFor(roleArn);
    const session = stsState(local.cloud).sessions[creds.accessKeyId] as { expiration: number } | undefined;
    if (session === undefined) throw new Error('session not recorded');
    session.expiration = Date.now() - 1;
    const asRole = localClient(IAMClient, local, { credentials: creds });
    expect(await sdkFailure(asRole.send(new GetRoleCommand({ RoleName: 'expiring' })))).toMatchObject({
      name: 'ExpiredToken',
      status: 403,
    });
  });

  it('issues role sessions for instance profiles (issueRoleSession) that authenticate', async () => {
    await roleWithPolicy('instance-role', [{ Effect: 'Allow', Action: 'iam:GetRole', Resource: '*' }]);
    const creds = issueRoleSession(local.cloud, 'instance-role', 'i-0123456789abcdef0', 3_600_000);
    const asInstance = localClient(IAMClient, local, { credentials: creds });
    const got = await asInstance.send(new GetRoleCommand({ RoleName: 'instance-role' }));
    expect(got.Role?.RoleName).toBe('instance-role');
  });
});

describe('IAM enforcement for role sessions', () => {
  it('allows what a policy allows and denies the rest with AWS messages, per protocol', async () => {
    const roleArn = await roleWithPolicy('limited', [
      { Effect: 'Allow', Action: 'iam:GetRole', Resource: `arn:aws:iam::${ACCOUNT}:role/limited` },
      {
        Effect: 'Allow',
        Action: 'dynamodb:Describe*',
        Resource: `arn:aws:dynamodb:*:${ACCOUNT}:table/allowed-*`,
      },
    ]);
    const creds = await sessionFor(roleArn);
    const asIam = localClient(IAMClient, local, { credentials: creds });
    await expect(asIam.send(new GetRoleCommand({ RoleName: 'limited' }))).resolves.toBeDefined();
    const denied = await sdkFailure(asIam.send(new GetRoleCommand({ RoleName: 'assumable' })));
    expect(denied).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(denied.message).toBe(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/limited/test-session is not authorized to perform: iam:GetRole on resource: arn:aws:iam::${ACCOUNT}:role/assumable because no identity-based policy allows the iam:GetRole action`,
    );
    const ddb = localClient(DynamoDBClient, local, { credentials: creds });
    // Allowed by the wildcard: the table does not exist, so DynamoDB itself answers.
    expect(
      await sdkFailure(ddb.send(new DescribeTableCommand({ TableName: 'allowed-table' }))),
    ).toMatchObject({
      name: 'ResourceNotFoundException',
    });
    expect(await sdkFailure(ddb.send(new DescribeTableCommand({ TableName: 'other-table' })))).toMatchObject({
      name: 'AccessDeniedException',
      status: 400,
    });
    // GetCallerIdentity needs no permission.
    const asSts = localClient(STSClient, local, { credentials: creds });
    await expect(asSts.send(new GetCallerIdentityCommand({}))).resolves.toBeDefined();
  });

  it('lets an explicit deny beat an allow, with case-insensitive action wildcards', async () => {
    const roleArn = await roleWithPolicy('deny-wins', [
      { Effect: 'Allow', Action: 'IAM:*', Resource: '*' },
      { Effect: 'Deny', Action: 'iam:Get?ole', Resource: `arn:aws:iam::${ACCOUNT}:role/assum*` },
    ]);
    const asIam = localClient(IAMClient, local, { credentials: await sessionFor(roleArn) });
    await expect(asIam.send(new GetRoleCommand({ RoleName: 'limited' }))).resolves.toBeDefined();
    const denied = await sdkFailure(asIam.send(new GetRoleCommand({ RoleName: 'assumable' })));
    expect(denied.name).toBe('AccessDenied');
    expect(denied.message).toContain('with an explicit deny in an identity-based policy');
  });
});
