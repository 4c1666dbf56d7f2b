import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { approveStep } from '../workspace/runs/runs.js';
import { openWorkspace, type Workspace } from '../workspace/open.js';
import { runtimeInbox } from '../workspace/runs/run-inbox.js';
import { trustPlan } from '../workspace/access/trust.js';
import type { AgentRun } from '../workspace/agents/agent-runs.js';
import type { ApprovalRequest } from '../workspace/agents/agent-requests.js';
import type { VerdictTable } from '../workspace/checks/verdict-table.js';
import { BIN, cli, data, mcpProject, startAgent, text, until, type Agent } from './test-helpers.js';

const T = { timeout: 120_000 };

const SHIP_MD = `# Ship Plan

## Phase 1: Build

### Task 1.1: Build the thing

- [ ] Write the build script

Build it.

\`\`\`sh
echo building; echo ok > build.out
\`\`\`

**Exit criteria:**

- [ ] The build output exists

### Task 1.2: Second pass

\`\`\`sh
echo second | tee second.out
\`\`\`

### Task 1.3: Third pass

\`\`\`sh
echo third | tee third.out
\`\`\`
`;

const CRITERION = 'phase-1/task-1-1/exit/the-build-output-exists';

async function withWs<T>(root: string, fn: (ws: Workspace) => Promise<T>): Promise<T> {
  const ws = await openWorkspace({ root, env: {} });
  try {
    return await fn(ws);
  } finally {
    await ws.close();
  }
}

/** Polls pulser_run_status until the run's status is `status`. */
function runReaches(a: Agent, runId: string, status: string): Promise<AgentRun> {
  return until(async () => {
    const r = data<AgentRun>(await a.call('pulser_run_status', { runId }));
    return r.status === status ? r : undefined;
  }, `run ${runId} to be ${status}`);
}

