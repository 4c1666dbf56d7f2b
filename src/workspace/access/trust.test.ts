import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Workspace } from '../open.js';
import { importPlan } from '../plans/import-plan.js';
import { startWorker, type WorkerHandle } from '../runs/run-worker.js';
import { runtimeInbox } from '../runs/run-inbox.js';
import { approveStep, getRun, runLogs, startRun, waitForRun } from '../runs/runs.js';
import { addPlan, runWorkspace } from '../runs/run-test-helpers.js';
import { trustFile, trustPlan, trustStatus, untrustPlan } from './trust.js';

const ME = 'cli:ana';

/** A plan whose titles, commands and arguments try to reach a shell. */
function evilPlan(canary: string): string {
  const c = (name: string): string => `${canary}/${name}`;
  return [
    `# Plan $(touch ${c('plan-title')}) \`touch ${c('plan-title-bt')}\``,
    '',
    `## Phase 1: $(touch ${c('phase-title')}); touch ${c('phase-semi')}`,
    '',
    `### Task 1: \`touch ${c('task-title-bt')}\` && touch ${c('task-and')} | tee ${c('task-pipe')}`,
    '',
    '```sh',
    `touch ${c('step-ran')}`,
    `echo "arg with $(echo sub) and \`echo bt\` and ; semicolon" > ${c('step-output')}`,
    '```',
    '',
    `### Task 2: run "$(touch ${c('task2-title')})"`,
    '',
    '```bash',
    `# a comment $(touch ${c('comment')})`,
    `printf '%s\\n' '$(touch ${c('quoted')})' > ${c('step2-output')}`,
    '```',
    '',
  ].join('\n');
}

describe('trust: untrusted documents never execute', () => {
  let ws: Workspace;
  let root: string;
  let done: () => Promise<void>;
  let canary: string;
  let w: WorkerHandle;
  before(async () => {
    ({ ws, root, done } = await runWorkspace());
    canary = join(root, 'canaries');
    mkdirSync(canary);
    w = startWorker(ws, { pollMs: 10 });
  });
  after(async () => {
    await w.stop();
    await done();
  });

  it('parks every step of an untrusted plan; nothing runs, no canary appears', async () => {
    // The file name itself is hostile too.
    const name = 'evil $(touch path-canary) `touch path-bt`;.md';
    const planId = await addPlan(ws, name, evilPlan(canary));
    const { run, steps } = await startRun(ws, { target: planId, actor: ME });
    assert.equal(steps.length, 2);
    assert.ok(
      steps.every((s) => s.state === 'awaiting_approval' && s.approvalReason === 'untrusted'),
    );
    const settled = await waitForRun(ws, run.id);
    assert.equal(settled.status, 'waiting');
    for (let i = 0; i < 5; i++) await w.worker.tick();
    await w.worker.idle();
    assert.deepEqual(readdirSync(canary), []);
    const events = await ws.store.runs.runEvents(run.id);
    assert.ok(!events.some((e) => e.type === 'step.leased' || e.type === 'step.started'));
    const inbox = await runtimeInbox(ws);
    assert.deepEqual(inbox.approvals.map((s) => s.id).sort(), steps.map((s) => s.id).sort());
    assert.ok(inbox.untrusted.some((p) => p.planId === planId && p.executables.length === 2));

    // Trust the document: its commands run exactly as written; titles and paths never reach a shell.
    const stored = (await ws.store.plans.get(planId))!;
    const { released } = await trustPlan(ws, planId, stored.sha256, ME);
    assert.equal(released.length, 2);
    const final = await waitForRun(ws, run.id, { until: 'finished' });
    assert.equal(final.status, 'succeeded', JSON.stringify(final.steps.map((s) => s.error)));
    assert.deepEqual(readdirSync(canary).sort(), ['step-output', 'step-ran', 'step2-output']);
    assert.equal(
      (await import('node:fs')).readFileSync(join(canary, 'step2-output'), 'utf8'),
      `$(touch ${canary}/quoted)\n`,
    );
    for (const dir of [root, process.cwd()]) {
      assert.equal(existsSync(join(dir, 'path-canary')), false);
      assert.equal(existsSync(join(dir, 'path-bt')), false);
    }
  });

  it('ad-hoc steps: titles with metacharacters and newlines are data, never shell', async () => {
    const title = `x\n$(touch ${canary}/adhoc-title)\n\`touch ${canary}/adhoc-bt\`; touch ${canary}/adhoc-semi`;
    const { run } = await startRun(ws, {
      title,
      intent: `$(touch ${canary}/intent)`,
      steps: [{ title, tool: 'shell', input: 'echo "$PULSER_STEP_ID"', trustedBy: ME }],
      actor: ME,
    });
    const r = await waitForRun(ws, run.id, { until: 'finished' });
    assert.equal(r.status, 'succeeded');
    assert.equal((await runLogs(ws, run.id)).map((l) => l.text).join(''), `${run.id}.1\n`);
    assert.ok(!readdirSync(canary).some((f) => f.startsWith('adhoc') || f === 'intent'));
  });

  it('an ad-hoc command without provenance or a person vouching for it waits for approval', async () => {
    const { run, steps } = await startRun(ws, {
      steps: [{ title: 'agent wants', tool: 'shell', input: `touch ${canary}/agent-ran` }],
      actor: 'agent:helper',
    });
    assert.equal(steps[0]!.state, 'awaiting_approval');
    await assert.rejects(approveStep(ws, steps[0]!.id, 'agent:helper'), { code: 'E_TRUST' });
    assert.equal(existsSync(join(canary, 'agent-ran')), false);
    await approveStep(ws, steps[0]!.id, 'user:dana', 'checked');
    const r = await waitForRun(ws, run.id, { until: 'finished' });
    assert.equal(r.status, 'succeeded');
    assert.equal(existsSync(join(canary, 'agent-ran')), true);
  });

  it('refuses the bypasses to everyone but a person at the CLI', async () => {
    const planId = await addPlan(ws, 'other.md', '# Other\n\n## Task A\n\n```sh\ntrue\n```\n');
    for (const actor of ['agent:x', 'user:dana', 'worker:w']) {
      await assert.rejects(startRun(ws, { target: planId, actor, trustUnsafely: true }), {
        code: 'E_TRUST',
      });
    }
    await assert.rejects(
      startRun(ws, {
        steps: [{ title: 't', tool: 'shell', input: 'true', trustedBy: 'cli:ana' }],
        actor: 'agent:x',
      }),
      { code: 'E_TRUST' },
    );
    const stored = (await ws.store.plans.get(planId))!;
    await assert.rejects(trustPlan(ws, planId, stored.sha256, 'agent:x'), { code: 'E_TRUST' });
    const { steps } = await startRun(ws, { target: planId, actor: ME, trustUnsafely: true });
    assert.equal(steps[0]!.state, 'queued');
    assert.equal(steps[0]!.authority, 'unsafe');
  });
});

