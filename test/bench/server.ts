/**
 * Requests/s of the recommendation server (`node test/bench/server.ts`): GET /healthcheck and GET /
 * with DynamoDB served by dynalite and SSM by a local stub, 5 s each with autocannon, for our cached
 * server and for the reference design (RESILIENT_REFERENCE_MODE=1: a GetParameters call per request and
 * one request at a time). The server runs as its own process, as on an instance. `run.ts` measures the
 * same comparison through the load balancer; this one is the server alone.
 */
import { spawn } from 'node:child_process';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DEFAULT_PARAMETER_NAMES } from '../../src/server/env.ts';
import { parametersFrom, startAwsStub } from '../_support/aws-stub.ts';
import { startImdsStub } from '../_support/imds-stub.ts';
import { createRecommendationsTable, writeRecommendations } from '../_support/recommendations-table.ts';
import { IDENTITY, TEST_CREDENTIALS } from '../_support/server-harness.ts';

const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (options: { createTableMs: number }) => Server;
const autocannon = require('autocannon') as (options: {
  url: string;
  duration: number;
  connections: number;
}) => Promise<{
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}>;

const TABLE = 'bench-recommendations';
const db = dynalite({ createTableMs: 0 });
await new Promise<void>((resolve) => db.listen(0, '127.0.0.1', resolve));
const dynamoEndpoint = `http://127.0.0.1:${(db.address() as AddressInfo).port}`;
const admin = new DynamoDBClient({
  endpoint: dynamoEndpoint,
  region: 'us-west-2',
  credentials: TEST_CREDENTIALS,
});
await createRecommendationsTable(admin, TABLE);
await writeRecommendations(admin, TABLE);
const ssm = await startAwsStub();
ssm.on(
  'GetParameters',
  parametersFrom(() => ({ [DEFAULT_PARAMETER_NAMES.table]: TABLE })),
);
const imds = await startImdsStub(IDENTITY);

async function run(label: string, referenceMode: string): Promise<void> {
  const child = spawn(
    process.execPath,
    [
      fileURLToPath(new URL('../../src/server/main.ts', import.meta.url)),
      '--port',
      '0',
      '--host',
      '127.0.0.1',
    ],
    {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: '/nonexistent',
        AWS_REGION: 'us-west-2',
        AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
        AWS_ENDPOINT_URL_SSM: ssm.url,
        AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
        AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url,
        RESILIENT_REFERENCE_MODE: referenceMode,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error('server did not start')), 20_000);
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const m = /"msg":"listening","port":(\d+)/.exec(out);
      if (m) {
        clearTimeout(deadline);
        out = '';
        resolve(Number(m[1]));
      }
      if (out.length > 1e6) out = '';
    });
  });
  for (const path of ['/healthcheck', '/']) {
    const r = await autocannon({ url: `http://127.0.0.1:${port}${path}`, duration: 5, connections: 10 });
    console.log(
      `${label.padEnd(34)} GET ${path.padEnd(12)} ${Math.round(r.requests.average).toString().padStart(6)} req/s  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  non2xx ${r.non2xx}  errors ${r.errors}`,
    );
  }
  child.kill('SIGTERM');
  await new Promise((resolve) => child.on('exit', resolve));
}

await run('ours (cached parameters and items)', '0');
await run('reference mode (per request, serial)', '1');
console.log(`SSM GetParameters calls: ${ssm.count('GetParameters')}`);
admin.destroy();
await ssm.close();
await imds.close();
await new Promise<void>((resolve) => db.close(() => resolve()));
