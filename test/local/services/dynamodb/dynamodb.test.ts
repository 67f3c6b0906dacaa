import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { CreateRoleCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterEach, describe, expect, it } from 'vitest';
import { localClient, startTestLocalCloud, type TestLocalCloud } from '../../../_support/local-cloud.ts';

const trust = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

let dataDir: string | undefined;
let running: TestLocalCloud | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

describe('DynamoDB behind the gateway', () => {
  it('creates a table that a waiter sees go CREATING → ACTIVE, with an ARN of this account and region', async () => {
    running = await startTestLocalCloud({ timeScale: 0.5 });
    const ddb = localClient(DynamoDBClient, running);
    const created = await ddb.send(
      new CreateTableCommand({
        TableName: 'recommendations',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'MediaType', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'MediaType', KeyType: 'HASH' }],
      }),
    );
    expect(created.TableDescription?.TableStatus).toBe('CREATING');
    expect(created.TableDescription?.TableArn).toBe(
      'arn:aws:dynamodb:us-west-2:123456789012:table/recommendations',
    );
    const waited = await waitUntilTableExists(
      { client: ddb, maxWaitTime: 20, minDelay: 1 },
      { TableName: 'recommendations' },
    );
    expect(waited.state).toBe('SUCCESS');
    const described = await ddb.send(new DescribeTableCommand({ TableName: 'recommendations' }));
    expect(described.Table?.TableStatus).toBe('ACTIVE');
  });

  it('keeps IAM resources and table items across a restart on the same data dir', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'resilient-restart-'));
    running = await startTestLocalCloud({ dataDir, keepDataDir: true, timeScale: 0.01 });
    const admin = running.credentials;
    await localClient(IAMClient, running).send(
      new CreateRoleCommand({ RoleName: 'survivor', AssumeRolePolicyDocument: trust }),
    );
    const ddb = localClient(DynamoDBClient, running);
    await ddb.send(
      new CreateTableCommand({
        TableName: 'kept',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    await waitUntilTableExists({ client: ddb, maxWaitTime: 20, minDelay: 1 }, { TableName: 'kept' });
    await ddb.send(
      new PutItemCommand({ TableName: 'kept', Item: { id: { S: 'a' }, v: { S: 'persisted' } } }),
    );
    await running.close();

    running = await startTestLocalCloud({ dataDir, keepDataDir: true, admin });
    const role = await localClient(IAMClient, running).send(new GetRoleCommand({ RoleName: 'survivor' }));
    expect(role.Role?.RoleName).toBe('survivor');
    const item = await localClient(DynamoDBClient, running).send(
      new GetItemCommand({ TableName: 'kept', Key: { id: { S: 'a' } } }),
    );
    expect(item.Item?.v?.S).toBe('persisted');
  });
});
