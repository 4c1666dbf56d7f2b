/**
 * End-to-end: the Runboard in headless Chromium (Debian's /usr/bin/chromium driven by
 * playwright-core; never a downloaded browser). Screenshots go to test-artifacts/.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { requestApproval } from '../workspace/agents/agent-requests.js';
import { createLoginToken } from '../workspace/access/auth.js';
import { importPlan } from '../workspace/plans/import-plan.js';
import { startRun } from '../workspace/runs/runs.js';
import { startServer, type RunningServer } from './serve.js';
import { defaultWebDir } from './static.js';
import { testWorkspace, type TestWorkspace } from './test-helpers.js';
import { browserSkip, launchChromium } from '../util/test-helpers.js';

const ARTIFACTS = resolve('test-artifacts');
const skip = browserSkip;

let t: TestWorkspace;
let server: RunningServer;
let browser: Browser;
const consoleErrors: string[] = [];

async function newPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.on('console', (m) => {
    // The viewer test calls mutating endpoints on purpose: their 403s are expected.
    if (m.type() === 'error' && !/status of 403/u.test(m.text())) consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  return page;
}

async function signIn(role: 'admin' | 'approver' | 'viewer', user: string): Promise<Page> {
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

/** A plan of small shell steps; `Flaky` fails (exit 127, not retried) until its marker exists. */
const OPS_MD = `# Ops Demo

## Phase 1: Checks

### Task 1.1: Greet

\`\`\`sh
echo hello from the runboard
\`\`\`

### Task 1.2: Flaky

\`\`\`sh
if [ -f .flaky-ok ]; then echo recovered; else touch .flaky-ok; echo first attempt fails >&2; exit 127; fi
\`\`\`
`;

