import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAdminCredentials } from '../../../src/local/daemon/credentials.ts';
import { daemonPaths } from '../../../src/local/daemon/files.ts';
import { type ServingCloud, serveLocalCloud } from '../../../src/local/daemon/serve.ts';

const run = promisify(execFile);
const AWS = '/usr/bin/aws';

let stateDir: string;
let serving: ServingCloud;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'resilient-cli-'));
  serving = await serveLocalCloud({ port: 0, stateDir, timeScale: 0.01 });
  const paths = daemonPaths(stateDir);
  expect(readAdminCredentials(paths)).toBeDefined();
  // Only the generated profile: the user's own AWS settings must not leak in.
  env = {
    PATH: process.env.PATH,
    HOME: stateDir,
    AWS_SHARED_CREDENTIALS_FILE: paths.credentialsFile,
    AWS_CONFIG_FILE: paths.configFile,
    AWS_PROFILE: 'resilient-local',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
  };
});
afterAll(async () => {
  await serving.stop();
  await rm(stateDir, { recursive: true, force: true });
});

async function aws(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      AWS,
      ['--endpoint-url', serving.record.endpoint, '--output', 'json', ...args],
      {
        env,
        timeout: 30_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error: unknown) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const trust = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

describe('AWS CLI v2 against the local cloud', () => {
  it('runs sts get-caller-identity with the generated profile', async () => {
    const out = await aws('sts', 'get-caller-identity');
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ Account: '123456789012' });
  });

  it('creates, reads and deletes an IAM role, and reports NoSuchEntity afterwards', async () => {
    const created = await aws(
      'iam',
      'create-role',
      '--role-name',
      'cli-role',
      '--assume-role-policy-document',
      trust,
    );
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout).Role.Arn).toBe('arn:aws:iam::123456789012:role/cli-role');
    const got = await aws('iam', 'get-role', '--role-name', 'cli-role');
    expect(JSON.parse(got.stdout).Role.AssumeRolePolicyDocument).toMatchObject({ Version: '2012-10-17' });
    expect((await aws('iam', 'delete-role', '--role-name', 'cli-role')).code).toBe(0);
    const missing = await aws('iam', 'get-role', '--role-name', 'cli-role');
    expect(missing.code).toBe(254);
    expect(missing.stderr).toContain('(NoSuchEntity)');
  });

  it('creates and describes a DynamoDB table', async () => {
    const created = await aws(
      'dynamodb',
      'create-table',
      '--table-name',
      'cli-table',
      '--billing-mode',
      'PAY_PER_REQUEST',
      '--attribute-definitions',
      'AttributeName=id,AttributeType=S',
      '--key-schema',
      'AttributeName=id,KeyType=HASH',
    );
    expect(created.code).toBe(0);
    const described = await aws('dynamodb', 'describe-table', '--table-name', 'cli-table');
    expect(JSON.parse(described.stdout).Table.TableName).toBe('cli-table');
  });

  it('surfaces a signature failure as SignatureDoesNotMatch', async () => {
    const out = await run(AWS, ['--endpoint-url', serving.record.endpoint, 'sts', 'get-caller-identity'], {
      env: {
        PATH: env.PATH,
        HOME: env.HOME,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        AWS_ACCESS_KEY_ID: serving.cloud.admin.accessKeyId,
        AWS_SECRET_ACCESS_KEY: 'wrong',
        AWS_DEFAULT_REGION: 'us-west-2',
      },
      timeout: 30_000,
    }).catch((e: unknown) => e as { stderr: string });
    expect(out.stderr).toContain('SignatureDoesNotMatch');
  });
});
