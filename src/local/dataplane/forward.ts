/**
 * Proxies one request to one target (docs/local-cloud.md#forwarded-requests): adds X-Forwarded-For/Proto/Port and
 * X-Amzn-Trace-Id, streams the body both ways, passes the target's response through unchanged (status,
 * headers, body), and turns target failures into ALB's own errors: refused/reset/closed without a response
 * → 502, no connection within the connect timeout or no response within the idle timeout → 504.
 */
import { randomFillSync } from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'node:net';
import { type AlbErrorStatus, errorResponse } from './alb-responses.ts';

export interface ForwardTarget {
  /** Loopback port reaching the target; undefined when nothing listens there (→ 502). */
  readonly endpoint: number | undefined;
  /** Sees every new connection to `endpoint` (the instance's fault injection, see fault-proxy.ts). */
  readonly track?: ((socket: Socket) => void) | undefined;
}

export interface ForwardSettings {
  readonly agent: http.Agent;
  readonly listenerPort: number;
  readonly connectTimeoutMs: number;
  readonly idleTimeoutMs: number;
}

/** What happened, for the caller's bookkeeping (in-flight tracking, events). */
export type ForwardOutcome =
  | { readonly kind: 'response'; readonly status: number }
  | { readonly kind: 'error'; readonly status: AlbErrorStatus }
  | { readonly kind: 'aborted' };

// Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are never forwarded.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-authenticate',
  'proxy-authorization',
]);

/**
 * Starts proxying `req` to `target`; `onSettled` is called exactly once with what happened. Returns the
 * abort (→ 502 if the response has not begun, else the client's connection is cut). Hot path: one timer
 * per request (the idle timeout before and between response bytes), no promise, listeners only on
 * objects that live as long as the request.
 */
export function forward(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  target: ForwardTarget,
  settings: ForwardSettings,
  onSettled: (outcome: ForwardOutcome) => void = ignore,
): () => void {
  if (target.endpoint === undefined) {
    req.resume();
    errorResponse(res, 502);
    onSettled({ kind: 'error', status: 502 });
    return ignore;
  }
  const upstream = http.request({
    host: '127.0.0.1',
    port: target.endpoint,
    method: req.method,
    path: req.url,
    headers: forwardedHeaders(req, settings.listenerPort),
    agent: settings.agent,
  });
  let finished = false;
  let upstreamRes: http.IncomingMessage | undefined;
  let connectTimer: NodeJS.Timeout | undefined;
  const settle = (outcome: ForwardOutcome): void => {
    finished = true;
    clearTimeout(idleTimer);
    clearTimeout(connectTimer);
    onSettled(outcome);
  };
  const fail = (status: AlbErrorStatus): void => {
    if (finished) return;
    upstream.destroy();
    errorResponse(res, status);
    settle({ kind: 'error', status });
  };
  // ALB's idle timeout (docs/local-cloud.md#load-balancer-responses): waiting for the target's first byte → 504; between body
  // chunks → the response is cut (the client sees a short body). A timer of our own, refreshed per chunk:
  // a listener on the pooled socket would pile up across requests.
  const idleTimer = setTimeout(() => {
    if (upstreamRes === undefined) fail(504);
    else upstreamRes.destroy();
  }, settings.idleTimeoutMs);
  upstream.on('socket', (socket) => {
    if (!socket.connecting) return;
    target.track?.(socket);
    connectTimer = setTimeout(() => fail(504), settings.connectTimeoutMs);
    socket.once('connect', () => clearTimeout(connectTimer));
  });
  upstream.on('error', () => fail(502));
  upstream.on('response', (response: http.IncomingMessage) => {
    clearTimeout(connectTimer);
    if (finished) {
      response.destroy();
      return;
    }
    upstreamRes = response;
    const status = response.statusCode ?? 502;
    res.writeHead(status, response.statusMessage, responseHeaders(response.rawHeaders));
    idleTimer.refresh();
    response.on('data', () => idleTimer.refresh());
    response.pipe(res);
    response.on('end', () => settle({ kind: 'response', status }));
    response.on('error', ignore);
    response.on('close', () => {
      if (response.complete || finished) return;
      res.destroy();
      settle({ kind: 'response', status });
    });
  });
  res.on('close', () => {
    if (res.writableFinished || finished) return;
    upstream.destroy();
    settle({ kind: 'aborted' });
  });
  req.pipe(upstream);
  return () => fail(502);
}

function ignore(): void {}

const NO_TOKENS: readonly string[] = [];

export function forwardedHeaders(req: http.IncomingMessage, listenerPort: number): http.OutgoingHttpHeaders {
  const incoming = req.headers;
  const connection = incoming.connection;
  // Headers named by Connection are hop-by-hop too (RFC 9110 §7.6.1); usually there is none or one token.
  const connectionTokens: readonly string[] =
    connection === undefined || connection === ''
      ? NO_TOKENS
      : connection
          .toLowerCase()
          .split(',')
          .map((t) => t.trim());
  const headers: http.OutgoingHttpHeaders = {};
  for (const name in incoming) {
    const value = incoming[name];
    if (value === undefined || HOP_BY_HOP.has(name) || connectionTokens.includes(name)) continue;
    headers[name] = value;
  }
  const remote = req.socket.remoteAddress ?? '127.0.0.1';
  const clientIp = remote.startsWith('::ffff:') ? remote.slice(7) : remote;
  const prior = incoming['x-forwarded-for'];
  headers['x-forwarded-for'] = prior === undefined || prior === '' ? clientIp : `${prior}, ${clientIp}`;
  headers['x-forwarded-proto'] = 'http';
  headers['x-forwarded-port'] = String(listenerPort);
  const trace = incoming['x-amzn-trace-id'];
  if (trace === undefined || !String(trace).includes('Root=')) headers['x-amzn-trace-id'] = traceId();
  return headers;
}

// Trace ids need 12 random bytes per request: drawn from a pool refilled 4 KiB at a time, not one
// randomBytes call (a trip into OpenSSL) each.
const randomPool = Buffer.alloc(4096);
let randomOffset = randomPool.length;
let epochSecond = -1;
let epochHex = '';

/** `Root=1-<8 hex epoch seconds>-<24 hex>` (docs/local-cloud.md#forwarded-requests). */
export function traceId(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== epochSecond) {
    epochSecond = second;
    epochHex = second.toString(16).padStart(8, '0');
  }
  if (randomOffset + 12 > randomPool.length) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  const unique = randomPool.toString('hex', randomOffset, randomOffset + 12);
  randomOffset += 12;
  return `Root=1-${epochHex}-${unique}`;
}

function responseHeaders(raw: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? '';
    if (HOP_BY_HOP.has(name.toLowerCase())) continue;
    out.push(name, raw[i + 1] ?? '');
  }
  return out;
}
