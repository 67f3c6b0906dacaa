/**
 * Generators of hostile HTTP/1.1 requests, each tagged with its kind so a test can state which answers are
 * correct for it. Bytes only: every case is written on a raw socket.
 */
import fc from 'fast-check';

export type HostileKind =
  | 'bad-request-line'
  | 'bad-version'
  | 'huge-header'
  | 'too-many-headers'
  | 'bad-chunked'
  | 'smuggling'
  | 'truncated-body'
  | 'odd-method'
  | 'random-bytes';

export interface HostileCase {
  readonly kind: HostileKind;
  readonly bytes: Buffer;
  /** Half-close after writing (truncation and garbage need an end of input to be decidable). */
  readonly halfClose: boolean;
  /** Size of the request head in bytes (for header-limit expectations). */
  readonly headBytes: number;
  /** The method and path as written, when the case has a request line. */
  readonly method: string | undefined;
  readonly path: string | undefined;
}

const PATHS = ['/healthcheck', '/nope', '/healthcheck?x=1', '/%2e%2e/etc/passwd'] as const;
const path = fc.constantFrom(...PATHS);
const value = fc.stringMatching(/^[a-zA-Z0-9 ;=,._-]{0,30}$/);

const build = (
  kind: HostileKind,
  head: string,
  body: Buffer | string = '',
  halfClose = false,
): HostileCase => {
  const headBuffer = Buffer.from(head, 'latin1');
  const line = kind === 'random-bytes' ? undefined : /^(\S*) (\S*) /.exec(head);
  return {
    method: line?.[1],
    path: line?.[2],
    kind,
    bytes: Buffer.concat([headBuffer, typeof body === 'string' ? Buffer.from(body, 'latin1') : body]),
    halfClose,
    headBytes: headBuffer.length,
  };
};

/** Characters no request line may hold where they are put: controls, a bare CR or LF, DEL, separators. */
const illegal = fc.constantFrom('\u0000', '\u0001', '\u007f', '\r', '(', '"', '{', ' \t ', '\u00ff');

const badRequestLine = fc
  .record({ method: fc.constantFrom('GET', 'POST', 'HEAD'), p: path, bad: illegal, at: fc.nat(2) })
  .map(({ method, p, bad, at }) => {
    const parts = [method, p, 'HTTP/1.1'];
    const i = at % 3;
    parts[i] = `${(parts[i] ?? '').slice(0, 1)}${bad}${(parts[i] ?? '').slice(1)}`;
    return build('bad-request-line', `${parts.join(' ')}\r\nHost: x\r\nConnection: close\r\n\r\n`);
  });

const badVersion = fc
  .record({ p: path, version: fc.constantFrom('HTTP/9.9', 'HTTP/1.x', 'HTTP/11', 'HTTPS/1.1', 'http/1.1') })
  .map(({ p, version }) =>
    build('bad-version', `GET ${p} ${version}\r\nHost: x\r\nConnection: close\r\n\r\n`),
  );

/**
 * One header far over a limit. Sizes avoid the limits' edges (8 KiB server, 16 KiB Node default at the
 * gateway, 64 KiB the load balancer) so the expected answer does not depend on the other headers' bytes.
 */
const hugeHeader = fc
  .record({
    p: path,
    size: fc.oneof(
      fc.integer({ min: 9_000, max: 15_000 }),
      fc.integer({ min: 20_000, max: 60_000 }),
      fc.integer({ min: 70_000, max: 120_000 }),
    ),
  })
  .map(({ p, size }) =>
    build(
      'huge-header',
      `GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: ${'a'.repeat(size)}\r\n\r\n`,
    ),
  );

const tooManyHeaders = fc
  .record({ p: path, count: fc.integer({ min: 3_000, max: 12_000 }) })
  .map(({ p, count }) =>
    build(
      'too-many-headers',
      `GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${Array.from({ length: count }, (_, i) => `h${i}: v\r\n`).join('')}\r\n`,
    ),
  );

/** A chunked body that breaks the grammar of RFC 9112 §7.1 somewhere. */
const badChunked = fc
  .record({
    p: path,
    body: fc.constantFrom(
      'zz\r\nabc\r\n0\r\n\r\n',
      '3\r\nabcX0\r\n\r\n',
      'ffffffffffffffffffff\r\nab\r\n',
      '-5\r\nabcde\r\n0\r\n\r\n',
      '3 ;\u0001ext\r\nabc\r\n0\r\n\r\n',
      '3\nabc\n0\n\n',
      '0x3\r\nabc\r\n0\r\n\r\n',
      '3\r\nabc\r\n0\r\nTrailer\u0000: x\r\n\r\n',
    ),
  })
  .map(({ p, body }) =>
    build(
      'bad-chunked',
      `POST ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n`,
      body,
    ),
  );

/** Framing conflicts used for request smuggling (RFC 9112 §6.3): each must be refused, never forwarded. */
const smuggling = fc
  .record({
    p: path,
    framing: fc.constantFrom(
      'Content-Length: 3\r\nTransfer-Encoding: chunked\r\n',
      'Content-Length: 3\r\nContent-Length: 4\r\n',
      'Content-Length: -1\r\n',
      'Content-Length: 1e3\r\n',
      'Transfer-Encoding: gzip\r\n',
      'Transfer-Encoding: chunked, identity\r\n',
      'Transfer-Encoding : chunked\r\n',
      'Transfer-Encoding:\u000bchunked\r\n',
    ),
  })
  .map(({ p, framing }) =>
    build(
      'smuggling',
      `POST ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${framing}\r\n`,
      '0\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n',
    ),
  );

/** A declared body longer than what is sent before the client half-closes. */
const truncatedBody = fc
  .record({ p: path, declared: fc.integer({ min: 10, max: 900 }), sent: fc.nat(9) })
  .map(({ p, declared, sent }) =>
    build(
      'truncated-body',
      `POST ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: ${declared}\r\n\r\n`,
      'a'.repeat(sent),
      true,
    ),
  );

/** Well-formed requests with methods the API does not serve. */
const oddMethod = fc
  .record({
    p: path,
    method: fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS', 'PROPFIND', 'BREW', 'M-SEARCH'),
    headers: fc.array(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/), value), { maxLength: 4 }),
  })
  .map(({ p, method, headers }) =>
    build(
      'odd-method',
      `${method} ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n${headers
        .filter(([k]) => !['host', 'connection', 'content-length', 'transfer-encoding'].includes(k))
        .map(([k, v]) => `${k}: ${v.trim()}\r\n`)
        .join('')}\r\n`,
    ),
  );

const randomBytes = fc
  .uint8Array({ minLength: 1, maxLength: 600 })
  .map((bytes) => build('random-bytes', '', Buffer.from(bytes), true));

export const hostileRequest: fc.Arbitrary<HostileCase> = fc.oneof(
  badRequestLine,
  badVersion,
  hugeHeader,
  tooManyHeaders,
  badChunked,
  smuggling,
  truncatedBody,
  oddMethod,
  randomBytes,
);
