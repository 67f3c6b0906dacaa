/**
 * Proxies one request to one target (aws-semantics §2.1, §2.3, §2.5): adds X-Forwarded-For/Proto/Port and
 * X-Amzn-Trace-Id, streams the body both ways, passes the target's response through unchanged (status,
 * headers, body), and turns target failures into ALB's own errors: refused/reset/closed without a response
 * → 502, no connection within the connect timeout or no response within the idle timeout → 504.
 */
import { randomBytes } from 'node:crypto';
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

export function forward(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  target: ForwardTarget,
  settings: ForwardSettings,
): { readonly done: Promise<ForwardOutcome>; abort(): void } {
  let settle: (outcome: ForwardOutcome) => void = () => undefined;
  const done = new Promise<ForwardOutcome>((resolve) => {
    settle = resolve;
  });
  if (target.endpoint === undefined) {
    req.resume();
    errorResponse(res, 502);
    settle({ kind: 'error', status: 502 });
    return { done, abort: () => undefined };
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
  const fail = (status: AlbErrorStatus): void => {
    if (finished) return;
    finished = true;
    clearTimeout(connectTimer);
    clearTimeout(responseTimer);
    upstream.destroy();
    errorResponse(res, status);
    settle({ kind: 'error', status });
  };
  let connectTimer: NodeJS.Timeout | undefined;
  // Waiting for the target's first byte: ALB's idle timeout (aws-semantics §2.1, 504).
  const responseTimer = setTimeout(() => fail(504), settings.idleTimeoutMs);
  upstream.on('socket', (socket) => {
    if (socket.connecting) {
      target.track?.(socket);
      connectTimer = setTimeout(() => fail(504), settings.connectTimeoutMs);
      socket.once('connect', () => clearTimeout(connectTimer));
    }
  });
  upstream.on('error', () => fail(502));
  upstream.on('response', (upstreamRes) => {
    clearTimeout(connectTimer);
    clearTimeout(responseTimer);
    if (finished) {
      upstreamRes.destroy();
      return;
    }
    res.writeHead(
      upstreamRes.statusCode ?? 502,
      upstreamRes.statusMessage,
      responseHeaders(upstreamRes.rawHeaders),
    );
    const status = upstreamRes.statusCode ?? 502;
    // Between body chunks the idle timeout applies again; a short body never completes (→ client sees a cut).
    // A timer of our own: a listener on the pooled socket would pile up across requests.
    const bodyTimer = setTimeout(() => upstreamRes.destroy(), settings.idleTimeoutMs);
    upstreamRes.on('data', () => bodyTimer.refresh());
    upstreamRes.pipe(res);
    upstreamRes.on('close', () => clearTimeout(bodyTimer));
    upstreamRes.on('end', () => {
      clearTimeout(bodyTimer);
      finished = true;
      settle({ kind: 'response', status });
    });
    upstreamRes.on('error', () => undefined);
    upstreamRes.on('close', () => {
      if (!upstreamRes.complete) {
        finished = true;
        res.destroy();
        settle({ kind: 'response', status });
      }
    });
  });
  res.on('close', () => {
    if (!res.writableFinished && !finished) {
      finished = true;
      clearTimeout(connectTimer);
      clearTimeout(responseTimer);
      upstream.destroy();
      settle({ kind: 'aborted' });
    }
  });
  req.pipe(upstream);
  return { done, abort: () => fail(502) };
}

export function forwardedHeaders(req: http.IncomingMessage, listenerPort: number): http.OutgoingHttpHeaders {
  const connectionTokens = new Set(
    String(req.headers.connection ?? '')
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .filter((t) => t !== ''),
  );
  const headers: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || connectionTokens.has(name)) continue;
    headers[name] = value;
  }
  const clientIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  const prior = req.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = prior === undefined || prior === '' ? clientIp : `${prior}, ${clientIp}`;
  headers['x-forwarded-proto'] = 'http';
  headers['x-forwarded-port'] = String(listenerPort);
  if (!/Root=/.test(String(req.headers['x-amzn-trace-id'] ?? ''))) headers['x-amzn-trace-id'] = traceId();
  return headers;
}

/** `Root=1-<8 hex epoch seconds>-<24 hex>` (aws-semantics §2.3). */
export function traceId(): string {
  const epoch = Math.floor(Date.now() / 1000)
    .toString(16)
    .padStart(8, '0');
  return `Root=1-${epoch}-${randomBytes(12).toString('hex')}`;
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
