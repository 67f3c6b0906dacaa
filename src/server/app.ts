import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Duplex } from 'node:stream';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { ssmParameterFetcher } from './aws.ts';
import type { ServerConfig } from './config.ts';
import { checkHealth } from './health.ts';
import { createIdentityProvider, type IdentityProvider } from './identity.ts';
import { createItemCache } from './item-cache.ts';
import { describeError, type Logger } from './logger.ts';
import { createParameterCache, type FetchParameters, type ParameterCache } from './parameters.ts';
import { randomKey, readRecommendation, STATIC_ITEM, TableParameterMissingError } from './recommendations.ts';

export interface ServerDeps {
  readonly config: ServerConfig;
  readonly ssm: SSMClient;
  readonly dynamodb: DynamoDBClient;
  readonly logger: Logger;
  /** Clock for the parameter, item and identity caches (default Date.now). */
  readonly now?: () => number;
  /** Source of randomness for the item picked (default Math.random). */
  readonly random?: () => number;
  /** Replaces the SSM GetParameters call (default: one GetParameters through `ssm`). */
  readonly fetchParameters?: FetchParameters;
}

export interface RecommendationServer {
  /** The HTTP server, not yet listening. */
  readonly server: Server;
  /**
   * Stops accepting connections and lets in-flight requests finish; after `deadlineMs` the remaining
   * connections are closed. Resolves once the server is closed.
   */
  drain(deadlineMs: number): Promise<void>;
}

/** Bodies are never needed (the API is GET only): anything larger than this is refused with 413. */
export const MAX_BODY_BYTES = 1024;
/** Node's default is 16 KiB; ALB's own limit per header is 16 K. 8 KiB is ample for this API. */
export const MAX_HEADER_BYTES = 8192;
/** After a failed IMDS read, answer "unknown" identity for this long before asking again. */
const IDENTITY_RETRY_MS = 5000;

const JSON_HEADERS = 'application/json';
const NOT_FOUND_BODY = JSON.stringify({ message: 'Not Found' });
const METHOD_NOT_ALLOWED_BODY = JSON.stringify({ message: 'Method Not Allowed' });
const TOO_LARGE_BODY = JSON.stringify({ message: 'Payload Too Large' });
const INTERNAL_BODY = JSON.stringify({ message: 'Internal Server Error' });

