import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECOMMENDATIONS } from '../../resources/recommendations.ts';
import { createAwsClients } from '../../src/server/aws.ts';
import { DEFAULT_PARAMETER_NAMES } from '../../src/server/env.ts';
import { type RunningServer, startServer } from '../../src/server/start.ts';
import { type AwsStub, parametersFrom, startAwsStub } from '../_support/aws-stub.ts';
import { type ImdsStub, startImdsStub } from '../_support/imds-stub.ts';
import { createRecommendationsTable, writeRecommendations } from '../_support/recommendations-table.ts';
import { IDENTITY, TEST_CREDENTIALS } from '../_support/server-harness.ts';

// dynalite ships no type declarations; this is the one call we use.
const dynalite = createRequire(import.meta.url)('dynalite') as (options: { createTableMs: number }) => Server;

const TABLE = 'resilient-test-recommendations';
let db: Server;
let ssm: AwsStub;
let imds: ImdsStub;
let server: RunningServer;
const parameters: Record<string, string> = {
  [DEFAULT_PARAMETER_NAMES.table]: TABLE,
  [DEFAULT_PARAMETER_NAMES.healthCheck]: 'deep',
};

beforeAll(async () => {
  db = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => db.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(db.address() as AddressInfo).port}`;
  const admin = new DynamoDBClient({ endpoint, region: 'us-west-2', credentials: TEST_CREDENTIALS });
  await createRecommendationsTable(admin, TABLE);
  await writeRecommendations(admin, TABLE);
  admin.destroy();

  ssm = await startAwsStub();
  ssm.on(
    'GetParameters',
    parametersFrom(() => parameters),
  );
  imds = await startImdsStub(IDENTITY);
  const clients = createAwsClients(2000, { endpoint, region: 'us-west-2', credentials: TEST_CREDENTIALS });
  const ssmOnly = createAwsClients(2000, {
    endpoint: ssm.url,
    region: 'us-west-2',
    credentials: TEST_CREDENTIALS,
  });
  server = await startServer({
    env: { RESILIENT_LOG: 'off', AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url },
    port: 0,
    host: '127.0.0.1',
    write: () => {},
    clients: { ssm: ssmOnly.ssm, dynamodb: clients.dynamodb },
  });
});

afterAll(async () => {
  await server?.close();
  await ssm?.close();
  await imds?.close();
  await new Promise<void>((resolve) => (db ? db.close(() => resolve()) : resolve()));
});

describe('against a real DynamoDB implementation (dynalite)', () => {
  it('reads every seeded item over time, in attribute-value form', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 120 && seen.size < RECOMMENDATIONS.length; i++) {
      const res = await fetch(`http://127.0.0.1:${server.port}/`);
      expect(res.status).toBe(200);
      const { Metadata, ...item } = (await res.json()) as Record<string, unknown>;
      expect(Metadata).toEqual({ InstanceId: IDENTITY.instanceId, AvailabilityZone: IDENTITY.zone });
      expect(RECOMMENDATIONS).toContainEqual(item);
      seen.add(JSON.stringify(item));
    }
    expect(seen.size).toBe(RECOMMENDATIONS.length);
  });

  it('passes the deep health check on the ACTIVE table', async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/healthcheck`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true });
  });
});