describe('pulser mcp runs steps through the durable runtime (real processes)', () => {
  let project: ReturnType<typeof mcpProject>;
  const agents: Agent[] = [];
  const agent = async (name: string, extra: string[] = []): Promise<Agent> => {
    const a = await startAgent(project.root, name, extra);
    agents.push(a);
    return a;
  };
  before(() => {
    project = mcpProject(SHIP_MD);
  });
  after(async () => {
    await Promise.all(agents.map((a) => a.close().catch(() => {})));
    project.done();
  });

  it(
    'untrusted steps wait for a person; no tool approves; a CLI approval lets the run go on',
    T,
    async () => {
      const a = await agent('runner');
      const unclaimed = await a.call('pulser_run', { taskId: 'phase-1/task-1-2' });
      assert.match(
        text(unclaimed),
        /^E_STATE: agent:runner holds no claim on task phase-1\/task-1-2/u,
      );
      data(await a.call('pulser_claim', { taskId: 'phase-1/task-1-2' }));
      const run = data<AgentRun & { executedBy: string }>(
        await a.call('pulser_run', {
          taskId: 'phase-1/task-1-2',
          waitSeconds: 5,
          trustUnsafely: true,
        }),
      );
      assert.equal(run.status, 'waiting');
      assert.equal(run.requestedBy, 'agent:runner');
      assert.equal(run.executedBy, 'this MCP server');
      const stepId = `${run.id}.1`;
      assert.deepEqual(
        run.steps.map((s) => [s.id, s.state]),
        [[stepId, 'awaiting_approval']],
      );
      assert.equal(run.waitingForPerson.length, 1);
      assert.match(run.waitingForPerson[0]!, /`pulser trust PLAN\.md`/u);
      assert.match(
        run.waitingForPerson[0]!,
        new RegExp(`\`pulser approve ${stepId.replace('.', '\\.')}\``, 'u'),
      );
      assert.match(run.next, /waits for a person/u);
      assert.ok(!existsSync(join(project.root, 'second.out')), 'nothing ran');

      await withWs(project.root, async (ws) => {
        await assert.rejects(approveStep(ws, stepId, 'agent:runner'), {
          code: 'E_TRUST',
          message: `agent:runner requested run ${run.id} and cannot approve its steps`,
        });
        const stored = (await ws.store.plans.get('plan'))!;
        await assert.rejects(trustPlan(ws, 'plan', stored.sha256, 'agent:runner'), {
          code: 'E_TRUST',
        });
      });

      const asked = data<{ request: ApprovalRequest; created: boolean }>(
        await a.call('pulser_request_approval', {
          id: stepId,
          reason: 'tees second.out; needed for task 1.2',
        }),
      );
      assert.equal(asked.created, true);
      const again = data<{ created: boolean }>(
        await a.call('pulser_request_approval', { id: stepId, reason: 'please' }),
      );
      assert.equal(again.created, false, 'one open request per subject and agent');
      const inbox = await withWs(project.root, (ws) => runtimeInbox(ws));
      assert.deepEqual(
        inbox.approvals.map((s) => s.id),
        [stepId],
      );
      assert.deepEqual(
        inbox.requests.map((r) => [r.requestedBy, r.subject, r.reason]),
        [
          [
            'agent:runner',
            { kind: 'step', id: stepId, runId: run.id },
            'tees second.out; needed for task 1.2',
          ],
        ],
      );
      const done = await a.call('pulser_request_approval', { id: 'phase-9/nope', reason: 'x' });
      assert.match(text(done), /^E_NOT_FOUND: no step, run or plan node with ID phase-9\/nope/u);

      assert.match(
        cli(project.root, ['approve', stepId]),
        new RegExp(`approved ${stepId.replace('.', '\\.')}`, 'u'),
      );
      const finished = await runReaches(a, run.id, 'succeeded');
      assert.equal(finished.steps[0]!.state, 'succeeded');
      assert.equal(finished.outputTail, 'second\n');
      assert.equal(readFileSync(join(project.root, 'second.out'), 'utf8'), 'second\n');
      const logs = data<{ lines: Array<{ stepId: string; stream: string; text: string }> }>(
        await a.call('pulser_logs', { runId: run.id }),
      );
      assert.deepEqual(
        logs.lines.map((l) => [l.stepId, l.stream, l.text]),
        [[stepId, 'stdout', 'second\n']],
      );
      await withWs(project.root, async (ws) => {
        const events = await ws.store.runs.runEvents(run.id);
        const by = (type: string): string | undefined => events.find((e) => e.type === type)?.actor;
        assert.equal(by('run.created'), 'agent:runner');
        assert.match(by('step.approved') ?? '', /^cli:/u);
        assert.match(by('step.leased') ?? '', /^worker:/u);
        assert.deepEqual(
          (await runtimeInbox(ws)).requests,
          [],
          'the request closed with the approval',
        );
      });
      const mine = data<{ runs: Array<{ id: string }> }>(await a.call('pulser_run_status', {}));
      assert.deepEqual(
        mine.runs.map((r) => r.id),
        [run.id],
      );
    },
  );

  it(
    'the agent loop: next, claim, run, report, check; done refused until a person signs the criterion off',
    T,
    async () => {
      const a = await agent('looper');
      const next = data<{ tasks: Array<{ id: string }> }>(await a.call('pulser_next', {}));
      assert.deepEqual(
        next.tasks.map((t) => t.id),
        ['phase-1/task-1-1', 'phase-1/task-1-3'],
      );
      data(await a.call('pulser_claim', { taskId: 'phase-1/task-1-1' }));
      const shown = data<{ node: { steps: Array<{ input: string }> } }>(
        await a.call('pulser_show', { id: 'phase-1/task-1-1' }),
      );
      assert.equal(shown.node.steps[0]?.input, 'echo building; echo ok > build.out\n');

      const waiting = data<AgentRun>(
        await a.call('pulser_run', { taskId: 'phase-1/task-1-1', waitSeconds: 2 }),
      );
      assert.equal(waiting.status, 'waiting');
      assert.match(cli(project.root, ['trust', 'PLAN.md']), /trusted/iu);
      const ran = await runReaches(a, waiting.id, 'succeeded');
      assert.equal(ran.outputTail, 'building\n');
      assert.ok(existsSync(join(project.root, 'build.out')));

      data(
        await a.call('pulser_check_item', { itemId: 'phase-1/task-1-1/write-the-build-script' }),
      );
      data(
        await a.call('pulser_progress', { taskId: 'phase-1/task-1-1', note: `built in ${ran.id}` }),
      );
      const refused = await a.call('pulser_set_status', { id: 'phase-1/task-1-1', status: 'done' });
      assert.equal(refused.isError, true);
      assert.match(
        text(refused),
        new RegExp(
          `^E_STATE: cannot mark task phase-1/task-1-1 done: its gate fails \\(${CRITERION}: not verified at this version of the plan`,
          'u',
        ),
      );
      const tick = await a.call('pulser_check_item', { itemId: CRITERION });
      assert.match(text(tick), /criterion; an agent cannot check it/u);
      const asked = data<{ request: ApprovalRequest }>(
        await a.call('pulser_request_approval', {
          id: CRITERION,
          reason: `build.out exists (run ${ran.id})`,
        }),
      );
      assert.deepEqual(asked.request.subject, {
        kind: 'node',
        id: CRITERION,
        planId: 'plan',
        nodeKind: 'criterion',
      });
      const open = await withWs(project.root, (ws) => runtimeInbox(ws));
      assert.deepEqual(
        open.requests.map((r) => [r.requestedBy, r.title]),
        [['agent:looper', 'The build output exists']],
      );

      const before = data<VerdictTable>(
        await a.call('pulser_run_checks', { id: 'phase-1/task-1-1' }),
      );
      assert.deepEqual(
        before.verdicts.map((v) => [v.id, v.verifier, v.status]),
        [[CRITERION, 'manual', 'pending']],
      );
      cli(project.root, ['signoff', CRITERION, '--reason', `saw build.out from ${ran.id}`]);
      assert.deepEqual((await withWs(project.root, (ws) => runtimeInbox(ws))).requests, []);
      // The signoff alone decides nothing in the ledger yet: the agent checks again.
      const stale = await a.call('pulser_set_status', { id: 'phase-1/task-1-1', status: 'done' });
      assert.match(text(stale), /its gate fails \(.*: pending \(/u);
      const checked = data<VerdictTable>(
        await a.call('pulser_run_checks', { id: 'phase-1/task-1-1' }),
      );
      assert.deepEqual(
        checked.verdicts.map((v) => [v.id, v.status]),
        [[CRITERION, 'pass']],
      );
      assert.equal(checked.recorded, 1);
      const done = data<{ released: boolean }>(
        await a.call('pulser_set_status', { id: 'phase-1/task-1-1', status: 'done' }),
      );
      assert.equal(done.released, true);
      const after = data<{ tasks: Array<{ id: string }> }>(await a.call('pulser_next', {}));
      assert.deepEqual(
        after.tasks.map((t) => t.id),
        ['phase-1/task-1-3'],
      );
      const md = readFileSync(join(project.root, 'PLAN.md'), 'utf8');
      assert.match(md, /- \[x\] Write the build script/u);
      const checks = await withWs(project.root, (ws) =>
        ws.store.events.read({ types: ['verdict.recorded'], limit: 100 }),
      );
      assert.deepEqual(
        checks.map((e) => e.actor),
        ['agent:looper', 'agent:looper'],
        'the checks are recorded as the agent',
      );
    },
  );

  it('with --no-worker, the run waits for `pulser worker`', T, async () => {
    const a = await agent('detached', ['--no-worker']);
    data(await a.call('pulser_claim', { taskId: 'phase-1/task-1-3' }));
    const queued = data<AgentRun & { executedBy: string }>(
      await a.call('pulser_run', { taskId: 'phase-1/task-1-3', waitSeconds: 1 }),
    );
    assert.equal(queued.status, 'queued', 'trusted (the plan was trusted) but nobody executes it');
    assert.match(queued.executedBy, /pulser worker/u);
    const worker = spawn(process.execPath, [BIN, 'worker', '-w', project.root], {
      stdio: 'ignore',
    });
    try {
      const ran = await runReaches(a, queued.id, 'succeeded');
      assert.equal(ran.outputTail, 'third\n');
    } finally {
      const exited = new Promise((r) => worker.once('exit', r));
      worker.kill('SIGTERM');
      await exited;
    }
  });
});

const GATE_MD = `# Gate Plan

## Phase 1: Ship

### Task 1.1: Write it

- [ ] Draft

**Exit criteria:**

- [ ] Docs reviewed
- [ ] Release notes approved
`;

describe('pulser mcp binds "done" to the gate verdicts in the ledger (real processes)', () => {
  let project: ReturnType<typeof mcpProject>;
  let a: Agent | null = null;
  before(() => {
    project = mcpProject(GATE_MD);
  });
  after(async () => {
    await a?.close().catch(() => {});
    project.done();
  });

  it(
    'an agent cannot mark a phase done while its gate fails; once a person signs off and the gate passes, it can',
    T,
    async () => {
      a = await startAgent(project.root, 'gater');
      const agent = a;
      const gateOf = async () => {
        const table = data<VerdictTable>(await agent.call('pulser_run_checks', { id: 'phase-1' }));
        assert.equal(table.gates.length, 1);
        return table.gates[0]!;
      };
      const markDone = () => agent.call('pulser_set_status', { id: 'phase-1', status: 'done' });

      const pending = await gateOf();
      assert.equal(pending.status, 'pending');
      assert.deepEqual(
        pending.blocking.map((b) => b.target),
        ['phase-1/task-1-1/exit/docs-reviewed', 'phase-1/task-1-1/exit/release-notes-approved'],
      );
      assert.match(
        text(await markDone()),
        /^E_STATE: cannot mark phase phase-1 done: its gate fails \(phase-1\/task-1-1\/exit\/docs-reviewed: pending/u,
      );

      cli(project.root, [
        'signoff',
        'phase-1/task-1-1/exit/docs-reviewed',
        '--reason',
        'read them',
      ]);
      cli(project.root, [
        'signoff',
        'phase-1/task-1-1/exit/release-notes-approved',
        '--reject',
        '--reason',
        'the breaking change is not listed',
      ]);
      assert.equal((await gateOf()).status, 'fail');
      const refused = await markDone();
      assert.equal(refused.isError, true);
      assert.match(text(refused), /release-notes-approved: fail \(.*breaking change/u);
      assert.doesNotMatch(
        readFileSync(join(project.root, 'PLAN.md'), 'utf8'),
        /Phase 1: Ship.*done/iu,
      );

      cli(project.root, [
        'signoff',
        'phase-1/task-1-1/exit/release-notes-approved',
        '--reason',
        'now listed',
      ]);
      // Nobody re-decided the gate yet: the ledger's latest decision still fails.
      assert.match(text(await markDone()), /release-notes-approved: fail/u);
      assert.equal((await gateOf()).status, 'pass');
      const done = data<{ changed: boolean }>(await markDone());
      assert.equal(done.changed, true);
      const decided = await withWs(project.root, (ws) =>
        ws.store.events.read({ types: ['gate.decided'], limit: 100 }),
      );
      assert.deepEqual(
        decided.map((e) => [e.actor, (e.data as { status: string }).status]),
        [
          ['agent:gater', 'pending'],
          ['agent:gater', 'fail'],
          ['agent:gater', 'pass'],
        ],
      );
    },
  );
});