/** Builds the recommendation server of the seed's "HTTP API specification" around injectable dependencies. */
export function createServer(deps: ServerDeps): RecommendationServer {
  const { config, dynamodb, logger } = deps;
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  const timeoutMs = config.dependencyTimeoutMs;
  const parameters: ParameterCache = createParameterCache({
    names: config.parameterNames,
    ttlMs: config.parameterTtlMs,
    fetch: deps.fetchParameters ?? ssmParameterFetcher(deps.ssm, timeoutMs),
    now,
    onError: (error) =>
      logger.error('parameters unavailable, using last values', { error: describeError(error) }),
  });
  const items = createItemCache({
    ttlMs: config.itemTtlMs,
    now,
    read: (table, key) => readRecommendation(dynamodb, table, key, timeoutMs),
  });
  const identity: IdentityProvider = createIdentityProvider({
    endpoint: config.imdsEndpoint,
    timeoutMs,
    retryAfterMs: IDENTITY_RETRY_MS,
    now,
    onError: (error) => logger.error('instance metadata unavailable', { error: describeError(error) }),
  });
  let draining = false;

  const send = (res: ServerResponse, status: number, body: string, extra?: Record<string, string>): void => {
    const headers: Record<string, string | number> = {
      'Content-Type': JSON_HEADERS,
      'Content-Length': Buffer.byteLength(body),
      ...extra,
    };
    // While draining, tell keep-alive clients to go elsewhere so the connection ends with this response.
    if (draining) headers['Connection'] = 'close';
    res.writeHead(status, headers);
    res.end(body);
  };

  const recommend = async (res: ServerResponse): Promise<void> => {
    const values = await parameters.get();
    const metadata = identity.get(); // in parallel with the table read; never rejects
    let item: Record<string, unknown>;
    try {
      if (values.table === undefined) throw new TableParameterMissingError();
      item = await items.get(values.table, randomKey(random));
    } catch (error: unknown) {
      if (values.failureResponse !== 'static') {
        // The reference server raises here and the connection closes without a response; ALB answers
        // 502 when "the target closed the connection with an outstanding request" (ALB troubleshooting,
        // HTTP 502). We do the same on purpose: destroying the socket is what makes the client see 502.
        logger.error('recommendation failed, closing connection', { error: describeError(error) });
        res.destroy();
        return;
      }
      logger.error('recommendation failed, serving static item', { error: describeError(error) });
      item = STATIC_ITEM;
    }
    send(res, 200, JSON.stringify({ ...item, Metadata: await metadata }));
  };

  const healthcheck = async (res: ServerResponse): Promise<void> => {
    const values = await parameters.get();
    const result = await checkHealth(values.healthCheck, dynamodb, values.table, timeoutMs);
    if (result.reason !== undefined) logger.error('deep health check failed', { reason: result.reason });
    send(res, result.status, result.body);
  };

  const route = (req: IncomingMessage, res: ServerResponse): Promise<void> | undefined => {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    const handler = path === '/' ? recommend : path === '/healthcheck' ? healthcheck : undefined;
    if (handler === undefined) {
      send(res, 404, NOT_FOUND_BODY);
      return undefined;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, METHOD_NOT_ALLOWED_BODY, { Allow: 'GET, HEAD' });
      return undefined;
    }
    return handler(res);
  };

  /** Settles once the request is answered (or failed); never rejects. */
  const handle = (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const pending = route(req, res);
    if (pending === undefined) return Promise.resolve();
    return pending.catch((error: unknown) => {
      logger.error('request handler failed', { error: describeError(error) });
      if (!res.headersSent) send(res, 500, INTERNAL_BODY);
      else res.destroy();
    });
  };

  // Reference mode (env.ts `referenceMode`, the benchmark's baseline): requests wait in arrival order
  // and are handled strictly one at a time, like the reference's single-threaded HTTPServer.
  let queue: Promise<void> = Promise.resolve();
  const dispatch = (req: IncomingMessage, res: ServerResponse): void => {
    if (config.referenceMode) queue = queue.then(() => handle(req, res));
    else void handle(req, res);
  };

  const tooLarge = (res: ServerResponse): void => {
    send(res, 413, TOO_LARGE_BODY, { Connection: 'close' });
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const started = performance.now();
    if (config.log !== 'off') {
      res.once('close', () => {
        logger.info('request', {
          method: req.method,
          path: req.url,
          status: res.writableFinished ? res.statusCode : null,
          ms: Math.round((performance.now() - started) * 100) / 100,
        });
      });
    }
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > MAX_BODY_BYTES) {
      tooLarge(res);
      return;
    }
    if (req.headers['transfer-encoding'] === undefined) {
      dispatch(req, res);
      return;
    }
    // A chunked body has no declared length: count it as it arrives and refuse it past the cap.
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > MAX_BODY_BYTES && !res.headersSent) {
        req.pause();
        tooLarge(res);
      }
    });
    req.on('end', () => {
      if (!res.headersSent) dispatch(req, res);
    });
    req.on('error', () => res.destroy());
  };

  const server = createHttpServer(
    {
      maxHeaderSize: MAX_HEADER_BYTES,
      // Longer than ALB's 60 s idle timeout, as AWS recommends, so the load balancer never reuses a
      // connection we are closing (which it would report as 502).
      keepAliveTimeout: 65_000,
      headersTimeout: 10_000,
      requestTimeout: 15_000,
    },
    onRequest,
  );

  // Malformed requests never reach onRequest: answer them here and drop the connection, so a bad
  // client gets a status and the process never sees an unhandled error.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, reason] =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large']
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request Timeout']
          : [400, 'Bad Request'];
    const body = JSON.stringify({ message: reason });
    logger.info('request', { status, error: error.code ?? error.message });
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      () => socket.destroy(),
    );
  });

  const drain = (deadlineMs: number): Promise<void> => {
    draining = true;
    return new Promise((resolve) => {
      const force = setTimeout(() => server.closeAllConnections(), deadlineMs);
      force.unref();
      server.close(() => {
        clearTimeout(force);
        resolve();
      });
      // Idle keep-alive connections hold no request: close them now. Busy ones end after their
      // response (Connection: close, see send) or at the deadline.
      server.closeIdleConnections();
    });
  };

  // Warm the identity cache so the first request does not pay for IMDS.
  void identity.get();

  return { server, drain };
}
