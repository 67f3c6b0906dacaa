import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { RawService } from '../../api/raw-service.ts';
import type { Cloud } from '../../contracts.ts';
import { createDynalite, type RequestListener, requestListenerOf } from './dynalite.ts';

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

interface Store {
  readonly server: Server;
  readonly listener: RequestListener;
}

export interface DynamoDbOptions {
  /** Keep tables in memory instead of LevelDB under `<dataDir>/dynamodb`. */
  readonly inMemory?: boolean;
  /** The default account and Region: a store left by a one-Region version of the cloud is theirs. */
  readonly home: { readonly accountId: string; readonly region: string };
}

/**
 * Before accounts and Regions, one LevelDB store sat at `<dataDir>/dynamodb` itself: it becomes the home
 * scope's store, so a restarted daemon keeps its tables.
 */
function adoptSingleStore(root: string, homeDir: string): void {
  if (!existsSync(join(root, 'CURRENT'))) return;
  mkdirSync(homeDir, { recursive: true });
  for (const entry of readdirSync(root)) {
    if (statSync(join(root, entry)).isFile()) renameSync(join(root, entry), join(homeDir, entry));
  }
}

/**
 * DynamoDB, served by dynalite behind the gateway: the gateway verifies SigV4 and authorizes role sessions on
 * the table ARN (`arn:aws:dynamodb:<region>:<acct>:table/<name>`, Service Authorization Reference), then the
 * verified request and its body are replayed into the dynalite store of the caller's account and the
 * request's Region. dynalite namespaces nothing (its account and Region are process-global, read once per
 * store), so each (account, Region) gets its own store, created on first use: tables of one never appear in
 * another. Data lives in LevelDB under `<dataDir>/dynamodb/<account>/<region>`, so it survives restarts.
 * Each dynalite listens on a loopback port it never serves, only so that its `close()` reaches the LevelDB
 * close (docs/local-cloud.md#dynamodb).
 */
export function createDynamoDb(cloud: Cloud, options: DynamoDbOptions): RawService {
  const root = join(cloud.config.dataDir, 'dynamodb');
  const dirOf = (accountId: string, region: string): string => join(root, accountId, region);
  if (options.inMemory !== true) adoptSingleStore(root, dirOf(options.home.accountId, options.home.region));
  const stores = new Map<string, Promise<Store>>();

  const open = async (accountId: string, region: string): Promise<Store> => {
    const path = dirOf(accountId, region);
    if (options.inMemory !== true) mkdirSync(path, { recursive: true });
    const server: Server = createDynalite(
      {
        ...(options.inMemory === true ? {} : { path }),
        createTableMs: cloud.clock.scaled(CREATE_TABLE_MS),
        deleteTableMs: cloud.clock.scaled(DELETE_TABLE_MS),
        updateTableMs: cloud.clock.scaled(CREATE_TABLE_MS),
      },
      accountId,
      region,
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return { server, listener: requestListenerOf(server) };
  };
  const storeOf = (accountId: string, region: string): Promise<Store> => {
    const key = `${accountId}/${region}`;
    let store = stores.get(key);
    if (store === undefined) {
      store = open(accountId, region);
      stores.set(key, store);
      store.catch(() => stores.delete(key));
    }
    return store;
  };

  return {
    signingName: 'dynamodb',
    protocol: 'awsJson1_0',
    actionPrefix: 'dynamodb',
    resources(operation, input, ctx) {
      const { accountId, region } = ctx.cloud.config;
      const names = tableNames(operation, input);
      return names.length === 0
        ? ['*']
        : names.map((n) => `arn:aws:dynamodb:${region}:${accountId}:table/${n}`);
    },
    async forward(req, res, body, ctx) {
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
      const { listener } = await storeOf(ctx.cloud.config.accountId, ctx.cloud.config.region);
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
    async close() {
      const opened = await Promise.allSettled(stores.values());
      stores.clear();
      await Promise.all(
        opened.map((o) =>
          o.status === 'fulfilled'
            ? new Promise<void>((resolve) => {
                o.value.server.close(() => resolve());
              })
            : undefined,
        ),
      );
    },
  };
}
