import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ImdsStub {
  readonly url: string;
  /** Requests received, by `METHOD path`. */
  readonly counts: Map<string, number>;
  close(): Promise<void>;
}

/**
 * IMDSv2 as EC2 serves it (HttpTokens=required): PUT /latest/api/token needs the TTL header and returns a
 * token; metadata GETs without a valid token get 401; unknown items 404.
 */
export async function startImdsStub(identity: { instanceId: string; zone: string }): Promise<ImdsStub> {
  const token = `token-${Math.random().toString(36).slice(2)}`;
  const counts = new Map<string, number>();
  const items: Record<string, string> = {
    '/latest/meta-data/instance-id': identity.instanceId,
    '/latest/meta-data/placement/availability-zone': identity.zone,
  };
  const server: Server = createServer((req, res) => {
    const key = `${req.method} ${req.url}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    if (req.method === 'PUT' && req.url === '/latest/api/token') {
      const ttl = Number(req.headers['x-aws-ec2-metadata-token-ttl-seconds']);
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21600) {
        res.writeHead(400).end('Missing or Invalid Parameters');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end(token);
      return;
    }
    if (req.headers['x-aws-ec2-metadata-token'] !== token) {
      res.writeHead(401).end('Unauthorized');
      return;
    }
    const value = items[req.url ?? ''];
    if (value === undefined) res.writeHead(404).end('Not Found');
    else res.writeHead(200, { 'content-type': 'text/plain' }).end(value);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
