/**
 * Reports from the ledger alone: content, determinism (same ledger, same bytes, also from a
 * copy of the database), replay, runtime events, and the HTML in a real browser.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildReport, renderHtml, renderMarkdown } from '../../report/index.js';
import type { SqliteStore } from '../../store/sqlite/index.js';
import { checkTarget } from '../checks/check.js';
import { signoff } from '../checks/check-signoff.js';
import { importPlan } from './import-plan.js';
import { recordMetric } from '../checks/metric.js';
import { openWorkspace, type Workspace } from '../open.js';
import { buildWorkspaceReport, generateReport, replayReports } from './report.js';
import { tempProject } from '../test-helpers.js';
import { browserSkip, launchChromium } from '../../util/test-helpers.js';
import { setStatus } from './write-back.js';

const PLAN = `# Launch plan

## Phase 1: Build

### Task 1.1: Set up CI

- [x] Add the workflow
- [ ] Cache dependencies

**Exit criteria:**

- Reviewed by a person
- Error rate <2%

## Phase 2: Ship

### Task 2.1: Tag v1

- [ ] Tag
`;

let root = '';
let ws: Workspace;

async function runtimeEvents(w: Workspace): Promise<void> {
  const e = (type: string, subject: string, data: Record<string, unknown>, actor = 'worker:w1') =>
    w.store.events.append({ type, actor, subject, data });
  await e('run.created', 'run-1', { runId: 'run-1', target: 'phase-1' }, 'cli:ana');
  await e('step.queued', 'run-1/s1', { runId: 'run-1', stepId: 'run-1/s1' });
  await e('step.succeeded', 'run-1/s1', { runId: 'run-1', stepId: 'run-1/s1' });
  await e('step.quarantined', 'run-1/s2', {
    runId: 'run-1',
    stepId: 'run-1/s2',
    reason: 'exit 1 four times',
  });
  await e('step.awaiting_approval', 'run-1/s3', { runId: 'run-1', stepId: 'run-1/s3' });
  await e('step.awaiting_approval', 'run-1/s4', { runId: 'run-1', stepId: 'run-1/s4' });
  await e(
    'step.approved',
    'run-1/s4',
    { runId: 'run-1', stepId: 'run-1/s4', reason: 'ok' },
    'cli:ana',
  );
  await e('run.created', 'run-2', { runId: 'run-2' }, 'cli:ana');
  await e('run.failed', 'run-2', { runId: 'run-2' });
  await e('step.awaiting_approval', 'run-2/s1', { runId: 'run-2', stepId: 'run-2/s1' });
  const trust = { planId: 'plan', path: 'plan.md', sha256: '0'.repeat(64), grantId: 1, items: 1 };
  await e('trust.granted', 'plan', trust, 'cli:ana');
  // Released by the grant above: listed once, as the trust, not again as an approval.
  await e(
    'step.approved',
    'run-2/s1',
    { runId: 'run-2', stepId: 'run-2/s1', reason: 'untrusted', grantId: 1 },
    'cli:ana',
  );
}

describe('reports from the ledger', () => {
  before(async () => {
    root = tempProject();
    writeFileSync(join(root, 'plan.md'), PLAN);
    ws = await openWorkspace({ root, create: true, env: {} });
    await importPlan(ws, join(root, 'plan.md'), 'cli:ana');
    await checkTarget(ws, undefined, { actor: 'cli:ana' });
    await recordMetric(ws, 'error-rate', '2.5%', { actor: 'cli:ben' });
    await recordMetric(ws, 'error-rate', '1.5%', { actor: 'cli:ben' });
    await signoff(ws, 'phase-1/task-1-1/exit/reviewed-by-a-person', {
      reason: 'looked',
      actor: 'cli:ana',
    });
    await setStatus(ws, 'phase-2/task-2-1', 'done', 'cli:ana');
    await checkTarget(ws, undefined, { actor: 'cli:ana' });
    await runtimeEvents(ws);
  });
  after(async () => {
    await ws.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('shows progress, gates with evidence, metrics, runs, quarantine, approvals and what needs a person', async () => {
    const { text } = await buildWorkspaceReport(ws, 'json');
    const m = JSON.parse(text) as ReturnType<typeof buildReport>;
    const plan = m.plans[0]!;
    assert.deepEqual(
      plan.phases.map((p) => [
        p.id,
        p.tasks.done,
        p.tasks.total,
        p.checkboxes.done,
        p.checkboxes.total,
        p.gate.status,
      ]),
      [
        ['phase-1', 0, 1, 1, 2, 'pass'],
        ['phase-2', 1, 1, 0, 1, 'none'], // no criteria: never a passing gate
      ],
    );
    const metric = plan.metrics.find((x) => x.id === 'phase-1/metric/error-rate-2')!;
    assert.deepEqual(
      metric.history.map((h) => h.value),
      [2.5, 1.5],
    );
    assert.equal(metric.status, 'pass');
    assert.deepEqual(
      m.runs.map((r) => [r.id, r.status]),
      [
        ['run-1', 'waiting'], // a step waits for a person: not running
        ['run-2', 'failed'],
      ],
    );
    assert.deepEqual(
      m.quarantined.map((s) => s.id),
      ['run-1/s2'],
    );
    assert.deepEqual(
      m.awaitingApproval.map((s) => s.id),
      ['run-1/s3'],
    );
    assert.deepEqual(
      m.approvals.map((a) => [a.kind, a.subject, a.by]),
      [
        ['signed_off', 'phase-1/task-1-1/exit/reviewed-by-a-person', 'ana'],
        ['approved', 'run-1/s4', 'ana'],
        ['trusted', 'plan', 'ana'],
      ],
    );
    assert.deepEqual(
      m.needs.map((n) => [n.kind, n.subject]),
      [
        ['approval', 'run-1/s3'],
        ['quarantine', 'run-1/s2'],
      ],
    );
    assert.ok(m.burnup.length >= 2, 'a point per import and gate change');
    assert.ok(m.burnup.at(-1)!.done > m.burnup[0]!.done, 'the burn-up rises');
    const md = (await buildWorkspaceReport(ws, 'md')).text;
    assert.match(md, /\| Phase 1: Build \| .* \| 0\/1 \(0%\) \| 1\/2 \(50%\) \| ✅ pass \|/u);
    assert.match(md, /measured 1\.5% \(by ben/u);
    assert.match(md, /step run-1\/s2 is quarantined: exit 1 four times: `pulser retry run-1\/s2`/u);
  });

  it('same ledger, same bytes: twice, and from a copy of the database file', async () => {
    for (const format of ['md', 'json', 'html'] as const) {
      const a = await buildWorkspaceReport(ws, format);
      const b = await buildWorkspaceReport(ws, format);
      assert.equal(a.text, b.text, format);
    }
    const copy = tempProject();
    try {
      mkdirSync(join(copy, '.pulser'));
      (ws.store as SqliteStore).db.db.pragma('wal_checkpoint(TRUNCATE)');
      copyFileSync(join(root, '.pulser', 'pulser.db'), join(copy, '.pulser', 'pulser.db'));
      const other = await openWorkspace({ root: copy, env: {} });
      try {
        for (const format of ['md', 'json', 'html'] as const) {
          assert.equal(
            (await buildWorkspaceReport(other, format)).text,
            (await buildWorkspaceReport(ws, format)).text,
          );
        }
      } finally {
        await other.close();
      }
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('replay rebuilds every recorded report byte for byte, and notices a difference', async () => {
    const md = await generateReport(ws, 'md', { actor: 'cli:ana' });
    const html = await generateReport(ws, 'html', { actor: 'cli:ana' });
    await recordMetric(ws, 'error-rate', '1.0%', { actor: 'cli:ben' });
    const json = await generateReport(ws, 'json', { actor: 'cli:ana' });
    assert.ok(json.throughSeq > html.throughSeq);
    let r = await replayReports(ws);
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.deepEqual(
      r.reports.map((x) => [x.format, x.identical, x.recorded]),
      [
        ['md', true, md.sha256],
        ['html', true, html.sha256],
        ['json', true, json.sha256],
      ],
    );
    assert.deepEqual(r.plans, [{ planId: 'plan', identical: true }]);
    // A report event whose digest does not match what the ledger rebuilds.
    await ws.store.events.append({
      type: 'report.generated',
      actor: 'cli:mallory',
      subject: null,
      data: { format: 'md', sha256: '0'.repeat(64), bytes: 1, throughSeq: md.throughSeq },
    });
    r = await replayReports(ws);
    assert.equal(r.ok, false);
    assert.equal(r.reports.at(-1)?.identical, false);
  });

  it('tolerates a ledger without plans or runtime events', () => {
    const m = buildReport([]);
    assert.equal(m.plans.length, 0);
    assert.match(renderMarkdown(m), /^# Pulser report/u);
    assert.match(renderHtml(m), /nothing waits for a person/u);
  });

  it(
    'the HTML report is one self-contained file that renders in Chromium',
    { skip: browserSkip },
    async () => {
      const { text } = await buildWorkspaceReport(ws, 'html');
      const external = /<script|https?:\/\/|<link|@import|url\(/iu.exec(text);
      assert.equal(external, null, `no script, no external URL: ${external?.[0] ?? ''}`);
      const file = join(root, 'report.html');
      writeFileSync(file, text);
      const browser = await launchChromium();
      try {
        const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
        const requests: string[] = [];
        page.on('request', (r) => {
          if (!r.url().startsWith('file:')) requests.push(r.url());
        });
        await page.goto(`file://${file}`);
        assert.deepEqual(requests, []);
        const charts = await page.evaluate<boolean[]>(
          `[...document.querySelectorAll('svg')].map((s) => { const r = s.getBoundingClientRect(); return r.width > 0 && r.height > 0; })`,
        );
        assert.ok(charts.length >= 5 && charts.every(Boolean), 'every chart has a size');
        assert.equal(await page.getByRole('heading', { name: 'Burn-up' }).count(), 1);
        const artifacts = resolve('test-artifacts');
        mkdirSync(artifacts, { recursive: true });
        await page.screenshot({ path: join(artifacts, 'report.png'), fullPage: true });
      } finally {
        await browser.close();
      }
    },
  );
});
