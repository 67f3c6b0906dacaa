/**
 * The live page in Debian's chromium against an in-process server and feed (no cloud): it follows
 * the feed, says when the cloud is unreachable and when it is back, and after the stream drops it
 * reconnects by itself and draws the same run, not the run twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFeed } from '../../src/watch/feed.ts';
import { type LiveServer, startLiveServer } from '../../src/watch/server.ts';
import { syntheticRun } from '../_support/run-events.ts';
import { type Browser, hasChromium, launchBrowser } from './_helpers/browser.ts';

let browser: Browser;
let server: LiveServer;
const feed = createFeed();

beforeAll(async () => {
  if (!hasChromium()) return;
  browser = await launchBrowser();
  server = await startLiveServer({ feed });
}, 60_000);
afterAll(async () => {
  await server?.close();
  await browser?.close();
});

describe.skipIf(!hasChromium())('the live page (Debian chromium)', () => {
  it('draws pushed entries, shows an unreachable cloud and its recovery, and survives a dropped stream', async () => {
    feed.setRun({ name: 'demo', target: 'local', region: 'us-west-2', timeScale: 0.05 });
    const events = syntheticRun();
    const now = Date.now();
    const shift = now - (events.at(-1)?.at ?? now);
    const entries = events.map(({ at, event }, i) => ({
      seq: i + 1,
      at: at + shift,
      stage: 'stage' in event && typeof event.stage === 'number' ? event.stage : null,
      event,
    }));
    const half = entries.findIndex((e) => e.event.type === 'stage' && e.event.stage === 5);
    for (const e of entries.slice(0, half)) feed.push(e);

    const page = await browser.context.newPage();
    await page.goto(server.url);
    await page.waitForSelector('#current-stage[data-stage="4"]');
    for (const e of entries.slice(half, half + 3)) feed.push(e);
    await page.waitForSelector('#current-stage[data-stage="5"]');

    feed.setCloud({ reachable: false, detail: 'connect ECONNREFUSED 127.0.0.1:4566' });
    await page.waitForSelector('#cloud.down');
    expect(await page.locator('#cloud').textContent()).toContain('cloud unreachable: connect ECONNREFUSED');
    feed.setCloud({ reachable: true, detail: '' });
    await page.waitForSelector('#cloud.ok');

    const logLines = await page.locator('#log li').count();
    // The server drops every stream (as a restart or a network blip would): the page comes back by itself.
    const streamsBefore = server.stats().streams;
    expect(streamsBefore).toBe(1);
    await server.close();
    await page.waitForSelector('#stream.down');
    const port = server.port;
    server = await startLiveServer({
      feed,
      port,
      token: new URL(page.url()).searchParams.get('token') ?? '',
    });
    await page.waitForSelector('#stream.live', { timeout: 20_000 });
    await page.waitForSelector('#current-stage[data-stage="5"]');
    expect(await page.locator('#log li').count()).toBe(logLines);
    expect(server.stats().streams).toBe(1);
    await page.close();
    // The tab is gone: so is its stream.
    for (let i = 0; i < 100 && server.stats().streams > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(server.stats()).toEqual({ streams: 0, sockets: 0, subscribers: 0 });
  }, 60_000);
});
