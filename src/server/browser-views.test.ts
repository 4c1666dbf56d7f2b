/**
 * End-to-end in headless Chromium, at 1280 and 390 px: the views people expect. Logs (colours
 * rendered as styles, control characters shown, times, attempt separators, filter by step,
 * search, download, a link to a line), the run timeline, the task dependency graph, the runs
 * list (count, waiting first, check runs grouped), the inbox (bulk approve after one
 * confirmation, failing gates before pending ones), a task's history, the audit page, the
 * not-found page and the keyboard shortcuts.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { trustFile } from '../workspace/access/trust.js';
import { checkTarget } from '../workspace/checks/check.js';
import { importPlan } from '../workspace/plans/import-plan.js';
import { resolveStep, startRun, waitForRun } from '../workspace/runs/runs.js';
import { browserSkip, launchChromium, screenshot, signInAs } from './browser-helpers.js';
import { startServer, type RunningServer } from './serve.js';
import { testWorkspace, type TestWorkspace } from './test-helpers.js';

const RLO = '\u202e';

/** Setup prints in colour and a hostile line; Flaky compile fails once, then succeeds. */
const VIEWS_MD = `# Views Demo

## Phase 1: Build

### Task 1.1: Setup

\`\`\`sh
printf '\\033[31mred alert\\033[0m plain\\n'; printf 'evil \\342\\200\\256txt.exe \\033[2K done\\n'; echo second line
\`\`\`

### Task 1.2: Flaky compile

Depends on: Task 1.1

\`\`\`sh
if [ -e .warm ]; then echo warm; else touch .warm; echo cold >&2; exit 1; fi
\`\`\`

### Task 1.3: Ship

Depends on: Task 1.2

- [ ] ship it

**Exit criteria:**

- [ ] Smoke test passes <!-- verify: command \`exit 3\` -->

## Phase 2: Release

### Task 2.1: Announce

- [ ] write the post

**Exit criteria:**

- [ ] Notes reviewed by Lena <!-- verify: manual @lena -->
`;

const WIDTHS = [1280, 390] as const;

let t: TestWorkspace;
let server: RunningServer;
let browser: Browser;
let planId: string;
let runId: string;
const errors: string[] = [];

function page(width: number, role: 'admin' | 'viewer' = 'admin'): Promise<Page> {
  return signInAs(browser, t.ws, server.url, { role, user: 'ana', width, errors });
}

/** Polls `done` until it holds (at most about 30 s, then fails). */
async function until(p: Page, what: string, done: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await done()) return;
    await p.waitForTimeout(100);
  }
  assert.fail(`never: ${what}`);
}

/** True when the page does not scroll sideways. */
async function fitsWidth(p: Page): Promise<boolean> {
  return p.evaluate(() => {
    const d = (
      globalThis as unknown as {
        document: { documentElement: { scrollWidth: number; clientWidth: number } };
      }
    ).document.documentElement;
    return d.scrollWidth <= d.clientWidth + 1;
  });
}

