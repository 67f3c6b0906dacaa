/**
 * Responses the load balancer generates itself, byte for byte as ALB sends them (docs/local-cloud.md#load-balancer-responses):
 * `Server: awselb/2.0`, `Content-Type: text/html`, and the nginx-style HTML template with CRLF line
 * endings (502 → 122 bytes, 503 → 162 bytes, as observed on AWS).
 */
import type { ServerResponse } from 'node:http';

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  405: 'Method Not Allowed',
  408: 'Request Time-out',
  413: 'Request Entity Too Large',
  431: 'Request Header Fields Too Large',
  // ALB's own 4xx for more than 30 X-Forwarded-For addresses; AWS names no reason phrase (INF).
  463: 'X-Forwarded-For Header Too Long',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

export type AlbErrorStatus = 400 | 405 | 408 | 463 | 501 | 502 | 503 | 504;

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? 'Error';
}

export function errorBody(status: number): string {
  const title = `${status} ${reasonPhrase(status)}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`;
}

/** Answers a request with an ALB-generated error; does nothing if the target's response already began. */
export function errorResponse(res: ServerResponse, status: AlbErrorStatus): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = errorBody(status);
  res.writeHead(status, reasonPhrase(status), {
    Server: 'awselb/2.0',
    'Content-Type': 'text/html',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** The same response as raw bytes, for sockets whose request could not even be parsed. */
export function rawErrorResponse(status: AlbErrorStatus): string {
  const body = errorBody(status);
  return (
    `HTTP/1.1 ${status} ${reasonPhrase(status)}\r\n` +
    `Server: awselb/2.0\r\nDate: ${new Date().toUTCString()}\r\nContent-Type: text/html\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}
