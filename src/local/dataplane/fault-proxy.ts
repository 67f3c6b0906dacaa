/**
 * A TCP relay in front of each instance's workload: the load balancer and the health checker talk to the
 * instance through it, never to the process directly. It is how "hang" and "slow" are injected without
 * touching the workload (DESIGN §7, fault injection), and it gives the instance a port that survives
 * process restarts. While no process listens (booting, rebooting, crashed) it resets every connection,
 * which is what a host with no listener does to a SYN: callers see a refused/reset connection.
 *
 * hang: connections are accepted and their bytes swallowed in both directions (callers time out).
 * slow: every chunk the client sends is held `delayMs` before it reaches the workload.
 * heal: back to a plain relay; connections swallowed during a hang are reset.
 */
import net from 'node:net';

export type RelayFault =
  | { readonly kind: 'none' }
  | { readonly kind: 'hang' }
  | { readonly kind: 'slow'; readonly delayMs: number };

export interface FaultProxy {
  readonly port: number;
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

  return {
    port: address.port,
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
    },
    dropConnections() {
      for (const pair of pairs) pair.client.resetAndDestroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const pair of pairs) pair.client.destroy();
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
