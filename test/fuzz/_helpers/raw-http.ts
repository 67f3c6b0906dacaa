/**
 * Raw TCP exchanges with an HTTP server: hostile bytes that no HTTP client library would send.
 */
import { connect, type Socket } from 'node:net';

export interface RawReply {
  /** Everything the server sent, as latin1. */
  readonly text: string;
  /** The status of the first response, or undefined when the server closed without answering. */
  readonly status: number | undefined;
  /** True when the server neither answered nor closed within the deadline (we closed). */
  readonly timedOut: boolean;
}

export const statusOf = (text: string): number | undefined => {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  return m === null ? undefined : Number(m[1]);
};

/**
 * Connects, writes `bytes` and half-closes, and resolves with what came back once the server closes, or
 * once `deadlineMs` passes (then the socket is destroyed and `timedOut` is set). With `keepOpen` the
 * socket stays open for writing (some proxies treat a half-close as the client giving up) and the
 * exchange also ends once a reply has arrived and the line has been quiet for `quietMs`.
 */
export function exchange(
  port: number,
  bytes: Uint8Array | string,
  options: { deadlineMs?: number; keepOpen?: boolean; quietMs?: number } = {},
): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let timedOut = false;
    const socket: Socket = connect(port, '127.0.0.1', () => {
      if (options.keepOpen === true) socket.write(bytes);
      else socket.end(bytes);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      socket.destroy();
    }, options.deadlineMs ?? 5_000);
    const done = (): void => {
      clearTimeout(timer);
      clearTimeout(quiet);
      const text = Buffer.concat(chunks).toString('latin1');
      resolve({ text, status: statusOf(text), timedOut });
    };
    let quiet: NodeJS.Timeout | undefined;
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      if (options.keepOpen !== true) return;
      clearTimeout(quiet);
      quiet = setTimeout(() => socket.destroy(), options.quietMs ?? 200);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A server refusing hostile input may reset the connection: that is an answer too.
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') {
        clearTimeout(timer);
        reject(error);
      }
    });
    socket.on('close', done);
  });
}

/**
 * A plain GET on a fresh connection: the "does it still answer a good request" check. The socket stays
 * open for writing: Node's HTTP servers (httpAllowHalfOpen false) abort a request whose client half-closed
 * before the (asynchronous) answer was written.
 */
export async function goodGet(port: number, path: string): Promise<number | undefined> {
  const reply = await exchange(port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`, {
    keepOpen: true,
    quietMs: 1_000,
  });
  return reply.status;
}

/**
 * Slowloris, bounded: opens `connections` sockets that each trickle an unfinished request head, one
 * header line every `everyMs`, for `forMs`; returns a function that destroys them all.
 */
export function slowloris(
  port: number,
  connections: number,
  everyMs: number,
): { sockets: Socket[]; stop: () => void } {
  const sockets: Socket[] = [];
  for (let i = 0; i < connections; i++) {
    const socket = connect(port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nHost: x\r\n'));
    socket.on('error', () => undefined);
    sockets.push(socket);
  }
  let n = 0;
  const timer = setInterval(() => {
    n++;
    for (const s of sockets) if (s.writable) s.write(`X-Slow-${n}: ${'a'.repeat(8)}\r\n`);
  }, everyMs);
  return {
    sockets,
    stop: () => {
      clearInterval(timer);
      for (const s of sockets) s.destroy();
    },
  };
}
