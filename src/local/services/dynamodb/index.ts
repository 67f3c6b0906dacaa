import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { RawService } from '../../api/raw-service.ts';
import type { Cloud } from '../../contracts.ts';
import { createDynalite, requestListenerOf } from './dynalite.ts';

/** AWS tables take seconds to leave CREATING; the local default is 500 ms, multiplied by the time scale. */
const CREATE_TABLE_MS = 500;
const DELETE_TABLE_MS = 500;

const tableNames = (operation: string, input: Record<string, unknown>): string[] => {
  if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') {
    const items = input.RequestItems;
    return typeof items === 'object' && items !== null ? Object.keys(items) : [];
  }
  return typeof input.TableName === 'string' ? [input.TableName] : [];
};

/** True for an empty body (dynalite answers that itself) or a JSON object; false for other JSON values. */
function isJsonObjectOrEmpty(body: Buffer): boolean {
  if (body.length === 0) return true;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return true; // not JSON at all: dynalite's own SerializationException path handles it
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
}

/**
 * DynamoDB, served by dynalite behind the gateway: the gateway verifies SigV4 and authorizes role sessions on
 * the table ARN (`arn:aws:dynamodb:<region>:<acct>:table/<name>`, Service Authorization Reference), then the
 * verified request and its body are replayed into dynalite's request listener. Data lives in LevelDB under
 * `<dataDir>/dynamodb`, so it survives restarts. dynalite listens on a loopback port it never serves, only so
 * that its `close()` reaches the LevelDB close (docs/local-cloud.md#dynamodb).
 */
export async function createDynamoDb(
  cloud: Cloud,
  options: { readonly inMemory?: boolean } = {},
): Promise<RawService> {
  const path = join(cloud.config.dataDir, 'dynamodb');
  if (options.inMemory !== true) mkdirSync(path, { recursive: true });
  const server: Server = createDynalite(
    {
      ...(options.inMemory === true ? {} : { path }),
      createTableMs: cloud.clock.scaled(CREATE_TABLE_MS),
      deleteTableMs: cloud.clock.scaled(DELETE_TABLE_MS),
      updateTableMs: cloud.clock.scaled(CREATE_TABLE_MS),
    },
    cloud.config.accountId,
    cloud.config.region,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const listener = requestListenerOf(server);
  const { accountId, region } = cloud.config;
  return {
    signingName: 'dynamodb',
    protocol: 'awsJson1_0',
    actionPrefix: 'dynamodb',
    resources(operation, input) {
      const names = tableNames(operation, input);
      return names.length === 0
        ? ['*']
        : names.map((n) => `arn:aws:dynamodb:${region}:${accountId}:table/${n}`);
    },
    forward(req, res, body) {
      // dynalite validates `data.Limit` etc. on whatever JSON.parse returns, and a body that is valid JSON
      // but not an object (`null`, `1`, `"x"`) throws inside its async validation, outside any handler,
      // taking the whole daemon down. DynamoDB answers such a body with a SerializationException.
      if (!isJsonObjectOrEmpty(body)) {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(
          JSON.stringify({
            __type: 'com.amazon.coral.service#SerializationException',
            message: 'Start of structure or map found where not expected.',
          }),
        );
        return;
      }
      const replay = new PassThrough();
      Object.assign(replay, { method: req.method, url: req.url, headers: req.headers });
      try {
        listener(replay as unknown as typeof req, res);
        replay.end(body);
      } catch (error: unknown) {
        // dynalite throws on unexpected internal errors; answer like DynamoDB instead of crashing the daemon.
        if (!res.headersSent) {
          const message = error instanceof Error ? error.message : String(error);
          res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(
            JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message }),
          );
        }
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  };
}
