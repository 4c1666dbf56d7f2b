/**
 * The read models behind the Runboard's views, through the app: a run's timeline (spans from
 * real events: blocked, running per attempt, retry backoff), logs of one step and as a file,
 * the paged runs list (total, waiting first, check runs apart), the task graph and a task's
 * history, the audit trail (filters, pages), bulk approvals (role-gated), and `pulser logs
 * --step` in a real child process.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { trustFile } from '../workspace/access/trust.js';
import { CHECK_INTENT } from '../workspace/checks/check-run.js';
import { importPlan } from '../workspace/plans/import-plan.js';
import { startWorker } from '../workspace/runs/run-worker.js';
import { startRun, waitForRun } from '../workspace/runs/runs.js';
import { testApp, testWorkspace, withToken, type TestWorkspace } from './test-helpers.js';

const BIN = resolve('bin/pulser.js');

/** Setup prints in colour; Flaky compile fails once (exit 1, retried) then succeeds. */
export const VIEWS_MD = `# Views Demo

## Phase 1: Build

### Task 1.1: Setup

\`\`\`sh
printf '\\033[31mred\\033[0m plain\\n'; echo second line
\`\`\`

### Task 1.2: Flaky compile

Depends on: Task 1.1

\`\`\`sh
if [ -e .warm ]; then echo warm; else touch .warm; echo cold >&2; exit 1; fi
\`\`\`

### Task 1.3: Ship

Depends on: Task 1.2

- [ ] ship it
`;

let t: TestWorkspace;
let app: ReturnType<typeof testApp>;
let planId: string;
let runId: string;

type Json = Record<string, unknown>;

async function call(
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Json; res: Response }> {
  const res = await app.request(`/api/w/${t.tenant.id}${path}`, withToken(token, method, body));
  const text = await res.clone().text();
  let parsed: Json = {};
  try {
    parsed = JSON.parse(text) as Json;
  } catch {
    parsed = {};
  }
  return { status: res.status, body: parsed, res };
}

const get = (path: string) => call(t.tokens.viewer, 'GET', path);

