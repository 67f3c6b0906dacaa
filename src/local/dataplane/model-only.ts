import { createServer, type Server } from 'node:http';
import type { DataPlane, InstanceFault } from '../contracts.ts';

/**
 * A data plane with no processes: the control plane alone, for tests of the API and for daemons started
 * before the real data plane (`src/local/dataplane/`) is wired in. Load balancers still get a real loopback
 * port (so DNSName is stable and unique), answered with 503 "no data plane"; instance and target health are
 * left to the model (`undefined`); reconcile does nothing; faults are accepted and ignored.
 */
export class ModelOnlyDataPlane implements DataPlane {
  readonly #servers = new Map<string, Server>();

  async reserveLoadBalancerPort(loadBalancerArn: string): Promise<number> {
    const existing = this.#servers.get(loadBalancerArn)?.address();
    if (existing !== null && typeof existing === 'object' && existing !== undefined) return existing.port;
    const server = createServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('503 Service Temporarily Unavailable: the local cloud runs without a data plane\n');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.#servers.set(loadBalancerArn, server);
    const address = server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  async releaseLoadBalancer(loadBalancerArn: string): Promise<void> {
    const server = this.#servers.get(loadBalancerArn);
    this.#servers.delete(loadBalancerArn);
    if (server !== undefined) await closeServer(server);
  }

  reconcile(): void {}

  targetHealth(): undefined {
    return undefined;
  }

  instanceStatus(): undefined {
    return undefined;
  }

  injectInstanceFault(_instanceId: string, _fault: InstanceFault): void {}

  async close(): Promise<void> {
    const servers = [...this.#servers.values()];
    this.#servers.clear();
    await Promise.all(servers.map(closeServer));
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
