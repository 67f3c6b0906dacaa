import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createFeed } from '../../src/watch/feed.ts';
import { type LiveServer, startLiveServer } from '../../src/watch/server.ts';

let server: LiveServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const TOKEN = 'test-token-0123456789';

function get(
  port: number,
  pathname: string,
  options: { method?: string; host?: string } = {},
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: pathname,
        method: options.method ?? 'GET',
        headers: { host: options.host ?? `127.0.0.1:${port}`, connection: 'close' },
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => {
          body += d.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Opens an SSE stream, resolves once `until` appears in what it received, and returns a closer. */
function openStream(port: number, until: string): Promise<{ text: () => string; close: () => void }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path: `/events?token=${TOKEN}`,
      headers: { host: `127.0.0.1:${port}`, accept: 'text/event-stream' },
    });
    req.on('response', (res) => {
      let text = '';
      let done = false;
      res.on('data', (d: Buffer) => {
        text += d.toString();
        if (!done && text.includes(until)) {
          done = true;
          resolve({ text: () => text, close: () => req.destroy() });
        }
      });
    });
    req.on('error', (e) => {
      if ((e as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(e);
    });
    req.end();
  });
}

const until = async (check: () => boolean) => {
  while (!check()) await new Promise((r) => setTimeout(r, 10));
};

describe('the live view server', () => {
  it('binds 127.0.0.1 and answers 403 without the token, with a wrong one, or for another Host', async () => {
    server = await startLiveServer({ feed: createFeed(), token: TOKEN });
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=${TOKEN}$`));
    expect((await get(server.port, '/')).status).toBe(403);
    expect((await get(server.port, '/?token=wrong')).status).toBe(403);
    expect((await get(server.port, `/?token=${TOKEN}x`)).status).toBe(403);
    expect((await get(server.port, '/events')).status).toBe(403);
    expect((await get(server.port, '/view.js')).status).toBe(403);
    expect((await get(server.port, `/?token=${TOKEN}`, { host: 'attacker.example:80' })).status).toBe(403);
    const page = await get(server.port, `/?token=${TOKEN}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain(`<script type="module" src="./live.js?token=${TOKEN}">`);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['referrer-policy']).toBe('no-referrer');
  });

  it('is read-only, and serves its assets from the package with no other origin named', async () => {
    server = await startLiveServer({ feed: createFeed(), token: TOKEN });
    expect((await get(server.port, `/?token=${TOKEN}`, { method: 'POST' })).status).toBe(405);
    expect((await get(server.port, `/?token=${TOKEN}`, { method: 'DELETE' })).status).toBe(405);
    for (const asset of ['/', '/view.js', '/live.js']) {
      const res = await get(server.port, `${asset}?token=${TOKEN}`);
      expect(res.status).toBe(200);
      expect(res.body).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    }
  });

  it('pushes the history, then every new entry, to each open page', async () => {
    const feed = createFeed();
    feed.setRun({ name: 'demo', target: 'local', region: 'us-west-2', timeScale: 0.05 });
    feed.push({ at: 1, stage: null, event: { type: 'phase', phase: 'deploy' } });
    server = await startLiveServer({ feed, token: TOKEN });
    const a = await openStream(server.port, 'event: entries');
    const b = await openStream(server.port, 'event: entries');
    expect(a.text()).toContain('event: reset');
    expect(a.text()).toContain('"phase":"deploy"');
    feed.push({ at: 2, stage: 1, event: { type: 'stage', stage: 1, title: 'Initial state', text: '' } });
    feed.setCloud({ reachable: false, detail: 'connect ECONNREFUSED' });
    await until(() => a.text().includes('ECONNREFUSED') && b.text().includes('ECONNREFUSED'));
    expect(a.text()).toContain('event: entry\ndata: {"at":2,"stage":1');
    a.close();
    b.close();
  });

  it('opening and closing many streams leaves no listener, stream, socket or timer behind', async () => {
    const feed = createFeed();
    server = await startLiveServer({ feed, token: TOKEN, heartbeatMs: 50 });
    const s = server;
    const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const baseline = timeouts();
    for (let round = 0; round < 5; round++) {
      const streams = await Promise.all(Array.from({ length: 20 }, () => openStream(s.port, 'event: cloud')));
      expect(s.stats().streams).toBe(20);
      expect(feed.subscribers).toBe(20);
      feed.push({ at: round, stage: null, event: { type: 'info', message: `round ${round}` } });
      for (const st of streams) st.close();
      await until(() => s.stats().streams === 0 && s.stats().sockets === 0);
    }
    expect(feed.subscribers).toBe(0);
    expect(s.stats()).toEqual({ streams: 0, sockets: 0, subscribers: 0 });
    // Each stream's heartbeat timer went with it.
    await until(() => timeouts() <= baseline);
    expect(timeouts()).toBeLessThanOrEqual(baseline);
  });
});
