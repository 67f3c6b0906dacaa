import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';

/** dynalite 4 ships no type declarations (docs/local-cloud.md#dynamodb): this is the part we use. */
export interface DynaliteOptions {
  readonly path?: string;
  readonly createTableMs?: number;
  readonly deleteTableMs?: number;
  readonly updateTableMs?: number;
}

type DynaliteFactory = (options: DynaliteOptions) => Server;

const require = createRequire(import.meta.url);

/**
 * Creates a dynalite store for one account and region. dynalite reads `AWS_ACCOUNT_ID` and `AWS_REGION` from
 * the environment once, synchronously, when the store is created (its table ARNs use them), so they are set
 * for the duration of that call only.
 */
export function createDynalite(options: DynaliteOptions, accountId: string, region: string): Server {
  const factory = require('dynalite') as DynaliteFactory;
  const saved = { account: process.env.AWS_ACCOUNT_ID, region: process.env.AWS_REGION };
  process.env.AWS_ACCOUNT_ID = accountId;
  process.env.AWS_REGION = region;
  try {
    return factory(options);
  } finally {
    if (saved.account === undefined) delete process.env.AWS_ACCOUNT_ID;
    else process.env.AWS_ACCOUNT_ID = saved.account;
    if (saved.region === undefined) delete process.env.AWS_REGION;
    else process.env.AWS_REGION = saved.region;
  }
}

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export function requestListenerOf(server: Server): RequestListener {
  const [listener] = server.listeners('request');
  if (typeof listener !== 'function') throw new Error('dynalite server has no request listener');
  return listener as RequestListener;
}