describe('views API', () => {
  before(async () => {
    t = await testWorkspace('views');
    app = testApp([t.tenant]);
    writeFileSync(join(t.root, 'views.md'), VIEWS_MD);
    planId = (await importPlan(t.ws, join(t.root, 'views.md'), 'cli:test')).stored.id;
    await trustFile(t.ws, join(t.root, 'views.md'), 'cli:test');
    const { run } = await startRun(t.ws, { target: planId, actor: 'cli:test' });
    runId = run.id;
    const worker = startWorker(t.ws, { pollMs: 20 });
    try {
      assert.equal((await waitForRun(t.ws, runId, { until: 'finished' })).status, 'succeeded');
    } finally {
      await worker.stop({ graceMs: 0 });
    }
  });
  after(async () => {
    await t?.done();
  });

  test('the timeline has real spans: blocked on a dependency, two attempts, a backoff', async () => {
    const { status, body } = await get(`/runs/${runId}/timeline`);
    assert.equal(status, 200);
    type Span = {
      kind: string;
      from: string;
      to: string | null;
      attempt: number | null;
      outcome: string | null;
    };
    const steps = body['steps'] as Array<{
      title: string;
      after: Array<{ title: string }>;
      spans: Span[];
    }>;
    const flaky = steps.find((s) => s.title === 'Task 1.2: Flaky compile')!;
    assert.deepEqual(
      flaky.after.map((a) => a.title),
      ['Task 1.1: Setup'],
    );
    const kinds = flaky.spans.map((s) => s.kind);
    assert.equal(kinds[0], 'blocked', 'it waited for Setup first');
    const runs = flaky.spans.filter((s) => s.kind === 'running');
    assert.deepEqual(
      runs.map((s) => [s.attempt, s.outcome]),
      [
        [1, 'failed'],
        [2, 'succeeded'],
      ],
    );
    assert.ok(kinds.includes('backoff'), kinds.join(','));
    // Spans follow each other in time and all ended.
    for (let i = 1; i < flaky.spans.length; i++) {
      assert.ok(Date.parse(flaky.spans[i]!.from) >= Date.parse(flaky.spans[i - 1]!.from));
    }
    assert.ok(flaky.spans.every((s) => s.to !== null));
    assert.notEqual(body['to'], null);
    const attempts = body['attempts'] as Array<{ stepId: string; attempt: number }>;
    assert.equal(attempts.filter((a) => a.stepId === `${runId}.2`).length, 2);
  });

  test('logs of one step, the log as a file, and an unknown step', async () => {
    const one = await get(`/runs/${runId}/logs?step=${runId}.1`);
    const lines = one.body['lines'] as Array<{ stepId: string; text: string }>;
    assert.ok(lines.length > 0);
    assert.ok(lines.every((l) => l.stepId === `${runId}.1`));
    assert.ok(
      lines.some((l) => l.text.includes('\u001b[31mred')),
      'colour codes kept for the viewer',
    );
    const byOrd = await get(`/runs/${runId}/logs?step=2`);
    assert.ok(
      (byOrd.body['lines'] as Array<{ stepId: string }>).every((l) => l.stepId === `${runId}.2`),
    );
    const file = await get(`/runs/${runId}/log.txt`);
    assert.equal(file.status, 200);
    assert.match(file.res.headers.get('content-disposition') ?? '', /^attachment; filename="run-/u);
    assert.match(file.res.headers.get('content-type') ?? '', /^text\/plain/u);
    const text = await file.res.text();
    assert.match(text, /==> step 1: Task 1\.1: Setup/u);
    assert.match(text, /cold\n/u);
    const missing = await get(`/runs/${runId}/logs?step=${runId}.99`);
    assert.equal(missing.status, 404);
  });

  test('pulser logs --step prints that step only', () => {
    const r = spawnSync(process.execPath, [BIN, 'logs', runId, '--step', '2'], {
      cwd: t.root,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /cold/u);
    assert.doesNotMatch(r.stdout, /second line/u);
    const bad = spawnSync(process.execPath, [BIN, 'logs', runId, '--step', '9'], {
      cwd: t.root,
      encoding: 'utf8',
    });
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /^pulser: no step 9 in run /u);
    assert.doesNotMatch(bad.stderr, /\n\s+at /u, 'no stack trace');
  });

  test('the task graph: states, dependencies by title, why blocked', async () => {
    const { status, body } = await get(`/plans/${planId}/graph`);
    assert.equal(status, 200);
    const nodes = body['nodes'] as Array<{
      title: string;
      state: string;
      why: string | null;
      dependsOn: Array<{ title: string }>;
    }>;
    const by = new Map(nodes.map((n) => [n.title, n]));
    assert.equal(by.get('Task 1.1: Setup')?.state, 'ready');
    assert.equal(by.get('Task 1.3: Ship')?.state, 'blocked');
    assert.equal(by.get('Task 1.3: Ship')?.why, 'waits for Task 1.2: Flaky compile');
    assert.deepEqual(
      by.get('Task 1.2: Flaky compile')?.dependsOn.map((d) => d.title),
      ['Task 1.1: Setup'],
    );
    assert.equal((await get('/plans/nope/graph')).status, 404);
  });

  test("a task's history lists its executions across runs", async () => {
    const { body } = await get(`/plans/${planId}/graph`);
    const flaky = (body['nodes'] as Array<{ id: string; title: string }>).find(
      (n) => n.title === 'Task 1.2: Flaky compile',
    )!;
    const h = await get(`/plans/${planId}/tasks/${flaky.id}/history`);
    assert.equal(h.status, 200);
    const ex = h.body['executions'] as Array<{
      run: { id: string };
      step: { state: string; attempts: number };
    }>;
    assert.deepEqual(
      ex.map((x) => [x.run.id, x.step.state, x.step.attempts]),
      [[runId, 'succeeded', 2]],
    );
    assert.equal((await get(`/plans/${planId}/tasks/phase-9/nothing/history`)).status, 404);
  });

  test('the audit trail: filters by type, actor and time; pages without overlap', async () => {
    const retries = await get('/audit?type=step.retry_scheduled');
    assert.equal((retries.body['events'] as unknown[]).length, 1);
    const prefix = await get('/audit?type=step.&limit=500');
    const types = (prefix.body['events'] as Array<{ type: string }>).map((e) => e.type);
    assert.ok(types.length > 3 && types.every((x) => x.startsWith('step.')));
    assert.ok(!types.includes('step.output'), 'output only when asked by its full type');
    const nobody = await get('/audit?actor=user:nobody');
    assert.deepEqual(nobody.body['events'], []);
    const future = await get(`/audit?since=${new Date(Date.now() + 3600_000).toISOString()}`);
    assert.deepEqual(future.body['events'], []);
    const first = await get('/audit?limit=3');
    const seqs1 = (first.body['events'] as Array<{ seq: number }>).map((e) => e.seq);
    assert.equal(seqs1.length, 3);
    assert.ok(seqs1[0]! > seqs1[1]! && seqs1[1]! > seqs1[2]!, 'newest first');
    const second = await get(`/audit?limit=3&before=${String(first.body['before'])}`);
    const seqs2 = (second.body['events'] as Array<{ seq: number }>).map((e) => e.seq);
    assert.ok(seqs2.length > 0 && Math.max(...seqs2) < Math.min(...seqs1));
    assert.equal((await get('/audit?since=yesterday-ish')).status, 400);
  });

  test('runs list: a page with the total, waiting runs first, check runs apart', async () => {
    const waiting = await startRun(t.ws, {
      steps: [
        {
          title: 'needs a yes',
          tool: 'shell',
          input: 'echo yes',
          approval: 'required',
          trustedBy: 'cli:test',
        },
      ],
      title: 'waits for a person',
      actor: 'cli:test',
    });
    const check = await startRun(t.ws, {
      steps: [{ title: 'a check', tool: 'noop', input: '', trustedBy: 'cli:test' }],
      title: 'check c1',
      intent: CHECK_INTENT,
      actor: 'cli:test',
    });
    const later = await startRun(t.ws, {
      steps: [{ title: 'later', tool: 'noop', input: '', trustedBy: 'cli:test' }],
      title: 'a later run',
      actor: 'cli:test',
    });
    type Page = {
      runs: Array<{ id: string }>;
      total: number;
      waiting: number;
      checks: { total: number; latest: { id: string } | null };
    };
    const work = (await get('/runs?kind=work&order=waiting&limit=2')).body as unknown as Page;
    assert.equal(work.total, 3);
    assert.equal(work.waiting, 1);
    assert.deepEqual(
      work.runs.map((r) => r.id),
      [waiting.run.id, later.run.id],
    );
    assert.equal(work.checks.total, 1);
    assert.equal(work.checks.latest?.id, check.run.id);
    const page2 = (await get('/runs?kind=work&order=waiting&limit=2&offset=2'))
      .body as unknown as Page;
    assert.deepEqual(
      page2.runs.map((r) => r.id),
      [runId],
    );
    const checks = (await get('/runs?kind=checks')).body as unknown as Page;
    assert.deepEqual(
      checks.runs.map((r) => r.id),
      [check.run.id],
    );
    const newest = (await get('/runs?kind=all&order=newest')).body as unknown as Page;
    assert.equal(newest.runs[0]!.id, later.run.id);
    // Without paging fields, the list it always was.
    const plain = await get('/runs');
    assert.equal((plain.body['runs'] as unknown[]).length, 4);
    assert.equal(plain.body['total'], undefined);
    assert.equal((await get('/runs?kind=odd')).status, 400);
  });

  test('bulk approve: role-gated, one call decides each step, a step not waiting is reported', async () => {
    const ids: string[] = [];
    for (const title of ['deploy a', 'deploy b']) {
      const { steps } = await startRun(t.ws, {
        steps: [
          {
            title,
            tool: 'shell',
            input: `echo ${title}`,
            approval: 'required',
            trustedBy: 'cli:test',
          },
        ],
        title,
        actor: 'cli:test',
      });
      ids.push(steps[0]!.id);
    }
    const head = (await t.ws.store.events.head()).seq;
    const refused = await call(t.tokens.operator, 'POST', '/steps/bulk', {
      action: 'approve',
      ids,
    });
    assert.equal(refused.status, 403);
    assert.equal((await t.ws.store.events.head()).seq, head, 'a refused call records nothing');
    const ok = await call(t.tokens.approver, 'POST', '/steps/bulk', {
      action: 'approve',
      ids: [...ids, `${runId}.1`],
    });
    assert.equal(ok.status, 200);
    const results = ok.body['results'] as Array<{ id: string; ok: boolean; error?: string }>;
    assert.deepEqual(
      results.map((r) => r.ok),
      [true, true, false],
    );
    assert.match(results[2]!.error ?? '', /\S/u);
    const approved = await t.ws.store.events.read({ types: ['step.approved'] });
    assert.deepEqual(
      approved.map((e) => [e.subject, e.actor]),
      ids.map((id) => [id, 'user:approver-user']),
    );
    const bad = await call(t.tokens.approver, 'POST', '/steps/bulk', { action: 'retry', ids });
    assert.equal(bad.status, 400);
  });
});
