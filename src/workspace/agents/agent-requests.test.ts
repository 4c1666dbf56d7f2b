import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openApprovalRequests, requestApproval } from './agent-requests.js';
import type { Workspace } from '../open.js';
import { runtimeInbox } from '../runs/run-inbox.js';
import { addPlan, runWorkspace } from '../runs/run-test-helpers.js';
import { approveStep, rejectStep, startRun } from '../runs/runs.js';
import { checkItem } from '../plans/write-back.js';

const PLAN = `# Plan

## Phase 1: Work

### Task 1.1: Do it

\`\`\`sh
echo doing
\`\`\`

**Exit criteria:**

- [ ] It is done

### Task 1.2: Done already (DONE)

- [x] Everything
`;

describe('approval requests', () => {
  let ws: Workspace;
  let done: () => Promise<void>;
  let planId: string;
  before(async () => {
    ({ ws, done } = await runWorkspace());
    planId = await addPlan(ws, 'PLAN.md', PLAN);
  });
  after(() => done());

  it('asks about a waiting step; one open request per agent and subject; closes when the step is decided', async () => {
    const { run } = await startRun(ws, { target: 'phase-1/task-1-1', actor: 'agent:a' });
    const stepId = `${run.id}.1`;
    const first = await requestApproval(ws, stepId, 'agent:a', 'needed to build');
    assert.equal(first.created, true);
    assert.deepEqual(first.request.subject, { kind: 'step', id: stepId, runId: run.id });
    assert.equal(first.request.title, 'Task 1.1: Do it');
    assert.equal((await requestApproval(ws, stepId, 'agent:a', 'again')).created, false);
    assert.equal((await requestApproval(ws, stepId, 'agent:b', 'me too')).created, true);
    const byRun = await requestApproval(ws, run.id, 'agent:a', 'the whole run');
    assert.deepEqual(byRun.request.subject, { kind: 'run', id: run.id });
    assert.deepEqual(
      (await runtimeInbox(ws)).requests.map((r) => [r.requestedBy, r.subject.id, r.reason]),
      [
        ['agent:a', stepId, 'needed to build'],
        ['agent:b', stepId, 'me too'],
        ['agent:a', run.id, 'the whole run'],
      ],
    );
    await approveStep(ws, stepId, 'cli:ana');
    assert.deepEqual(await openApprovalRequests(ws), [], 'nothing of the run waits any more');
    await assert.rejects(requestApproval(ws, stepId, 'agent:a', 'once more'), {
      code: 'E_STATE',
      message: `${stepId} (Task 1.1: Do it) does not wait for a person`,
    });

    const second = await startRun(ws, { target: 'phase-1/task-1-1', actor: 'agent:a' });
    await requestApproval(ws, `${second.run.id}.1`, 'agent:a', 'please');
    assert.equal((await openApprovalRequests(ws)).length, 1);
    await rejectStep(ws, `${second.run.id}.1`, 'cli:ana', 'no');
    assert.deepEqual(await openApprovalRequests(ws), []);
  });

  it('asks a person to sign off a criterion; closes when it is checked; refuses what is done', async () => {
    const criterion = 'phase-1/task-1-1/exit/it-is-done';
    const r = await requestApproval(ws, `${planId}:${criterion}`, 'agent:a', 'it is done, see run');
    assert.deepEqual(r.request.subject, {
      kind: 'node',
      id: criterion,
      planId,
      nodeKind: 'criterion',
    });
    assert.equal(r.request.title, 'It is done');
    assert.equal((await openApprovalRequests(ws)).length, 1);
    await checkItem(ws, criterion, 'cli:ana');
    assert.deepEqual(await openApprovalRequests(ws), []);
    await assert.rejects(requestApproval(ws, 'phase-1/task-1-2', 'agent:a', 'sign it'), {
      code: 'E_STATE',
    });
    await assert.rejects(requestApproval(ws, 'phase-1/task-1-1', 'agent:a', '  '), {
      code: 'E_USAGE',
    });
    await assert.rejects(requestApproval(ws, 'run-00000000.1', 'agent:a', 'x'), {
      code: 'E_NOT_FOUND',
    });
  });
});