describe('Runboard in a real browser', { skip }, () => {
  before(async () => {
    assert.ok(
      existsSync(join(defaultWebDir(), 'index.html')),
      'dist/web is not built: run `npm run build`',
    );
    mkdirSync(ARTIFACTS, { recursive: true });
    t = await testWorkspace('e2e');
    server = await startServer({
      workspaces: [t.ws],
      port: 0,
      hub: { pollMs: 20 },
      worker: { pollMs: 20 },
    });
    browser = await launchChromium();
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
    await page.getByRole('cell', { name: 'p99 latency', exact: true }).waitFor();
    await page.getByText('Gate').first().waitFor();
    await shot(page, 'plan-detail');

    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
    await shot(page, 'runs-empty');
    await page.getByRole('link', { name: 'Inbox' }).click();
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    await shot(page, 'inbox-empty');

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

  test('start a run, approve it, watch its log live, trust, retry, archive', async () => {
    writeFileSync(join(t.root, 'ops.md'), OPS_MD);
    const page = await signIn('admin', 'ana');
    const logReads: string[] = [];
    page.on('response', (r) => {
      if (/\/runs\/[^/]+\/logs/u.test(r.url())) {
        void r.text().then(
          (b) => logReads.push(b),
          () => undefined,
        );
      }
    });

    await page.getByLabel('Import a plan').fill('ops.md');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByRole('link', { name: 'Ops Demo' }).waitFor();

    // Start a run from the UI: the target picker lists the plan's phases and tasks.
    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await page.getByRole('button', { name: 'Start a run' }).click();
    await page.getByLabel('Target').selectOption({ label: 'Task: Task 1.1: Greet (1 step)' });
    await page.getByLabel(/Intent/u).fill('say hello');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.getByRole('heading', { name: /Task 1\.1: Greet/u }).waitFor();
    const greet = page.getByRole('listitem', { name: /step 1: Task 1\.1: Greet/u });
    // Nobody trusted ops.md: the step waits, whatever the UI would like.
    await greet.getByText('awaiting approval', { exact: true }).waitFor();
    await greet.getByText('echo hello from the runboard').waitFor();
    await shot(page, 'run-awaiting-approval');

    // Keyboard only: the Approve control is a real button that takes focus and Enter.
    await greet.getByRole('button', { name: 'Approve' }).focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('run-log').getByText('hello from the runboard').waitFor();
    await greet.getByText('succeeded', { exact: true }).waitFor();
    assert.ok(
      !logReads.some((b) => b.includes('hello from the runboard')),
      'the log line arrived live over SSE, not from a read of the log',
    );
    const approved = await t.ws.store.events.read({ types: ['step.approved'] });
    assert.equal(approved.at(-1)?.actor, 'user:ana');
    await shot(page, 'run-detail');

    // Trust the plan from the Inbox (an explicit decision by the test's approver).
    await page
      .getByRole('navigation', { name: 'main' })
      .getByRole('link', { name: /Inbox/u })
      .click();
    await page.getByRole('heading', { name: /Untrusted plans/u }).waitFor();
    await shot(page, 'inbox');
    const plan = page.getByRole('listitem', { name: 'untrusted plan ops.md' });
    await plan.getByRole('button', { name: 'Trust this version' }).click();
    await plan.getByRole('button', { name: 'Yes, trust' }).click();
    await plan.waitFor({ state: 'detached' });
    const granted = await t.ws.store.events.read({ types: ['trust.granted'] });
    assert.equal(granted.at(-1)?.actor, 'user:ana');

    // A step that fails on its first attempt (exit 127: not retried by itself) is retried here.
    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await page.getByRole('button', { name: 'Start a run' }).click();
    await page.getByLabel('Target').selectOption({ label: 'Task: Task 1.2: Flaky (1 step)' });
    await page.getByRole('button', { name: 'Start run' }).click();
    const flaky = page.getByRole('listitem', { name: /step 1: Task 1\.2: Flaky/u });
    await flaky.getByText('quarantined', { exact: true }).waitFor();
    await page.getByTestId('run-log').getByText('first attempt fails').waitFor();
    await shot(page, 'run-quarantined');
    await flaky.getByRole('button', { name: 'Retry', exact: true }).click();
    await page.getByTestId('run-log').getByText('recovered').waitFor();
    await flaky.getByText('succeeded', { exact: true }).waitFor();
    await flaky.getByText(/attempts 2/u).waitFor();

    // Archive the session: its runs leave the list until "Show archived" is ticked.
    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await page.getByRole('link', { name: 'Task 1.2: Flaky' }).waitFor();
    await page.getByLabel('Search').fill('flaky');
    await page.getByRole('link', { name: 'Task 1.1: Greet' }).waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByRole('link', { name: 'Task 1.1: Greet' }).waitFor();
    await shot(page, 'runs');
    await page.getByLabel('Session').selectOption({ index: 1 });
    await page.getByRole('button', { name: 'Archive session' }).click();
    await page.getByText('No runs yet').waitFor();
    const archived = await t.ws.store.events.read({ types: ['session.archived'] });
    assert.equal(archived.at(-1)?.actor, 'user:ana');
    await page.getByLabel('Show archived').check();
    await page.getByRole('link', { name: 'Task 1.2: Flaky' }).waitFor();
    await shot(page, 'runs-archived');

    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('link', { name: 'Task 1.2: Flaky' }).click();
    await page.getByTestId('run-log').getByText('recovered').waitFor();
    await shot(page, 'run-detail-narrow');
    await page.close();
  });

  test('a viewer sees no mutating controls and cannot call the endpoints', async () => {
    const launch = (await t.ws.store.plans.list()).find((p) => p.plan.title === 'Launch Plan')!;
    const { run, steps } = await startRun(t.ws, { target: launch.id, actor: 'cli:test' });
    const waiting = steps[0]!;
    assert.equal(waiting.state, 'awaiting_approval');
    const page = await signIn('viewer', 'vic');
    await page.getByRole('link', { name: 'Launch Plan' }).waitFor();
    assert.equal(await page.getByLabel('Import a plan').count(), 0);
    const statuses = await page.evaluate(
      async ([ws, step, plan, sha]) => {
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
          await call(`/steps/${step}/approve`, {}),
          await call('/runs', { target: plan }),
          await call('/trust', { planId: plan, sha256: sha }),
        ];
      },
      [t.tenant.id, waiting.id, launch.id, launch.sha256] as const,
    );
    assert.deepEqual(statuses, [403, 403, 403, 403]);
    assert.equal((await t.ws.store.runs.getStep(waiting.id))?.state, 'awaiting_approval');
    await page.goto(`${server.url}/runs/${run.id}`);
    await page.getByText('awaiting approval', { exact: true }).first().waitFor();
    await page.getByText('echo hello from pulser').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Approve' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Cancel run' }).count(), 0);
    await shot(page, 'viewer-run');
    await page
      .getByRole('navigation', { name: 'main' })
      .getByRole('link', { name: /Inbox/u })
      .click();
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    await page.getByText('echo hello from pulser').first().waitFor();
    assert.equal(await page.getByRole('button', { name: 'Approve' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: /Trust/u }).count(), 0);
    await shot(page, 'viewer-inbox');
    await page.close();
  });

  test('an approver runs the checks, signs a criterion off from the UI and sees the gate pass', async () => {
    const launch = (await t.ws.store.plans.list()).find((p) => p.plan.title === 'Launch Plan')!;
    const criterion = launch.plan.phases[0]!.tasks[1]!.criteria[0]!;
    await requestApproval(
      t.ws,
      `${launch.id}:${criterion.id}`,
      'agent:claude',
      'CI went green on main in build 42',
    );
    const page = await signIn('approver', 'april');
    await page.getByRole('link', { name: 'Launch Plan' }).click();
    const gate = page.getByRole('group', { name: 'gate of Phase 1: Foundation' });
    await gate.getByText('not checked', { exact: true }).waitFor();
    await gate.getByRole('button', { name: 'Run checks' }).click();
    await gate.getByText('pending', { exact: true }).first().waitFor();
    const row = gate.getByRole('listitem', { name: `criterion ${criterion.text}` });
    await row.getByText('sign-off', { exact: true }).waitFor();

    // The failing gate and the agent's request wait in the Inbox.
    const nav = page.getByRole('navigation', { name: 'main' });
    await nav.getByRole('link', { name: /Inbox/u }).click();
    // A gate pending a sign-off is not failing: it waits apart, folded, until opened.
    await page.getByRole('heading', { name: /Pending gates/u }).click();
    const failing = page.getByRole('listitem', { name: 'gate of Phase 1: Foundation' });
    await failing
      .getByText(`pulser signoff ${launch.id}:${criterion.id} --reason "..."`, { exact: true })
      .waitFor();
    const request = page.getByRole('listitem', { name: `request about ${criterion.text}` });
    await request.getByText('CI went green on main in build 42').waitFor();
    await request.getByText('agent:claude').waitFor();
    await shot(page, 'inbox-gates');

    await request.getByRole('link', { name: /sign it off/u }).click();
    await page.getByRole('heading', { name: 'Launch Plan' }).waitFor();
    await row.getByRole('button', { name: 'Sign off' }).click();
    await row.getByLabel(/Reason/u).fill('saw the green build on main');
    await shot(page, 'plan-signoff');
    await row.getByRole('button', { name: 'Sign off' }).click();
    await gate.getByText('passing', { exact: true }).waitFor();
    await row
      .getByText(/saw the green build on main|signed off/u)
      .first()
      .waitFor();
    assert.equal(await row.getByRole('button', { name: 'Sign off' }).count(), 0);
    const [signed] = await t.ws.store.events.read({ types: ['criterion.signed_off'] });
    assert.equal(signed?.actor, 'user:april');
    const decided = await t.ws.store.events.read({ types: ['gate.decided'] });
    assert.deepEqual(
      decided.map((e) => [e.actor, (e.data as { status: string }).status]),
      [
        ['user:april', 'pending'],
        ['user:april', 'pass'],
      ],
    );

    // A measured value, recorded from the metrics table.
    await page.getByLabel('Measured value of p99 latency').fill('42 ms');
    await page.getByRole('button', { name: 'Record value' }).click();
    await page.getByRole('cell', { name: /42 ms/u }).first().waitFor();
    await page
      .getByRole('group', { name: 'gate of Phase 2: Release' })
      .getByText('passing', { exact: true })
      .waitFor();
    await shot(page, 'plan-gates');

    await nav.getByRole('link', { name: /Inbox/u }).click();
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    await page.getByRole('heading', { name: /Failing gates/u }).waitFor({ state: 'detached' });
    await page.getByText('CI went green on main in build 42').waitFor({ state: 'detached' });
    await page.close();
  });

  test('a viewer sees gates and verdicts but no sign-off, check or record controls', async () => {
    const page = await signIn('viewer', 'vera');
    await page.getByRole('link', { name: 'Launch Plan' }).click();
    const gate = page.getByRole('group', { name: 'gate of Phase 1: Foundation' });
    await gate.getByText('passing', { exact: true }).waitFor();
    await gate
      .getByText(/saw the green build on main|signed off/u)
      .first()
      .waitFor();
    await page.getByRole('cell', { name: /42 ms/u }).first().waitFor();
    for (const name of ['Sign off', 'Run checks', 'Record value']) {
      assert.equal(await page.getByRole('button', { name }).count(), 0, name);
    }
    const launch = (await t.ws.store.plans.list()).find((p) => p.plan.title === 'Launch Plan')!;
    const criterion = launch.plan.phases[0]!.tasks[1]!.criteria[0]!;
    const before = await t.ws.store.events.head();
    const status = await page.evaluate(
      async ([ws, ref]) => {
        const session = (await (await fetch('/api/session')).json()) as { csrf: string };
        const res = await fetch(`/api/w/${ws}/gates/${ref}/signoff`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-pulser-csrf': session.csrf },
          body: JSON.stringify({ reason: 'looks fine to me', verdict: 'fail' }),
        });
        return res.status;
      },
      [t.tenant.id, `${launch.id}:${criterion.id}`] as const,
    );
    assert.equal(status, 403);
    assert.deepEqual(await t.ws.store.events.head(), before);
    await shot(page, 'viewer-plan-gates');
    await page.close();
  });

  test('no console errors on any page', () => {
    assert.deepEqual(consoleErrors, []);
  });
});
