/**
 * A TCP relay in front of each instance's workload: the instance's network face. Health checks always go
 * through it, the load balancer whenever a fault is set (see "Fast path" below). It is how "hang" and
 * "slow" are injected without touching the workload (docs/local-cloud.md#fault-injection), and it gives the
 * instance a port that survives process restarts. While no process listens (booting, rebooting, crashed) it resets every connection,
 * which is what a host with no listener does to a SYN: callers see a refused/reset connection.
 *
 * hang: connections are accepted and their bytes swallowed in both directions (callers time out).
 * slow: every chunk the client sends is held `delayMs` before it reaches the workload.
 * heal: back to a plain relay; connections swallowed during a hang are reset.
 *
 * Fast path: while no fault is set and the workload listens, `route()` sends the load balancer straight
 * to the workload's port. A relay hop costs the data-plane process a read and a write per direction, on
 * the same event loop as the load balancer: it doubled the socket work per request (measured: see
 * README "Performance"). Every such direct connection is registered with `track` and gets exactly what a
 * relayed one would: on hang it is swallowed (no byte delivered either way), reset on heal after a hang,
 * reset by `dropConnections`, destroyed by `close`. While a fault is set, `route()` returns the relay, so
 * new connections are hung or slowed by it as before. Health checks keep using the relay (`port`).
 */
import net from 'node:net';

export type RelayFault =
  | { readonly kind: 'none' }
  | { readonly kind: 'hang' }
  | { readonly kind: 'slow'; readonly delayMs: number };

/** Where the load balancer connects to reach the workload, and what must see each new connection. */
export interface Route {
  readonly endpoint: number;
  /** Registers a connection made straight to the workload (absent when `endpoint` is the relay). */
  readonly track?: (socket: net.Socket) => void;
}

export interface FaultProxy {
  /** The relay's own port: the instance's network face. */
  readonly port: number;
  /** The workload directly when no fault is set and it listens; the relay otherwise. */
  route(): Route;
  /** The workload's current port; undefined while nothing listens. */
  setUpstream(port: number | undefined): void;
  setFault(fault: RelayFault): void;
  /** Resets every open connection (the host went down). */
  dropConnections(): void;
  close(): Promise<void>;
}

interface Pair {
  readonly client: net.Socket;
  upstream: net.Socket | undefined;
  swallowed: boolean;
}

export async function startFaultProxy(): Promise<FaultProxy> {
  let upstreamPort: number | undefined;
  let fault: RelayFault = { kind: 'none' };
  const pairs = new Set<Pair>();
  /** Connections made straight to the workload (fast path), with whether a hang swallowed them. */
  const direct = new Map<net.Socket, { swallowed: boolean }>();
  const untrack = (socket: net.Socket): void => {
    direct.delete(socket);
  };
  const swallow = (socket: net.Socket, entry: { swallowed: boolean }): void => {
    entry.swallowed = true;
    // No byte delivered either way, as the relay does for a hung pair: reading stops, writes stay corked
    // (Node's own cork/uncork calls are counted, so this extra cork is never released).
    socket.pause();
    socket.cork();
  };
  const track = (socket: net.Socket): void => {
    if (direct.has(socket) || socket.destroyed) return;
    const entry = { swallowed: false };
    direct.set(socket, entry);
    socket.once('close', () => untrack(socket));
    // Registered after the fault was set (a race of microseconds): a new connection during a hang.
    if (fault.kind === 'hang') swallow(socket, entry);
  };

  const server = net.createServer((client) => {
    const pair: Pair = { client, upstream: undefined, swallowed: fault.kind === 'hang' };
    pairs.add(pair);
    client.on('close', () => {
      pairs.delete(pair);
      pair.upstream?.destroy();
    });
    client.on('error', () => pair.upstream?.destroy());
    if (pair.swallowed) {
      client.resume();
      return;
    }
    if (upstreamPort === undefined) {
      client.resetAndDestroy();
      return;
    }
    relay(pair, upstreamPort, () => fault);
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fault proxy has no TCP address');

  const relayRoute: Route = { endpoint: address.port };
  let directRoute: Route | undefined;
  return {
    port: address.port,
    route() {
      if (fault.kind !== 'none' || upstreamPort === undefined) return relayRoute;
      if (directRoute?.endpoint !== upstreamPort) directRoute = { endpoint: upstreamPort, track };
      return directRoute;
    },
    setUpstream(port) {
      upstreamPort = port;
    },
    setFault(next) {
      const wasHung = fault.kind === 'hang';
      fault = next;
      for (const pair of pairs) {
        if (next.kind === 'hang') pair.swallowed = true;
        else if (wasHung && pair.swallowed) pair.client.resetAndDestroy();
      }
      for (const [socket, entry] of direct) {
        if (next.kind === 'hang') swallow(socket, entry);
        else if (wasHung && entry.swallowed) socket.resetAndDestroy();
      }
    },
    dropConnections() {
      for (const pair of pairs) pair.client.resetAndDestroy();
      for (const socket of direct.keys()) socket.resetAndDestroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const pair of pairs) pair.client.destroy();
        for (const socket of direct.keys()) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function relay(pair: Pair, port: number, currentFault: () => RelayFault): void {
  const { client } = pair;
  const upstream = net.connect({ port, host: '127.0.0.1', noDelay: true });
  pair.upstream = upstream;
  client.setNoDelay(true);
  const delayOf = (): number => {
    const f = currentFault();
    return f.kind === 'slow' ? f.delayMs : 0;
  };
  const later = (fn: () => void): void => {
    const delay = delayOf();
    if (delay > 0) setTimeout(fn, delay).unref();
    else fn();
  };
  client.on('data', (chunk: Buffer) => {
    if (pair.swallowed) return;
    later(() => {
      if (!upstream.destroyed && !upstream.write(chunk)) {
        client.pause();
        upstream.once('drain', () => client.resume());
      }
    });
  });
  upstream.on('data', (chunk: Buffer) => {
    if (pair.swallowed || client.destroyed) return;
    if (!client.write(chunk)) {
      upstream.pause();
      client.once('drain', () => upstream.resume());
    }
  });
  client.on('end', () => later(() => upstream.end()));
  upstream.on('end', () => {
    if (!pair.swallowed) client.end();
  });
  // Refused or reset by the workload (it crashed or is restarting): pass the reset on to the caller.
  upstream.on('error', () => {
    if (!client.destroyed && !pair.swallowed) client.resetAndDestroy();
  });
  upstream.on('close', () => {
    if (!pair.swallowed && !client.destroyed) client.destroySoon();
  });
}
