/**
 * Debian's chromium, headless, driven by playwright-core through the system binary (no browser
 * download), with a fresh profile every launch and nothing phoning home.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = (): boolean => existsSync(CHROMIUM);

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'resilient-chromium-'));
  // A fresh profile: playwright passes it as --user-data-dir itself (and refuses it in args).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1200, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Where screenshots go: RESILIENT_SCREENSHOT_DIR (e.g. docs/images, to refresh README's), else a temp dir. */
export function screenshotPath(name: string): string {
  const dir = process.env['RESILIENT_SCREENSHOT_DIR'] ?? path.join(tmpdir(), 'resilient-screenshots');
  mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}
