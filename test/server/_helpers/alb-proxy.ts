import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AlbProxy {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The part of ALB that matters here: forward the request to the target and pass its response through;
 * when the target closes the connection with the request outstanding, answer 502 Bad Gateway itself
 * (ALB troubleshooting guide, "HTTP 502: Bad gateway").
 */
export async function startAlbProxy(targetPort: number): Promise<AlbProxy> {
  const server: Server = createServer((req, res) => {
    const upstream = request(
      {
        host: '127.0.0.1',
        port: targetPort,
        path: req.url,
        method: req.method,
        headers: req.headers,
        agent: false,
      },
      (targetRes) => {
        res.writeHead(targetRes.statusCode ?? 502, targetRes.headers);
        targetRes.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(502, { 'content-type': 'text/html', server: 'awselb/2.0' });
      res.end('<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n</html>\r\n');
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
