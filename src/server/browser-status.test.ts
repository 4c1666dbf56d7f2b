/**
 * End-to-end in headless Chromium, at 1280 and 390 px: the Runboard never shows a false status.
 * A failed check reads failed; a skip needs a reason and reads skipped; a running step's clock
 * advances and a waiting run counts no running time; tasks outside any phase are listed;
 * control and bidi characters from a document are shown, not obeyed; a server that went away
 * reads "disconnected".
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { checkTarget } from '../workspace/checks/check.js';
import { importPlan } from '../workspace/plans/import-plan.js';
import { startRun, waitForRun } from '../workspace/runs/runs.js';
import { trustFile } from '../workspace/access/trust.js';
import { browserSkip, launchChromium, screenshot, signInAs } from './browser-helpers.js';
import { startServer, type RunningServer } from './serve.js';
import { testWorkspace, type TestWorkspace } from './test-helpers.js';

const RLO = '\u202e';
const ESC = '\u001b';

/** A loose task before the first phase, a failing check, a step that sleeps, a hostile title. */
const STATUS_MD = `# Status Demo

## Task 1: Loose end

- [ ] tidy up

## Phase 1: Build

### Task 1.1: Compile

\`\`\`sh
echo built
\`\`\`

**Exit criteria:**

- [ ] Tests pass <!-- verify: command \`echo broken >&2; exit 1\` -->

### Task 1.2: Nap

\`\`\`sh
sleep 30
\`\`\`

### Task 1.4: Docs

- [ ] write the docs

\`\`\`sh
echo docs written
\`\`\`

### Task 1.3: Invoice ${RLO}fdp.exe

\`\`\`sh
echo safe ${ESC}[2K${ESC}[1A echo harmless
\`\`\`
`;

const WIDTHS = [1280, 390] as const;

/** Polls `done` until it holds (at most about 30 s, then fails): for states the page reaches live. */
async function until(p: Page, what: string, done: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await done()) return;
    await p.waitForTimeout(100);
  }
  assert.fail(`never: ${what}`);
}

let t: TestWorkspace;
let server: RunningServer;
let browser: Browser;
let planId: string;
let serverClosed = false;
const errors: string[] = [];

function page(width: number): Promise<Page> {
  return signInAs(browser, t.ws, server.url, { role: 'admin', user: 'ana', width, errors });
}

