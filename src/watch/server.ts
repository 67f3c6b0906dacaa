/**
 * The live view's HTTP server: 127.0.0.1 only, every request must carry the random token of the URL
 * (else 403), GET and HEAD only (the view is read-only), the page's assets from the package (no CDN),
 * and the run pushed to each page over Server-Sent Events. A page that goes away takes its listener,
 * its heartbeat timer and its socket with it.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { viewCss, viewScript } from '../report/assets.ts';
import type { Feed, FeedMessage } from './feed.ts';

export interface LiveServer {
  /** The page's URL, token included: print it on its own line. */
  readonly url: string;
  readonly port: number;
  /** Open SSE streams and open sockets (for the leak tests). */
  stats(): { streams: number; sockets: number; subscribers: number };
  close(): Promise<void>;
}

export interface LiveServerOptions {
  readonly feed: Feed;
  readonly port?: number;
  readonly title?: string;
  /** Tests pass one; otherwise 24 random bytes. */
  readonly token?: string;
  readonly heartbeatMs?: number;
}

const HOST = '127.0.0.1';
/** A page that stops reading (a frozen tab) is dropped once this much is queued for it. */
const MAX_BUFFERED = 4 * 1024 * 1024;

let liveJs: string | undefined;
const liveScript = (): string => {
  liveJs ??= readFileSync(new URL('./live.js', import.meta.url), 'utf8');
  return liveJs;
};

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

function page(title: string, token: string): string {
  const q = `token=${encodeURIComponent(token)}`;
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${title.replace(/[<>&"]/g, '')}</title>`,
    `<style>${viewCss()}.stream{position:fixed;top:10px;right:14px;font-size:12px;padding:2px 9px;border-radius:10px}.stream.live{background:#e8f6ee;color:#1f6b3f}.stream.down{background:#fff3d6;color:#7a5200}</style>`,
    '</head><body class="live">',
    '<div id="stream" class="stream">connecting…</div>',
    '<main id="app"><p class="muted">Loading…</p></main>',
    `<script type="module" src="./live.js?${q}"></script>`,
    '</body></html>',
    '',
  ].join('\n');
}

function tokenOk(url: URL, token: string): boolean {
  const given = Buffer.from(url.searchParams.get('token') ?? '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

const sse = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

function messageText(message: FeedMessage): string {
  switch (message.kind) {
    case 'entry':
      return sse('entry', message.entry);
    case 'reset':
      return sse('reset', {});
    case 'run':
      return sse('run', message.run);
    case 'cloud':
      return sse('cloud', message.status);
  }
}

export async function startLiveServer(options: LiveServerOptions): Promise<LiveServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const title = options.title ?? 'resilient watch';
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const sockets = new Set<Socket>();
  const streams = new Set<ServerResponse>();
  let port = 0;

  const send = (res: ServerResponse, status: number, type: string, body: string, head: boolean) => {
    res.writeHead(status, {
      'content-type': type,
      'content-length': Buffer.byteLength(body),
      ...SECURITY_HEADERS,
    });
    res.end(head ? undefined : body);
  };

  const openStream = (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      ...SECURITY_HEADERS,
    });
    streams.add(res);
    const { run, cloud, entries } = options.feed.snapshot();
    res.write(`retry: 2000\n\n${sse('reset', {})}`);
    if (run !== undefined) res.write(sse('run', run));
    res.write(sse('cloud', cloud));
    // History in slices, so a long run does not become one huge message.
    for (let i = 0; i < entries.length; i += 2000) res.write(sse('entries', entries.slice(i, i + 2000)));
    const unsubscribe = options.feed.subscribe((message) => {
      res.write(messageText(message));
      if (res.writableLength > MAX_BUFFERED) res.destroy();
    });
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), heartbeatMs);
    heartbeat.unref();
    const done = () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    };
    res.once('close', done);
    req.once('close', done);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${HOST}`);
    // DNS rebinding: a page from another origin that resolves to 127.0.0.1 still names its own host.
    const hostOk = req.headers.host === `${HOST}:${port}` || req.headers.host === `localhost:${port}`;
    if (!hostOk || !tokenOk(url, token)) {
      send(
        res,
        403,
        'text/plain; charset=utf-8',
        'Forbidden: this page needs the token of the URL resilient watch printed.\n',
        false,
      );
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      send(res, 405, 'text/plain; charset=utf-8', 'The live view is read-only.\n', false);
      return;
    }
    const head = req.method === 'HEAD';
    switch (url.pathname) {
      case '/':
        send(res, 200, 'text/html; charset=utf-8', page(title, token), head);
        return;
      case '/view.js':
        send(res, 200, 'text/javascript; charset=utf-8', viewScript(), head);
        return;
      case '/live.js':
        send(res, 200, 'text/javascript; charset=utf-8', liveScript(), head);
        return;
      case '/events':
        if (head) send(res, 200, 'text/event-stream', '', true);
        else openStream(req, res);
        return;
      default:
        send(res, 404, 'text/plain; charset=utf-8', 'Not found.\n', head);
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 0;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${HOST}:${port}/?token=${token}`,
    port,
    stats: () => ({ streams: streams.size, sockets: sockets.size, subscribers: options.feed.subscribers }),
    async close() {
      for (const res of streams) res.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
