// A realistic demo workspace for the report: the roadmap seed imported, worked on over days
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
const SEED = join(here, '../../shared/seeds/004_9387ae2320d3a458.txt');
const DAY = 86_400_000;

const SIDECAR = {
  'milestone-m1/exit/desktop-is-packaged-tauri-and-usable': {
    kind: 'file',
    path: 'dist/Artisan.dmg',
  },
  'milestone-m1/exit/predictive-assist-produces-bounded': {
    kind: 'metric',
    metric: 'suggestion-error',
    target: '<5%',
  },
  'milestone-m2/exit/telemetry-envelopes-are-signed-by': {
    kind: 'metric',
    metric: 'signed-telemetry',
    target: '>=99%',
  },
  'milestone-m0/evidence/node-20-test-suites-green-across-kernel': {
    kind: 'command',
    command: 'npm test',
  },
};

/** Runtime events of one run: steps queued, started, and ending in various ways. */
async function run(ws, n, steps, fate) {
  const runId = `run-${String(n).padStart(4, '0')}`;
  const append = (type, subject, data, actor = 'worker:w1') =>
    ws.store.events.append({ type, actor, subject, data: { runId, ...data } });
  await append('run.created', runId, { target: 'milestone-m1', lane: 'A' }, 'cli:ana');
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
  copyFileSync(SEED, join(root, 'ROADMAP.md'));
  writeFileSync(join(root, 'pulser.verifiers.json'), `${JSON.stringify(SIDECAR, null, 2)}\n`);
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 9, 0, 0));
  const ws = await openWorkspace({ root, create: true, env: {}, clock });
  const later = (ms) => clock.advance(ms);
  await importPlan(ws, join(root, 'ROADMAP.md'), 'cli:ana');
  await checkTarget(ws, undefined, { actor: 'cli:ana' });
  const tasks = [
    'milestone-m1/t-022',
    'milestone-m1/t-023',
    'milestone-m1/t-024',
    'milestone-m2/t-026',
    'milestone-m1/t-025',
    'milestone-m2/t-027',
    'milestone-m3/t-028',
  ];
  let runNo = 0;
  const fates = ['ok', 'ok', 'fail', 'ok', 'approved', 'ok', 'ok', 'quarantine', 'ok', 'approval'];
  for (let day = 0; day < 10; day++) {
    later(DAY);
    const task = tasks[day];
    if (task !== undefined && day % 3 !== 2)
      await setStatus(ws, task, day === 3 ? 'in_progress' : 'done', 'cli:ana');
    await recordMetric(ws, 'suggestion-error', `${(9 - day * 0.6).toFixed(1)}%`, {
      actor: 'cli:ben',
    });
    if (day % 2 === 0)
      await recordMetric(ws, 'signed-telemetry', `${(95 + day * 0.5).toFixed(1)}%`, {
        actor: 'cli:ben',
      });
    if (day >= 4) await recordMetric(ws, 'eval-coverage', `${52 + day * 3}%`, { actor: 'cli:ben' });
    later(3_600_000);
    await run(ws, ++runNo, 6, fates[day]);
    if (day === 2) {
      await signoff(ws, 'milestone-m0/evidence/manual-dispatch-fallback-quarantine', {
        reason: 'walked through the runbook',
        actor: 'cli:ana',
      });
      await signoff(ws, 'milestone-m1/exit/profile-library-supports-versioning', {
        reason: 'import/export tested with 40 profiles',
        actor: 'cli:ben',
      });
    }
    if (day === 6) {
      mkdirSync(join(root, 'dist'), { recursive: true });
      writeFileSync(join(root, 'dist', 'Artisan.dmg'), 'installer bytes\n');
      await signoff(ws, 'milestone-m1/exit/operator-can-resolve-quarantine-retry', {
        reason: 'resolved 3 quarantines from the panel',
        actor: 'cli:ana',
      });
    }
    if (day === 8) {
      await signoff(ws, 'milestone-m2/exit/trust-state-is-visible-in-desktop-and', {
        reason: 'badge missing in PDF export',
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
