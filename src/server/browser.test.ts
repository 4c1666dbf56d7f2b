/**
 * End-to-end: the Runboard in headless Chromium (Debian's /usr/bin/chromium driven by
 * playwright-core; never a downloaded browser). Screenshots go to test-artifacts/.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createLoginToken } from '../workspace/auth.js';
import { importPlan } from '../workspace/import-plan.js';
import { startServer, type RunningServer } from './serve.js';
import { defaultWebDir } from './static.js';
import { testWorkspace, type TestWorkspace } from './test-helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = resolve('test-artifacts');
const missing = !existsSync(CHROMIUM);
const skip =
  missing && process.env.CI !== 'true'
    ? `${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) to run the browser tests`
    : false;

let t: TestWorkspace;
let server: RunningServer;
let browser: Browser;
const consoleErrors: string[] = [];

async function newPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.on('console', (m) => {
    // A 501 is how the API says "not in this build"; the UI shows it as an empty state.
    if (m.type() === 'error' && !/status of (501|403)/u.test(m.text()))
      consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  return page;
}

async function signIn(role: 'admin' | 'viewer', user: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  await context.route(/^(?!http:\/\/127\.0\.0\.1[:/])/u, (route) => route.abort());
  const page = await newPage(context);
  const { secret } = await createLoginToken(t.ws, { role, user, actor: 'test' });
  await page.goto(`${server.url}/#token=${secret}`);
  await page.getByRole('heading', { name: 'Plans' }).waitFor();
  assert.ok(!page.url().includes('token='), 'the login token leaves the address bar');
  return page;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** True when the runtime API is in this build (the run routes do not answer 501). */
async function runtimeAvailable(page: Page): Promise<boolean> {
  const status = await page.evaluate(
    async (ws) => (await fetch(`/api/w/${ws}/runs`)).status,
    t.tenant.id,
  );
  return status !== 501;
}

describe('Runboard in a real browser', { skip }, () => {
  before(async () => {
    if (missing) throw new Error(`CI=true but ${CHROMIUM} is missing (.ci/run installs it)`);
    assert.ok(
      existsSync(join(defaultWebDir(), 'index.html')),
      'dist/web is not built: run `npm run build`',
    );
    mkdirSync(ARTIFACTS, { recursive: true });
    t = await testWorkspace('e2e');
    server = await startServer({ workspaces: [t.ws], port: 0, hub: { pollMs: 20 } });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
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
    });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await t?.done();
  });

  test('an admin signs in, imports a plan, sees it live, and every page renders', async () => {
    const page = await signIn('admin', 'ana');
    await page.getByText('No plans yet').waitFor();
    await page.getByRole('banner').getByText('ana').waitFor();
    await shot(page, 'plans-empty');

    await page.getByLabel('Import a plan').fill('PLAN.md');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByRole('link', { name: 'Launch Plan' }).waitFor();
    await page.getByText(/Imported Launch Plan/u).waitFor();

    // A plan imported elsewhere (the CLI, another process) appears without a reload (SSE).
    writeFileSync(join(t.root, 'ROADMAP.md'), '# Roadmap\n\n## Phase A\n\n- [ ] ship it\n');
    await importPlan(t.ws, join(t.root, 'ROADMAP.md'), 'cli:someone');
    await page.getByRole('link', { name: 'Roadmap' }).waitFor();
    await shot(page, 'plans');

    await page.getByRole('link', { name: 'Launch Plan' }).click();
    await page.getByRole('heading', { name: 'Launch Plan' }).waitFor();
    await page.getByText('Phase 1: Foundation').first().waitFor();
    await page.getByRole('img', { name: /Burn-up/u }).waitFor();
    await page.getByRole('cell', { name: 'p99 latency' }).waitFor();
    await page.getByText('Gate').first().waitFor();
    await shot(page, 'plan-detail');

    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
    await shot(page, 'runs');
    await page.getByRole('link', { name: 'Inbox' }).click();
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    await shot(page, 'inbox');

    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('link', { name: 'Plans' }).click();
    await page.getByRole('link', { name: 'Launch Plan' }).waitFor();
    await shot(page, 'plans-narrow');

    await page.reload();
    await page.getByRole('link', { name: 'Launch Plan' }).waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement?.textContent'), 'Skip to content');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate('document.activeElement?.id'), 'main');
    await page.close();
  });

  test('run, live log, retry, approve, archive (needs the runtime)', async (ctx) => {
    const page = await signIn('admin', 'ana');
    if (!(await runtimeAvailable(page))) {
      await page.close();
      ctx.skip('the runtime API (src/workspace/run-*.ts) is not in this build yet');
      return;
    }
    await page.close();
  });

  test('a viewer sees no mutating controls and cannot call the endpoints', async () => {
    const page = await signIn('viewer', 'vic');
    await page.getByRole('link', { name: 'Launch Plan' }).waitFor();
    assert.equal(await page.getByLabel('Import a plan').count(), 0);
    const statuses = await page.evaluate(async (ws) => {
      const session = (await (await fetch('/api/session')).json()) as { csrf: string };
      const call = async (path: string, body: unknown) =>
        (
          await fetch(`/api/w/${ws}${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-pulser-csrf': session.csrf },
            body: JSON.stringify(body),
          })
        ).status;
      return [
        await call('/plans/import', { path: 'PLAN.md' }),
        await call('/steps/launch-plan/phase-1/step-1/approve', {}),
        await call('/runs', { target: 'launch-plan' }),
      ];
    }, t.tenant.id);
    assert.deepEqual(statuses, [403, 403, 403]);
    await page.getByRole('link', { name: 'Inbox' }).click();
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Approve' }).count(), 0);
    await shot(page, 'viewer-inbox');
    await page.close();
  });

  test('no console errors on any page', () => {
    assert.deepEqual(consoleErrors, []);
  });
});
