/**
 * The browser tests' harness: Debian's /usr/bin/chromium driven by playwright-core (never a
 * downloaded browser), network only to 127.0.0.1, sign-in by a login link, full-page
 * screenshots in test-artifacts/.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createLoginToken } from '../workspace/access/auth.js';
import type { Workspace } from '../workspace/open.js';
import { launchChromium as launchBrowser } from '../util/test-helpers.js';

export { CHROMIUM, browserSkip } from '../util/test-helpers.js';
/** Where screenshots go. */
export const ARTIFACTS = resolve('test-artifacts');

/** Launches headless Chromium with the project's flags and makes the screenshot folder. */
export async function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return launchBrowser();
}

/** Signs `user` in with a fresh login link; page errors and console errors go to `errors`. */
export async function signInAs(
  browser: Browser,
  ws: Workspace,
  url: string,
  options: {
    role: 'admin' | 'approver' | 'operator' | 'viewer';
    user: string;
    width?: number;
    errors?: string[];
  },
): Promise<Page> {
  const width = options.width ?? 1280;
  const context = await browser.newContext({
    viewport: { width, height: width < 600 ? 844 : 860 },
  });
  await context.route(/^(?!http:\/\/127\.0\.0\.1[:/])/u, (route) => route.abort());
  const page = await context.newPage();
  const errors = options.errors;
  if (errors !== undefined) {
    page.on('console', (m) => {
      // Refused calls (403) are tested on purpose; a stopped server cuts its streams.
      const expected = /status of 40[03]|ERR_CONNECTION_REFUSED|ERR_INCOMPLETE_CHUNKED_ENCODING/u;
      if (m.type() === 'error' && !expected.test(m.text())) errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
  }
  const { secret } = await createLoginToken(ws, {
    role: options.role,
    user: options.user,
    actor: 'test',
  });
  await page.goto(`${url}/#token=${secret}`);
  await page.getByRole('heading', { name: 'Plans' }).waitFor();
  assert.ok(!page.url().includes('token='), 'the login token leaves the address bar');
  return page;
}

/** A full-page screenshot `test-artifacts/NAME.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}