describe('Runboard views in a real browser', { skip: browserSkip }, () => {
  before(async () => {
    t = await testWorkspace('views');
    writeFileSync(join(t.root, 'views.md'), VIEWS_MD);
    planId = (await importPlan(t.ws, join(t.root, 'views.md'), 'cli:test')).stored.id;
    await trustFile(t.ws, join(t.root, 'views.md'), 'cli:test');
    server = await startServer({
      workspaces: [t.ws],
      port: 0,
      hub: { pollMs: 20 },
      worker: { pollMs: 20 },
    });
    const { run } = await startRun(t.ws, { target: `${planId}:phase-1`, actor: 'cli:ana' });
    runId = run.id;
    assert.equal((await waitForRun(t.ws, runId)).status, 'succeeded');
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await t?.done();
  });

  test('logs: colours as styles, marks for control characters, attempts, search, filter, link, download', async () => {
    for (const width of WIDTHS) {
      const p = await page(width);
      await p.goto(`${server.url}/runs/${runId}`);
      const log = p.getByTestId('run-log');
      const red = log.getByText('red alert', { exact: true });
      await red.waitFor();
      // The colour is a style the viewer computed; no escape code reaches the page.
      const color = await red.evaluate(
        (el) => (el as unknown as { style: { color: string } }).style.color,
      );
      assert.equal(color, 'rgb(255, 107, 107)');
      await log.getByText('evil [U+202E]txt.exe [ESC][2K done').waitFor();
      const text = await log.innerText();
      assert.ok(!text.includes(RLO) && !text.includes('\u001b'), 'no raw control character');
      // Attempt separators, with the attempt's start time; every line has a time.
      await log.getByText(/#2 Task 1\.2: Flaky compile · attempt 1 · started \d/u).waitFor();
      await log.getByText(/#2 Task 1\.2: Flaky compile · attempt 2 · started \d/u).waitFor();
      assert.ok((await log.locator('time.ts').count()) >= 5);
      await screenshot(p, `views-log-${width}`);
      // Search: only matching lines, the match marked.
      await p.getByPlaceholder('Search output').fill('cold');
      await p.getByText('1 line match “cold”').waitFor();
      assert.equal(await log.locator('mark').innerText(), 'cold');
      await screenshot(p, `views-log-search-${width}`);
      await p.getByPlaceholder('Search output').fill('');
      // Filter by step.
      await p.getByLabel('Show output of').selectOption({ label: '#1 Task 1.1: Setup' });
      await log.getByText('second line').waitFor();
      assert.equal(await log.getByText('cold').count(), 0);
      await p.getByLabel('Show output of').selectOption({ label: 'All steps' });
      // A link to a line: the address names it; opening it scrolls there and marks it.
      const n = await log.locator('.line', { hasText: 'cold' }).locator('a.ln').innerText();
      await log.getByRole('link', { name: `line ${n}`, exact: true }).click();
      assert.ok(p.url().endsWith(`#L${n}`));
      await p.goto('about:blank');
      await p.goto(`${server.url}/runs/${runId}#L${n}`);
      const target = p.locator(`#L${n}`);
      await until(
        p,
        'the linked line is marked',
        async () => (await target.getAttribute('class'))?.includes('target') === true,
      );
      assert.ok(await target.isVisible());
      assert.match(await target.innerText(), /cold/u);
      await screenshot(p, `views-log-line-${width}`);
      // Download: the raw log as a file.
      const [download] = await Promise.all([
        p.waitForEvent('download'),
        p.getByRole('link', { name: 'Download' }).click(),
      ]);
      assert.equal(download.suggestedFilename(), `${runId}.log`);
      const file = readFileSync(await download.path(), 'utf8');
      assert.match(file, /==> step 2: Task 1\.2: Flaky compile/u);
      assert.ok(file.includes('\u001b[31mred alert'), 'the file holds the bytes as written');
      await p.close();
    }
  });

  test('the timeline: spans at real times, attempts, backoff, dependencies by title; a skip says who and why', async () => {
    const { run: bad, steps } = await startRun(t.ws, {
      steps: [{ title: 'unit tests', tool: 'shell', input: 'exit 127', trustedBy: 'cli:ana' }],
      title: 'broken tests',
      actor: 'cli:ana',
    });
    await waitForRun(t.ws, bad.id);
    await resolveStep(t.ws, steps[0]!.id, 'skip', 'cli:ana', 'runner image broken, see #42');
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
      await p.goto(`${server.url}/runs/${runId}`);
      const row = p.getByRole('listitem', { name: 'on the timeline: #2 Task 1.2: Flaky compile' });
      await row.getByText(/after Task 1\.1: Setup/u).waitFor();
      await row.getByRole('img', { name: /^waiting for dependencies, / }).waitFor();
      await row.getByRole('img', { name: /^attempt 1 running, failed, / }).waitFor();
      await row.getByRole('img', { name: /^retry backoff before attempt 2, / }).waitFor();
      await row.getByRole('img', { name: /^attempt 2 running, succeeded, / }).waitFor();
      // The time axis ends at the run's length.
      await p.locator('.g-axis-track .end', { hasText: /^\+\d/u }).waitFor();
      await screenshot(p, `views-timeline-${width}`);
      await p.goto(`${server.url}/runs/${bad.id}`);
      const skipped = p.getByRole('listitem', { name: 'on the timeline: #1 unit tests' });
      await skipped.getByText('skipped by cli:ana: runner image broken, see #42').waitFor();
      await skipped.getByRole('img', { name: /^quarantined, / }).waitFor();
      assert.equal(await p.getByText('succeeded', { exact: true }).count(), 0);
      await p.goto(`${server.url}/runs/${waiting.run.id}`);
      const w = p.getByRole('listitem', { name: 'on the timeline: #1 needs a yes' });
      await w.getByRole('img', { name: /^waiting for approval, .* so far$/u }).waitFor();
      assert.equal(
        await w.getByRole('img', { name: /running/u }).count(),
        0,
        'waiting is not running',
      );
      await screenshot(p, `views-timeline-waiting-${width}`);
      await p.close();
    }
    await t.ws.store.runs.cancelRun(waiting.run.id, 'cli:ana');
  });

  test('the task graph: states, titles, readable at both widths; a node opens its history', async () => {
    for (const width of WIDTHS) {
      const p = await page(width);
      await p.goto(`${server.url}/plans/${planId}`);
      const graph = p.getByRole('group', { name: /dependency graph of 4 tasks/u });
      await graph.waitFor();
      await graph
        .getByRole('link', { name: 'Task 1.3: Ship: blocked (waits for Task 1.2: Flaky compile)' })
        .waitFor();
      await graph
        .getByRole('link', {
          name: 'Task 1.1: Setup: ready (its steps succeeded: not marked done in the plan yet)',
        })
        .waitFor();
      await screenshot(p, `views-graph-${width}`);
      await p.locator('[aria-label="tasks by state"]').getByText('blocked 2').waitFor();
      assert.ok(await fitsWidth(p), 'the graph fits the page width');
      const box = (await graph.boundingBox())!;
      assert.ok(box.width <= width, `graph ${box.width}px wide in ${width}px`);
      await screenshot(p, `views-graph-${width}`);
      await graph
        .getByRole('link', { name: 'Task 1.2: Flaky compile: blocked (waits for Task 1.1: Setup)' })
        .click();
      await p.getByRole('heading', { name: /Task 1\.2: Flaky compile/u }).waitFor();
      const ex = p.getByRole('table', { name: "executions of the task's steps" });
      await ex.getByText('2 attempts').waitFor();
      await ex.getByText('succeeded').first().waitFor();
      await screenshot(p, `views-task-history-${width}`);
      await p.close();
    }
  });

  test('runs list: total count, waiting runs first, check runs grouped apart', async () => {
    await checkTarget(t.ws, `${planId}:phase-1`, { actor: 'cli:ana' });
    const waiting = await startRun(t.ws, {
      steps: [
        {
          title: 'deploy',
          tool: 'shell',
          input: 'echo deploy',
          approval: 'required',
          trustedBy: 'cli:ana',
        },
      ],
      title: 'deploy waits',
      actor: 'cli:ana',
    });
    await startRun(t.ws, {
      steps: [{ title: 'note', tool: 'noop', input: '', trustedBy: 'cli:ana' }],
      title: 'newer run',
      actor: 'cli:ana',
    });
    for (const width of WIDTHS) {
      const p = await page(width);
      await p.goto(`${server.url}/runs`);
      await p.getByText(/^Showing 1–5 of 5 runs/u).waitFor();
      const first = p.locator('tbody tr').first();
      assert.match(await first.innerText(), /deploy waits/u);
      const group = p.locator('[aria-label="check runs"]');
      await group.getByText('1 check run').waitFor();
      await group.getByText('(1 failed)').waitFor();
      assert.equal(await p.locator('tbody tr', { hasText: 'check ' }).count(), 0);
      await screenshot(p, `views-runs-${width}`);
      await group.getByRole('button', { name: 'Show check runs' }).click();
      await p.getByText(/^Showing 1–1 of 1 check run/u).waitFor();
      await p.locator('tbody tr').first().getByText('failed', { exact: true }).waitFor();
      assert.ok(p.url().includes('kind=checks'));
      await p.getByRole('button', { name: '1 waiting for a person' }).count();
      await p.close();
    }
    await t.ws.store.runs.cancelRun(waiting.run.id, 'cli:ana');
  });

  test('inbox: approvals grouped, bulk approve after one confirmation; failing gates before pending ones', async () => {
    await checkTarget(t.ws, `${planId}:phase-2`, { actor: 'cli:ana' });
    const runs = [];
    for (const title of ['release a', 'release b']) {
      runs.push(
        await startRun(t.ws, {
          steps: [
            {
              title,
              tool: 'shell',
              input: 'echo release',
              approval: 'required',
              trustedBy: 'cli:ana',
            },
          ],
          title,
          actor: 'cli:ana',
        }),
      );
    }
    const viewer = await page(390, 'viewer');
    await viewer.goto(`${server.url}/inbox`);
    await viewer.getByRole('heading', { name: /Approvals 2/u }).waitFor();
    assert.equal(await viewer.getByRole('checkbox').count(), 0, 'a viewer cannot select to decide');
    await viewer.close();
    // The narrow page only looks; the wide one approves both.
    for (const width of [390, 1280] as const) {
      const p = await page(width);
      await p.goto(`${server.url}/inbox`);
      await p.getByRole('heading', { name: /^Approvals/u }).waitFor();
      const headings = await p.locator('main h2').allInnerTexts();
      const at = (re: RegExp) => headings.findIndex((h) => re.test(h));
      assert.ok(at(/^Approvals/u) < at(/^Failing gates/u), headings.join(' | '));
      assert.ok(at(/^Failing gates/u) < at(/^Pending gates/u), headings.join(' | '));
      // Pending gates are folded; the same command is shown once.
      assert.equal(await p.locator('details.pending-gates').getAttribute('open'), null);
      assert.equal(await p.getByLabel('command').count(), 1);
      await p.getByText(/Same command as release [ab]/u).waitFor();
      // The tab counts what waits for a person (two approvals, two gates).
      await until(
        p,
        'the tab title counts',
        async () => (await p.title()) === '(4) Pulser Runboard',
      );
      await screenshot(p, `views-inbox-${width}`);
      if (width === 390) {
        await p.close();
        continue;
      }
      await p.getByRole('group', { name: 'selected approvals' }).getByText('Select all').click();
      await p.getByRole('button', { name: 'Approve 2 steps' }).click();
      await screenshot(p, `views-inbox-confirm-${width}`);
      await p.getByRole('button', { name: 'Yes, approve 2 steps' }).click();
      await until(
        p,
        'the approvals are gone',
        async () => (await p.getByText(/^Approvals/u).count()) === 0,
      );
      await p.close();
    }
    const approved = await t.ws.store.events.read({ types: ['step.approved'] });
    assert.deepEqual(
      approved.map((e) => [e.subject, e.actor]).sort(),
      runs.map((r) => [r.steps[0]!.id, 'user:ana']).sort(),
    );
  });

  test('audit: filter by type and actor, pages of events', async () => {
    for (const width of WIDTHS) {
      const p = await page(width);
      await p.goto(`${server.url}/audit`);
      const table = p.getByRole('table', { name: 'ledger events' });
      await table.waitFor();
      await p.getByRole('button', { name: 'Older →' }).click();
      await p.getByText(/events? shown, from #/u).waitFor();
      await p.getByLabel('Event type').fill('step.skipped');
      await until(p, 'only the skip', async () => (await table.locator('tbody tr').count()) === 1);
      await table.getByRole('cell', { name: 'cli:ana', exact: true }).waitFor();
      await table
        .getByText(/runner image broken/u)
        .first()
        .waitFor();
      await p.getByLabel('Actor').fill('user:nobody');
      await p.getByText('No event matches these filters').waitFor();
      await screenshot(p, `views-audit-${width}`);
      await p.close();
    }
  });

  test('unknown pages and IDs read "Not found"; keyboard shortcuts', async () => {
    for (const width of WIDTHS) {
      // The API answers 404 for the unknown IDs on purpose: this page's console is not checked.
      const p = await signInAs(browser, t.ws, server.url, { role: 'admin', user: 'ana', width });
      await p.goto(`${server.url}/no/such/page`);
      await p.getByRole('heading', { name: 'Not found' }).waitFor();
      await p.goto(`${server.url}/runs/run-00000000`);
      await p.getByRole('heading', { name: 'Not found' }).waitFor();
      await p
        .getByText(/no run/iu)
        .first()
        .waitFor();
      await p.goto(`${server.url}/plans/no-such-plan`);
      await p.getByRole('heading', { name: 'Not found' }).waitFor();
      await screenshot(p, `views-not-found-${width}`);
      await p.locator('body').press('?');
      const dialog = p.getByRole('dialog', { name: 'Keyboard shortcuts' });
      await dialog.waitFor();
      await screenshot(p, `views-shortcuts-${width}`);
      await p.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      await p.keyboard.press('g');
      await p.keyboard.press('i');
      await p.getByRole('heading', { name: 'Inbox' }).waitFor();
      await p.keyboard.press('g');
      await p.keyboard.press('r');
      await p.getByRole('heading', { name: 'Runs' }).waitFor();
      await p.keyboard.press('/');
      await until(p, 'the search has focus', () =>
        p.evaluate(
          () =>
            (globalThis as unknown as { document: { activeElement: { type?: string } | null } })
              .document.activeElement?.type === 'search',
        ),
      );
      await p.keyboard.press('Escape');
      await p.locator('body').click({ position: { x: 2, y: 200 } });
      await p.keyboard.press('j');
      await until(p, 'j focuses the first run', () =>
        p.evaluate(
          () =>
            (
              globalThis as unknown as {
                document: { activeElement: { className?: string } | null };
              }
            ).document.activeElement?.className === 'run-title',
        ),
      );
      await p.close();
    }
  });

  test('no console errors on any page', () => {
    assert.deepEqual(errors, []);
  });
});
