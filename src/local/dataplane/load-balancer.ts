/**
 * One Application Load Balancer: a node:http server on the loopback port reserved at CreateLoadBalancer
 * (its DNSName is `127.0.0.1:<port>`). The local cloud maps each load balancer to ONE HTTP listener on
 * that port: the first listener of the spec, whatever its nominal port (80 on AWS), forwards to its
 * target group. Request pipeline (docs/local-cloud.md#request-pipeline): parse (malformed → 400) → LB not active → 503 →
 * TRACE → 405 → >30 X-Forwarded-For → 463 → routing pool (none → 503) → round robin → forward.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { LoadBalancerSpec, TargetGroupSpec, TargetHealthObservation } from '../contracts.ts';
import { type AlbErrorStatus, errorResponse, rawErrorResponse } from './alb-responses.ts';
import type { Route } from './fault-proxy.ts';
import { type ForwardSettings, forward } from './forward.ts';
import { RoundRobin, type RoutableTarget, routingPool } from './routing.ts';

export interface LoadBalancerSource {
  loadBalancer(): LoadBalancerSpec | undefined;
  targetGroup(arn: string): TargetGroupSpec | undefined;
  health(targetGroupArn: string, targetId: string, port: number): TargetHealthObservation | undefined;
  /** Where a request for the target goes; undefined when nothing could answer there (→ 502). */
  routeFor(targetId: string, port: number): Route | undefined;
}

export interface LoadBalancerSettings {
  readonly idleTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly maxSocketsPerTarget: number;
  readonly initialTargetsFailOpen: boolean;
}

const MAX_FORWARDED_FOR_ADDRESSES = 30;
const NO_ROUTE = { endpoint: undefined };
// ALB limits: request line and a single header 16 K, all headers 64 K (docs/local-cloud.md#request-pipeline).
const MAX_HEADER_BYTES = 65_536;

export class LoadBalancerServer {
  readonly arn: string;
  readonly #server: http.Server;
  readonly #agent: http.Agent;
  readonly #rotation = new RoundRobin();
  readonly #settings: LoadBalancerSettings;
  #source: LoadBalancerSource | undefined;
  /** In-flight forwards per target, so a target whose deregistration completed can be cut (→ 502). */
  readonly #inFlight = new Map<string, Set<() => void>>();
  #port = 0;
  #forwardSettings: ForwardSettings;

  constructor(arn: string, settings: LoadBalancerSettings) {
    this.arn = arn;
    this.#settings = settings;
    this.#agent = new http.Agent({
      keepAlive: true,
      maxSockets: settings.maxSocketsPerTarget,
      scheduling: 'lifo',
    });
    this.#forwardSettings = this.#newForwardSettings();
    this.#server = http.createServer(
      { maxHeaderSize: MAX_HEADER_BYTES, keepAliveTimeout: settings.idleTimeoutMs },
      (req, res) => this.#handle(req, res),
    );
    this.#server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) =>
      clientError(error, socket),
    );
  }

  get port(): number {
    return this.#port;
  }

  /** Binds 127.0.0.1:`port` (0 = any free port) and resolves with the bound port. */
  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.#server.once('error', onError);
      this.#server.listen(port, '127.0.0.1', () => {
        this.#server.off('error', onError);
        this.#port = (this.#server.address() as AddressInfo).port;
        this.#forwardSettings = this.#newForwardSettings();
        resolve(this.#port);
      });
    });
  }

  /** Until a source is attached (no listener yet) every request is answered 503. */
  attach(source: LoadBalancerSource): void {
    this.#source = source;
  }

  /** Cuts in-flight requests to targets no longer registered (deregistration delay elapsed → 502). */
  cutTargetsOutside(registered: ReadonlySet<string>): void {
    for (const [key, aborts] of this.#inFlight) {
      if (registered.has(key)) continue;
      for (const abort of aborts) abort();
      this.#inFlight.delete(key);
    }
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
    this.#agent.destroy();
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const rejection = this.#reject(req);
    if (rejection !== undefined) {
      req.resume();
      errorResponse(res, rejection);
      return;
    }
    const source = this.#source;
    const listener = source?.loadBalancer()?.listeners[0];
    const group = listener === undefined ? undefined : source?.targetGroup(listener.targetGroupArn);
    if (source === undefined || group === undefined) {
      req.resume();
      errorResponse(res, 503);
      return;
    }
    const target = this.#pickTarget(source, group);
    if (target === undefined) {
      req.resume();
      errorResponse(res, 503);
      return;
    }
    const key = `${target.id}:${target.port}`;
    let aborts = this.#inFlight.get(key);
    if (aborts === undefined) {
      aborts = new Set();
      this.#inFlight.set(key, aborts);
    }
    const inFlight = aborts;
    let settled = false;
    let abort: (() => void) | undefined;
    abort = forward(
      req,
      res,
      source.routeFor(target.id, target.port) ?? NO_ROUTE,
      this.#forwardSettings,
      () => {
        settled = true;
        if (abort !== undefined) inFlight.delete(abort);
      },
    );
    if (!settled) inFlight.add(abort);
  }

  #newForwardSettings(): ForwardSettings {
    return {
      agent: this.#agent,
      listenerPort: this.#port,
      connectTimeoutMs: this.#settings.connectTimeoutMs,
      idleTimeoutMs: this.#settings.idleTimeoutMs,
    };
  }

  #reject(req: http.IncomingMessage): AlbErrorStatus | undefined {
    if (this.#source?.loadBalancer()?.state !== 'active') return 503;
    if (req.method === 'TRACE') return 405;
    const xff = req.headers['x-forwarded-for'];
    if (typeof xff === 'string' && xff.split(',').length > MAX_FORWARDED_FOR_ADDRESSES) return 463;
    return undefined;
  }

  #pickTarget(source: LoadBalancerSource, group: TargetGroupSpec): RoutableTarget | undefined {
    const routable: RoutableTarget[] = [];
    for (const t of group.targets) {
      if (t.drainingUntil !== undefined) continue;
      routable.push({ id: t.id, port: t.port, health: source.health(group.arn, t.id, t.port) });
    }
    const pool = routingPool(routable, {
      minimumHealthyTargets: 1,
      initialTargetsFailOpen: this.#settings.initialTargetsFailOpen,
    });
    return this.#rotation.pick(pool);
  }
}

function clientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (socket.writable) {
    const status: AlbErrorStatus =
      error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 408
        : error.code === 'HPE_INVALID_TRANSFER_ENCODING'
          ? 501
          : 400;
    // A client that connected and hung up sends nothing back to (ALB logs 460); only answer live sockets.
    if (error.code !== 'ECONNRESET') socket.write(rawErrorResponse(status));
  }
  socket.destroy();
}
