import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../_support/server-harness.ts';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({ env: { RESILIENT_LOG: 'off' } });
});
afterAll(async () => {
  await harness.close();
});

/** Writes the bytes, half-closes, and resolves with what came back once the server closes the socket. */
function exchange(bytes: Uint8Array): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(harness.server.port, '127.0.0.1', () => socket.end(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The server may reset a connection it refused; that is an answer too.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE')
        resolve(Buffer.concat(chunks).toString('latin1'));
      else reject(error);
    });
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

const token = fc.stringMatching(/^[!-~]{0,40}$/);
const request = fc
  .record({
    method: fc.constantFrom('GET', 'HEAD', 'POST', 'TRACE', 'OPTIONS', 'G\u0000T', ''),
    path: fc.oneof(fc.constantFrom('/', '/healthcheck', '*', '//', '/%00'), token),
    version: fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9', ''),
    headers: fc.array(fc.tuple(token, token), { maxLength: 6 }),
    body: fc.uint8Array({ maxLength: 2048 }),
  })
  .map(({ method, path, version, headers, body }) => {
    const head = `${method} ${path} ${version}\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
    return Buffer.concat([Buffer.from(head, 'latin1'), body]);
  });

describe('fuzzed requests', () => {
  it('never crash the server: every malformed or odd request gets a status or a closed connection', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(request, fc.uint8Array({ minLength: 1, maxLength: 512 })), async (bytes) => {
        const reply = await exchange(bytes);
        if (reply !== '') expect(reply).toMatch(/^HTTP\/1\.1 \d{3} /);
      }),
      { numRuns: 150 },
    );
    const res = await fetch(`${harness.url}/healthcheck`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true });
  });
});
