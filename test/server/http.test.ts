import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, MAX_HEADER_BYTES } from '../../src/server/app.ts';
import { type Harness, startHarness } from '../_support/server-harness.ts';

let harness: Harness;
beforeEach(async () => {
  harness = await startHarness();
});
afterEach(async () => {
  await harness.close();
});

/** Sends raw bytes and collects everything the server writes until it closes the connection. */
function raw(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(harness.server.port, '127.0.0.1', () => socket.write(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.setTimeout(10_000, () => {
      socket.destroy();
      reject(new Error('server kept the connection open'));
    });
  });
}

describe('HTTP edges', () => {
  it('answers unknown paths with a JSON 404', async () => {
    const res = await fetch(`${harness.url}/nope`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ message: 'Not Found' });
  });

  it('answers other methods with 405 and Allow: GET, HEAD', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const res = await fetch(`${harness.url}/healthcheck`, { method });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD');
      await res.text();
    }
  });

  it('answers HEAD like GET without a body', async () => {
    const res = await fetch(`${harness.url}/healthcheck`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String('{"success":true}'.length));
    expect(await res.text()).toBe('');
  });

  it('ignores the query string when routing', async () => {
    const res = await fetch(`${harness.url}/healthcheck?from=alb`);
    expect(res.status).toBe(200);
    await res.text();
  });

  it('answers malformed requests with 400 and closes the connection', async () => {
    const reply = await raw('THIS IS NOT HTTP\r\n\r\n');
    expect(reply).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(reply).toContain('Connection: close');
    const res = await fetch(`${harness.url}/healthcheck`);
    expect(res.status).toBe(200);
    await res.text();
  });

  it('refuses oversized headers with 431', async () => {
    const reply = await raw(
      `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(MAX_HEADER_BYTES + 1)}\r\n\r\n`,
    );
    expect(reply).toMatch(/^HTTP\/1\.1 431 /);
  });

  it('refuses a declared body over the cap with 413', async () => {
    const res = await fetch(`${harness.url}/`, { method: 'POST', body: 'x'.repeat(MAX_BODY_BYTES + 1) });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ message: 'Payload Too Large' });
  });

  it('refuses a chunked body that grows over the cap with 413', async () => {
    const reply = await raw(
      `POST /healthcheck HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${(MAX_BODY_BYTES + 10).toString(16)}\r\n${'y'.repeat(MAX_BODY_BYTES + 10)}\r\n0\r\n\r\n`,
    );
    expect(reply).toMatch(/^HTTP\/1\.1 413 /);
  });

  it('routes a GET with a small chunked body normally', async () => {
    const reply = await raw(
      'GET /healthcheck HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
    );
    expect(reply).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(reply.endsWith('{"success":true}')).toBe(true);
  });

  it('serves several requests on one keep-alive connection', async () => {
    const sockets = new Set<unknown>();
    for (let i = 0; i < 3; i++) {
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(`${harness.url}/healthcheck`, (res) => {
          sockets.add(res.socket);
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(200);
    }
    expect(sockets.size).toBe(1);
  });

  it('logs one JSON line per request with method, path, status and duration', async () => {
    await (await fetch(`${harness.url}/nope`)).text();
    await expect
      .poll(() => harness.logs.find((l) => l['msg'] === 'request' && l['path'] === '/nope'))
      .toMatchObject({
        level: 'info',
        method: 'GET',
        status: 404,
        ms: expect.any(Number),
        time: expect.any(String),
      });
    expect(harness.logs[0]).toMatchObject({ msg: 'listening', port: harness.server.port });
  });
});
