// A realistic demo workspace for the report: examples/roadmap.md imported, worked on over days
// (tasks done through write-back, metrics measured, signoffs, checks), plus runtime events as
// the durable runtime writes them (runs, steps, retries, quarantine, approvals). Used by
// bench/report.js and to render the HTML report in a browser. Needs a build (dist/).
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManualClock } from '../dist/store/clock.js';
import { checkTarget } from '../dist/workspace/checks/check.js';
import { signoff } from '../dist/workspace/checks/check-signoff.js';
import { importPlan } from '../dist/workspace/plans/import-plan.js';
import { recordMetric } from '../dist/workspace/checks/metric.js';
import { openWorkspace } from '../dist/workspace/open.js';
import { setStatus } from '../dist/workspace/plans/write-back.js';

const here = dirname(fileURLToPath(import.meta.url));
const ROADMAP = join(here, '../examples/roadmap.md');
const DAY = 86_400_000;

const SIDECAR = {
  'milestone-m3/share-3/exit/revoking-access-removes-the-notebook': {
    kind: 'file',
    path: 'dist/Lantern.apk',
  },
  'milestone-m4/rel-3/exit/the-beta-finds-no-data-loss-bug': {
    kind: 'command',
    command: 'npm test',
  },
};

/** Runtime events of one run: steps queued, started, and ending in various ways. */
async function run(ws, n, steps, fate) {
  const runId = `run-${String(n).padStart(4, '0')}`;
  const append = (type, subject, data, actor = 'worker:w1') =>
    ws.store.events.append({ type, actor, subject, data: { runId, ...data } });
  await append('run.created', runId, { target: 'milestone-m2', lane: 'A' }, 'cli:ana');
  for (let s = 1; s <= steps; s++) {
    const stepId = `${runId}/step-${s}`;
    await append('step.queued', stepId, { stepId });
    await append('step.started', stepId, { stepId, attempt: 1 });
    const last = s === steps;
    if (last && fate === 'quarantine') {
      await append('step.failed', stepId, { stepId, error: 'exit 1' });
      await append('step.retry_scheduled', stepId, { stepId, attempt: 2 });
      await append('step.quarantined', stepId, { stepId, reason: 'failed 4 times: exit 1' });
    } else if (last && fate === 'approval') {
      await append('step.awaiting_approval', stepId, {
        stepId,
        reason: 'deploys to the pilot site',
      });
    } else if (last && fate === 'approved') {
      await append('step.awaiting_approval', stepId, { stepId });
      await append(
        'step.approved',
        stepId,
        { stepId, reason: 'window agreed with the partner' },
        'cli:ana',
      );
      await append('step.succeeded', stepId, { stepId, exitCode: 0 });
    } else {
      await append('step.succeeded', stepId, { stepId, exitCode: 0, durationMs: 1200 + s * 37 });
    }
  }
  if (fate === 'ok' || fate === 'approved') await append('run.succeeded', runId, {});
  if (fate === 'fail') await append('run.failed', runId, { error: 'step failed' });
}

/**
 * Builds the demo workspace in `root` (created). `padRuns` adds that many more runs of
 * `padSteps` steps (to reach a target number of events). Returns the open workspace.
 */
export async function demoWorkspace(root, { padRuns = 0, padSteps = 10 } = {}) {
  mkdirSync(root, { recursive: true });
  copyFileSync(ROADMAP, join(root, 'ROADMAP.md'));
  writeFileSync(join(root, 'pulser.verifiers.json'), `${JSON.stringify(SIDECAR, null, 2)}\n`);
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 9, 0, 0));
  const ws = await openWorkspace({ root, create: true, env: {}, clock });
  const later = (ms) => clock.advance(ms);
  await importPlan(ws, join(root, 'ROADMAP.md'), 'cli:ana');
  await checkTarget(ws, undefined, { actor: 'cli:ana' });
  const tasks = [
    'milestone-m2/srch-1',
    'milestone-m2/srch-2',
    'milestone-m3/share-1',
    'milestone-m3/share-2',
    'milestone-m4/rel-2',
    'milestone-m4/rel-1',
    'milestone-m4/rel-3',
  ];
  let runNo = 0;
  const fates = ['ok', 'ok', 'fail', 'ok', 'approved', 'ok', 'ok', 'quarantine', 'ok', 'approval'];
  for (let day = 0; day < 10; day++) {
    later(DAY);
    const task = tasks[day];
    if (task !== undefined && day % 3 !== 2)
      await setStatus(ws, task, day === 3 ? 'in_progress' : 'done', 'cli:ana');
    await recordMetric(ws, 'milestone-m2/metric/index-size-20-of-the-notes-size', `${26 - day}%`, {
      actor: 'cli:ben',
    });
    if (day % 2 === 0)
      await recordMetric(
        ws,
        'milestone-m4/metric/crash-free-sessions-99-5',
        `${(98.5 + day * 0.2).toFixed(1)}%`,
        {
          actor: 'cli:ben',
        },
      );
    if (day >= 4)
      await recordMetric(ws, 'milestone-m4/metric/weekly-active-users', `${3200 + day * 250}`, {
        actor: 'cli:ben',
      });
    later(3_600_000);
    await run(ws, ++runNo, 6, fates[day]);
    if (day === 2) {
      await signoff(ws, 'milestone-m1/sync-3/acceptance/two-devices-editing-the-same-note-never', {
        reason: 'two phones edited the same note for an hour',
        actor: 'cli:ana',
      });
      await signoff(ws, 'milestone-m1/sync-3/acceptance/sync-resumes-after-the-network-returns', {
        reason: 'tested in airplane mode on three devices',
        actor: 'cli:ben',
      });
    }
    if (day === 6) {
      mkdirSync(join(root, 'dist'), { recursive: true });
      writeFileSync(join(root, 'dist', 'Lantern.apk'), 'package bytes\n');
      await signoff(ws, 'milestone-m3/share-3/exit/a-shared-notebook-shows-the-same-notes', {
        reason: 'five members saw the same notes within 2 seconds',
        actor: 'cli:ana',
      });
    }
    if (day === 8) {
      await signoff(ws, 'milestone-m2/srch-3/success/nobody-in-the-beta-reports-a-missing', {
        reason: 'two testers miss results in attachments',
        verdict: 'fail',
        actor: 'cli:ben',
      });
    }
    later(3_600_000);
    await checkTarget(ws, undefined, { actor: 'cli:ana' });
  }
  for (let i = 0; i < padRuns; i++) {
    later(60_000);
    await run(ws, ++runNo, padSteps, i % 50 === 49 ? 'fail' : 'ok');
  }
  return ws;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = process.argv[2] ?? 'demo-workspace';
  const ws = await demoWorkspace(root);
  await ws.close();
  console.log(`demo workspace in ${root}`);
}