describe('Runboard statuses in a real browser', { skip: browserSkip }, () => {
  before(async () => {
    t = await testWorkspace('status');
    writeFileSync(join(t.root, 'status.md'), STATUS_MD);
    planId = (await importPlan(t.ws, join(t.root, 'status.md'), 'cli:test')).stored.id;
    // The test's person reviewed status.md and trusts its commands.
    await trustFile(t.ws, join(t.root, 'status.md'), 'cli:test');
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
    if (!serverClosed) await server?.close();
    await t?.done();
  });

  test('a failed check shows failed, in the runs list and on the run', async () => {
    const result = await checkTarget(t.ws, `${planId}:phase-1`, { actor: 'cli:ana' });
    const verdict = result.plans[0]!.criteria[0]!.verdict;
    assert.equal(verdict.status, 'fail');
    const runId = String(verdict.evidence['runId']);
    for (const width of WIDTHS) {
      const p = await page(width);
      await p.goto(`${server.url}/runs`);
      // Check runs are grouped apart, with their failures counted.
      await p.getByText('(1 failed)').waitFor();
      await p.getByRole('button', { name: 'Show check runs' }).click();
      const row = p.getByRole('row', { name: new RegExp(runId.slice(0, 12), 'u') });
      await row.getByText('failed', { exact: true }).waitFor();
      await screenshot(p, `status-runs-${width}`);
      await p.goto(`${server.url}/runs/${runId}`);
      await p.getByRole('heading', { name: /check/u }).getByText('failed').waitFor();
      assert.equal(await p.getByText('succeeded', { exact: true }).count(), 0);
      await screenshot(p, `status-check-failed-${width}`);
      await p.close();
    }
  });

  test('a skip needs a reason, is recorded with it, and the run reads skipped', async () => {
    for (const width of WIDTHS) {
      const { run } = await startRun(t.ws, {
        steps: [{ title: 'unit tests', tool: 'shell', input: 'exit 127', trustedBy: 'cli:ana' }],
        title: `unit tests at ${width}`,
        actor: 'cli:ana',
      });
      await waitForRun(t.ws, run.id);
      const p = await page(width);
      await p.goto(`${server.url}/runs/${run.id}`);
      const step = p.getByRole('listitem', { name: /step 1: unit tests/u });
      await step.getByText('quarantined', { exact: true }).waitFor();
      await step.getByRole('button', { name: 'Skip', exact: true }).click();
      const confirm = step.getByRole('button', { name: 'Skip it' });
      assert.equal(await confirm.isDisabled(), true, 'no reason, no skip');
      await step.getByLabel(/Why may it be skipped/u).fill('runner image broken, see #42');
      await screenshot(p, `status-skip-confirm-${width}`);
      await confirm.click();
      await step.getByText('skipped', { exact: true }).waitFor();
      await step.getByText('skipped by user:ana: runner image broken, see #42').waitFor();
      await p
        .getByRole('heading', { name: /unit tests/u })
        .getByText('skipped')
        .waitFor();
      assert.equal(await p.getByText('succeeded', { exact: true }).count(), 0);
      const e = (await t.ws.store.events.read({ types: ['step.skipped'] })).at(-1)!;
      assert.deepEqual(
        [e.actor, (e.data as { reason: string }).reason],
        ['user:ana', 'runner image broken, see #42'],
      );
      assert.equal((await t.ws.store.runs.getRun(run.id))?.status, 'skipped');
      await screenshot(p, `status-skipped-${width}`);
      await p.close();
    }
  });

  test("a running step's clock advances; a waiting run counts no running time", async () => {
    const { run } = await startRun(t.ws, {
      target: `${planId}:phase-1/task-1-2`,
      actor: 'cli:ana',
    });
    const waiting = await startRun(t.ws, {
      steps: [
        {
          title: 'needs a yes',
          tool: 'shell',
          input: 'echo yes',
          approval: 'required',
          trustedBy: 'cli:ana',
        },
      ],
      title: 'waits for a person',
      actor: 'cli:ana',
    });
    for (const width of WIDTHS) {
      const p = await page(width);
      await p.goto(`${server.url}/runs/${run.id}`);
      const step = p.getByRole('listitem', { name: /step 1: Task 1\.2: Nap/u });
      await step.getByText('running', { exact: true }).waitFor();
      const clock = step.locator('.clock[data-live]');
      await clock.waitFor();
      const first = await clock.textContent();
      // No server event arrives while `sleep 30` runs: only the page's own clock can move.
      await until(p, 'the clock advances', async () => (await clock.textContent()) !== first);
      await screenshot(p, `status-running-${width}`);
      // Running and waiting do not share a badge.
      await p.goto(`${server.url}/runs`);
      const runningPill = p
        .getByRole('row', { name: /Task 1\.2: Nap/u })
        .locator('.pill', { hasText: 'running' });
      const waitingPill = p
        .getByRole('row', { name: /waits for a person/u })
        .locator('.pill', { hasText: 'waiting' });
      const colour = (l: typeof runningPill) =>
        l.evaluate(
          (el) =>
            (
              globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }
            ).getComputedStyle(el).color,
        );
      assert.notEqual(await colour(runningPill), await colour(waitingPill));
      await p.goto(`${server.url}/runs/${waiting.run.id}`);
      await p.getByText('for a person', { exact: true }).waitFor();
      assert.equal(await p.getByText('Running for').count(), 0);
      await screenshot(p, `status-waiting-${width}`);
      await p.close();
    }
    await t.ws.store.runs.cancelRun(run.id, 'cli:ana');
    await t.ws.store.runs.cancelRun(waiting.run.id, 'cli:ana');
  });

  test('tasks outside any phase are listed on the plan page', async () => {
    for (const width of WIDTHS) {
      const p = await page(width);
      await p.getByRole('link', { name: 'Status Demo' }).click();
      const loose = p.getByRole('table', { name: 'tasks outside any phase' });
      await loose.getByText('Task 1: Loose end').waitFor();
      await p.getByRole('heading', { name: /Tasks outside any phase \(1 task\)/u }).waitFor();
      await screenshot(p, `status-plan-${width}`);
      await p.close();
    }
  });

  test('a task whose steps succeeded is offered; one click marks it done; ticks are written back', async () => {
    const { run } = await startRun(t.ws, {
      target: `${planId}:phase-1/task-1-4`,
      actor: 'cli:ana',
    });
    assert.equal((await waitForRun(t.ws, run.id)).status, 'succeeded');
    const width = 1280;
    const p = await page(width);
    await p.getByRole('link', { name: 'Status Demo' }).click();
    const ready = p.getByRole('listitem', { name: 'ready: Task 1.4: Docs' });
    await ready.waitFor();
    await screenshot(p, `status-ready-${width}`);
    await ready.getByRole('button', { name: 'Mark done' }).click();
    await ready.waitFor({ state: 'detached' });
    // The plan reloads live: the task's status reads done once the write-back landed.
    const status = p.getByLabel('status of Task 1.4: Docs');
    await until(p, 'the task reads done', async () => (await status.inputValue()) === 'done');
    const done = await t.ws.store.events.read({ types: ['task.completed'] });
    assert.deepEqual(
      done.map((e) => [e.actor, e.subject]),
      [['user:ana', 'phase-1/task-1-4']],
    );
    // A checklist item ticked here is ticked in the file.
    const loose = p.getByRole('table', { name: 'tasks outside any phase' });
    await loose.getByText(/0\/1/u).click();
    await loose.getByLabel('tidy up').check();
    await loose.getByText(/1\/1/u).waitFor();
    assert.match(readFileSync(join(t.root, 'status.md'), 'utf8'), /- \[x\] tidy up/u);
    await screenshot(p, `status-written-${width}`);
    await p.setViewportSize({ width: 390, height: 844 });
    await screenshot(p, 'status-written-390');
    await p.close();
  });

  test('control and bidi characters from the document are shown as marks, never obeyed', async () => {
    const { run } = await startRun(t.ws, {
      target: `${planId}:phase-1/task-1-3`,
      actor: 'cli:ana',
    });
    await waitForRun(t.ws, run.id);
    for (const width of WIDTHS) {
      const p = await page(width);
      await p.getByRole('link', { name: 'Status Demo' }).click();
      await p.getByText('Task 1.3: Invoice [U+202E]fdp.exe').first().waitFor();
      await p.goto(`${server.url}/runs/${run.id}`);
      await p.getByRole('heading', { name: /Invoice \[U\+202E\]fdp\.exe/u }).waitFor();
      await p.getByText('Command').click();
      await p.getByText('echo safe [ESC][2K[ESC][1A echo harmless').waitFor();
      const text = await p.locator('main').innerText();
      assert.ok(!text.includes(RLO) && !text.includes(ESC), 'no raw control or bidi character');
      await screenshot(p, `status-hostile-${width}`);
      await p.close();
    }
  });

  test('the header says disconnected while the server is down', async () => {
    const p = await page(1280);
    await p.getByRole('banner').getByText('● live', { exact: true }).waitFor();
    serverClosed = true;
    await server.close();
    await p
      .getByRole('banner')
      .getByText(/disconnected/u)
      .waitFor();
    await screenshot(p, 'status-disconnected');
    await p.close();
  });

  test('no console errors on any page', () => {
    assert.deepEqual(errors, []);
  });
});