describe('trust: bound to the content hash and to each command digest (direnv model)', () => {
  let ws: Workspace;
  let root: string;
  let done: () => Promise<void>;
  before(async () => {
    ({ ws, root, done } = await runWorkspace());
  });
  after(() => done());

  const v1 =
    '# P\n\n## Task A\n\n```sh\necho a\n```\n\n## Task B\n\n```sh\necho b\necho two\n```\n';
  const v2 =
    '# P\n\n## Task A\n\n```sh\necho a\n```\n\n## Task B\n\n```sh\necho b\nrm -rf /tmp/nothing-here\n```\n';

  it('an edit revokes trust for the commands that changed, and only those', async () => {
    const planId = await addPlan(ws, 'p.md', v1);
    const file = join(root, 'p.md');
    await trustFile(ws, file, ME);
    let status = (await trustStatus(ws)).find((p) => p.planId === planId)!;
    assert.equal(status.status, 'full');
    writeFileSync(file, v2);
    // Trusting a file that changed since its import is refused: trust what you reviewed.
    await assert.rejects(trustFile(ws, file, ME), { code: 'E_CONFLICT' });
    await importPlan(ws, file, ME);
    status = (await trustStatus(ws)).find((p) => p.planId === planId)!;
    assert.equal(status.status, 'partial');
    assert.deepEqual(
      status.executables.map((e) => e.trust),
      ['trusted', 'changed'],
    );
    const { steps } = await startRun(ws, { target: planId, actor: ME });
    assert.deepEqual(
      steps.map((s) => s.state),
      ['queued', 'awaiting_approval'],
    );
    // Trusting the new version releases the waiting step.
    const { released } = await trustFile(ws, file, ME);
    assert.deepEqual(
      released.map((s) => s.id),
      [steps[1]!.id],
    );
    // Revoking parks queued steps again.
    const { parked } = await untrustPlan(ws, planId, ME);
    assert.deepEqual(parked.map((s) => s.id).sort(), steps.map((s) => s.id).sort());
    const run = await getRun(ws, steps[0]!.runId);
    assert.equal(run.status, 'waiting');
    const types = (await ws.store.events.read({ types: ['trust.*'] })).map((e) => e.type);
    assert.deepEqual(types, ['trust.granted', 'trust.granted', 'trust.revoked', 'trust.revoked']);
  });
});
