import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isPulserError } from '../../errors/index.js';
import { agentCheckItem, agentSetStatus } from './agent-actions.js';
import { agentNext, agentReport } from './agent-view.js';
import { checkTarget } from '../checks/check.js';
import { signoff } from '../checks/check-signoff.js';
import { agentActor, parseDuration } from '../runs/claim-options.js';
import { claimTask, releaseTask, reportProgress } from '../runs/claims.js';
import { importPlan } from '../plans/import-plan.js';
import { openWorkspace, type Workspace } from '../open.js';
import { LAUNCH_PLAN, tempProject } from '../test-helpers.js';

const PLAN = LAUNCH_PLAN;

async function rejectsWith(p: Promise<unknown>, code: string, re: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isPulserError(e), String(e));
    assert.equal(e.code, code);
    assert.match(e.message, re);
    return true;
  });
}

describe('agent actions (claims, write rules, the done boundary)', () => {
  let root = '';
  let ws: Workspace;
  const A = 'agent:alpha';
  const B = 'agent:beta';
  before(async () => {
    root = tempProject();
    writeFileSync(join(root, 'PLAN.md'), PLAN);
    ws = await openWorkspace({ root, create: true, env: {} });
    await importPlan(ws, join(root, 'PLAN.md'), 'test');
  });
  after(async () => {
    await ws.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('claims a task once; another agent is refused with the holder named', async () => {
    const c = await claimTask(ws, 'phase-1/task-1-1', A, { leaseMs: 60_000 });
    assert.equal(c.agent, A);
    await rejectsWith(claimTask(ws, 'phase-1/task-1-1', B), 'E_STATE', /claimed by agent:alpha/u);
    await rejectsWith(claimTask(ws, 'phase-1', B), 'E_USAGE', /is a phase, not a task/u);
    const next = await agentNext(ws);
    assert.ok(!next.some((t) => t.id === 'phase-1/task-1-1'), 'claimed tasks are hidden');
    const all = await agentNext(ws, { includeClaimed: true });
    assert.equal(all.find((t) => t.id === 'phase-1/task-1-1')?.claim?.agent, A);
    assert.match(await agentReport(ws), /`phase-1\/task-1-1`.*claimed by agent:alpha/u);
  });

  it('progress and release belong to the holder only', async () => {
    await rejectsWith(
      reportProgress(ws, 'phase-1/task-1-1', B, 'x'),
      'E_STATE',
      /not by agent:beta/u,
    );
    const p = await reportProgress(ws, 'phase-1/task-1-1', A, 'cache key chosen');
    assert.equal(p.note, 'cache key chosen');
    await rejectsWith(releaseTask(ws, 'phase-1/task-1-1', B), 'E_STATE', /claimed by agent:alpha/u);
  });

  it('refuses writes to a task another agent holds', async () => {
    await rejectsWith(
      agentCheckItem(ws, 'phase-1/task-1-1/cache-dependencies', true, B),
      'E_STATE',
      /claimed by agent:alpha/u,
    );
    await rejectsWith(
      agentSetStatus(ws, 'phase-1/task-1-1', 'blocked', B),
      'E_STATE',
      /claimed by agent:alpha/u,
    );
  });

  it('refuses to let an agent check a criterion', async () => {
    await rejectsWith(
      agentCheckItem(ws, 'phase-1/task-1-2/exit/ci-is-green-on-main', true, A),
      'E_STATE',
      /criterion; an agent cannot check it/u,
    );
  });

  it('refuses done on a phase or task whose gate fails, and writes nothing', async () => {
    const before = readFileSync(join(root, 'PLAN.md'), 'utf8');
    await rejectsWith(
      agentSetStatus(ws, 'phase-1', 'done', A),
      'E_STATE',
      /cannot mark phase phase-1 done: its gate fails \(phase-1\/task-1-2\/exit\/ci-is-green-on-main: not verified at this version of the plan/u,
    );
    await rejectsWith(agentSetStatus(ws, 'phase-1/task-1-2', 'done', A), 'E_STATE', /gate fails/u);
    // A checked check whose gate fails still refuses, naming the recorded verdict.
    await checkTarget(ws, 'phase-1', { actor: 'cli:ana' });
    await rejectsWith(
      agentSetStatus(ws, 'phase-1', 'done', A),
      'E_STATE',
      /ci-is-green-on-main: pending \(.*signoff/u,
    );
    assert.equal(readFileSync(join(root, 'PLAN.md'), 'utf8'), before);
  });

  it('the holder checks items and marks the task done, which releases the claim', async () => {
    const item = await agentCheckItem(ws, 'phase-1/task-1-1/cache-dependencies', true, A);
    assert.equal(item.changed, true);
    const done = await agentSetStatus(ws, 'phase-1/task-1-1', 'done', A);
    assert.equal(done.released, true);
    assert.equal(await ws.store.claims.get('plan', 'phase-1/task-1-1'), null);
    await claimTask(ws, 'phase-2/task-2-1', A);
    const started = await agentSetStatus(ws, 'phase-2/task-2-1', 'in_progress', A);
    assert.equal(started.changed, true);
    assert.equal(started.released, false);
    const written = await ws.store.events.read({ types: ['plan.written'] });
    assert.deepEqual(
      written.map((e) => [e.actor, (e.data as { action: string }).action]),
      [
        [A, 'check-item'],
        [A, 'set-status'],
      ],
    );
    await rejectsWith(claimTask(ws, 'phase-1/task-1-1', B), 'E_STATE', /is done/u);
  });

  it('a phase may be marked done once its gate passes per the ledger, at the current version', async () => {
    const criterion = 'phase-1/task-1-2/exit/ci-is-green-on-main';
    await signoff(ws, criterion, { reason: 'saw the green build', actor: 'cli:ana' });
    await rejectsWith(
      agentSetStatus(ws, 'phase-1', 'done', A),
      'E_STATE',
      // The signoff alone records no verdict: the last check's stands. Task 1.1's write made a
      // new version of the plan, but not of this criterion, so that verdict is still current.
      /ci-is-green-on-main: pending/u,
    );
    await checkTarget(ws, 'phase-1', { actor: 'agent:alpha' });
    const phase = await agentSetStatus(ws, 'phase-1', 'done', A);
    assert.equal(phase.changed, true);
    // Writing the phase's status made a new version of the plan, not of the criterion: its
    // passing verdict still holds, and the task may be marked done without checking again.
    await claimTask(ws, 'phase-1/task-1-2', A);
    const task = await agentSetStatus(ws, 'phase-1/task-1-2', 'done', A);
    assert.equal(task.changed, true);
  });

  it('names agents and parses lease durations', () => {
    assert.equal(agentActor('Claude Desktop'), 'agent:Claude-Desktop');
    assert.equal(agentActor('  '), 'agent:unknown');
    assert.equal(parseDuration('2s', 'x'), 2000);
    assert.equal(parseDuration('10m', 'x'), 600_000);
    assert.equal(parseDuration('250', 'x'), 250);
    assert.throws(() => parseDuration('soon', '--claim-lease'), /invalid --claim-lease "soon"/u);
    assert.throws(
      () => parseDuration('1ms', '--claim-lease'),
      (e: unknown) => isPulserError(e) && /between 100ms and 7 days/u.test(e.data.hint ?? ''),
    );
  });
});
