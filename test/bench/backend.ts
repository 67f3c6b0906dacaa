/**
 * The cloud the benchmark's instances talk to, on one loopback endpoint (what the local cloud gives an
 * instance as AWS_ENDPOINT_URL): DynamoDB is a real implementation (dynalite, seeded with the nine
 * recommendations) reached through a pass-through proxy, and SSM GetParameters is answered in place from
 * the three parameter values. Both operations are counted, to check each server mode's calls per request.
 * `latencyMs` delays every answer, to model a dependency that is a network hop away instead of on loopback.
 */
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createRecommendationsTable, writeRecommendations } from '../_support/recommendations-table.ts';

const dynalite = createRequire(import.meta.url)('dynalite') as (options: {
  createTableMs: number;
}) => http.Server;

export const BENCH_PARAMETERS = {
  table: '/resilient/bench/table',
  failureResponse: '/resilient/bench/failure-response',
  healthCheck: '/resilient/bench/health-check',
} as const;
export const BENCH_TABLE = 'resilient-bench-recommendations';

export interface Backend {
  /** http://127.0.0.1:<port>, for AWS_ENDPOINT_URL. */
  readonly endpoint: string;
  readonly counts: { getParameters: number; dynamodb: number };
  /** Added before every answer (ms): models a dependency's network latency (0 = loopback as is). */
  latencyMs: number;
  close(): Promise<void>;
}

const listen = (server: http.Server): Promise<number> =>
  new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
const close = (server: http.Server): Promise<void> =>
  new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

export async function startBackend(): Promise<Backend> {
  const db = dynalite({ createTableMs: 0 });
  const dbPort = await listen(db);
  const admin = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${dbPort}`,
    region: 'us-west-2',
    credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' },
  });
  await createRecommendationsTable(admin, BENCH_TABLE);
  await writeRecommendations(admin, BENCH_TABLE);
  admin.destroy();

  const values: Record<string, string> = {
    [BENCH_PARAMETERS.table]: BENCH_TABLE,
    [BENCH_PARAMETERS.failureResponse]: 'none',
    [BENCH_PARAMETERS.healthCheck]: 'shallow',
  };
  const counts = { getParameters: 0, dynamodb: 0 };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const front = http.createServer((req, res) => {
    if (backend.latencyMs > 0) setTimeout(() => serve(req, res), backend.latencyMs);
    else serve(req, res);
  });
  const serve = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const target = String(req.headers['x-amz-target'] ?? '');
    if (target.startsWith('DynamoDB_')) {
      counts.dynamodb++;
      const upstream = http.request(
        { host: '127.0.0.1', port: dbPort, method: req.method, path: req.url, headers: req.headers, agent },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (target !== 'AmazonSSM.GetParameters') {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: 'UnknownOperationException', message: target }));
        return;
      }
      counts.getParameters++;
      const names = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Names?: string[] }).Names ?? [];
      const body = JSON.stringify({
        Parameters: names
          .filter((n) => values[n] !== undefined)
          .map((Name) => ({ Name, Value: values[Name], Type: 'String', Version: 1 })),
        InvalidParameters: names.filter((n) => values[n] === undefined),
      });
      res.writeHead(200, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': `bench-${counts.getParameters}`,
      });
      res.end(body);
    });
  };
  front.keepAliveTimeout = 65_000;
  const port = await listen(front);
  const backend: Backend = {
    endpoint: `http://127.0.0.1:${port}`,
    counts,
    latencyMs: 0,
    close: async () => {
      await close(front);
      agent.destroy();
      await close(db);
    },
  };
  return backend;
}
