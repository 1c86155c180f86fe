// The console tests' shared setup: the console built, one Nimbus in this process, one Chromium.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, startServer } from '../helpers.js';
import type { RunningNimbus } from '../../src/nimbus.js';

export const ARTIFACTS = join('artifacts', 'console');

export function buildConsole(): void {
  const r = spawnSync(process.execPath, ['scripts/build-console.mjs'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('the console did not build');
}

export interface ConsoleRig {
  server: RunningNimbus;
  browser: Browser;
  page: Page;
  url: string;
  stop(): Promise<void>;
}

export async function startRig(): Promise<ConsoleRig> {
  buildConsole();
  mkdirSync(ARTIFACTS, { recursive: true });
  const server = await startServer();
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(10_000);
  return {
    server,
    browser,
    page,
    url: server.url,
    async stop() {
      await browser.close();
      await server.stop();
    },
  };
}

export const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
