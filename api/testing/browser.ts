import fs from 'node:fs';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it): browser features are tested in a real one. */
export const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Launches headless Chromium for a browser test; a missing browser is an error that says how to install it. */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium`);
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/**
 * Collects a page's console errors and uncaught exceptions into `errors`. Chromium logs every 4xx answer as a console
 * error: `ignore` drops the ones a test causes on purpose.
 */
export function collectPageErrors(page: Page, errors: string[], ignore?: RegExp): void {
  page.on('console', (m) => (m.type() === 'error' && !(ignore && ignore.test(m.text())) ? errors.push(m.text()) : undefined));
  page.on('pageerror', (e) => errors.push(String(e)));
}

/** A browser context signed in with the session cookie a sign-in answered (`sargs_session=…`, api/testing/identity-fixture). */
export async function sessionContext(browser: Browser, baseUrl: string, cookie: string, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  const eq = cookie.indexOf('=');
  await context.addCookies([{ name: cookie.slice(0, eq), value: cookie.slice(eq + 1), url: baseUrl }]);
  return context;
}
