/**
 * The runtime routes through the app's in-process request function: each wired to its library
 * function, errors mapped to statuses, roles enforced, trust never bypassed, refused calls
 * leaving the event log unchanged.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { importPlan } from '../workspace/plans/import-plan.js';
import { startWorker, type WorkerHandle } from '../workspace/runs/run-worker.js';
import { startRun, waitForRun } from '../workspace/runs/runs.js';
import { testApp, testWorkspace, withToken, type TestWorkspace } from './test-helpers.js';

/** A plan of small shell steps; `Flaky` fails (exit 127, not retried) until its marker exists. */
export const RUN_PLAN = `# Ops Demo

## Phase 1: Checks

### Task 1.1: Greet

\`\`\`sh
echo hello from the runboard
\`\`\`

### Task 1.2: Flaky

\`\`\`sh
if [ -f .flaky-ok ]; then echo recovered; else touch .flaky-ok; echo first attempt fails >&2; exit 127; fi
\`\`\`

### Task 1.3: Wait

\`\`\`sh
sleep 30
\`\`\`
`;

let a: TestWorkspace;
let b: TestWorkspace;
let app: ReturnType<typeof testApp>;
let planId: string;
let planSha: string;
let worker: WorkerHandle | null = null;

before(async () => {
  a = await testWorkspace('alpha');
  b = await testWorkspace('beta');
  app = testApp([a.tenant, b.tenant]);
  writeFileSync(join(a.root, 'ops.md'), RUN_PLAN);
  const { stored } = await importPlan(a.ws, join(a.root, 'ops.md'), 'cli:test');
  planId = stored.id;
  planSha = stored.sha256;
});
after(async () => {
  await worker?.stop({ graceMs: 0 });
  await a.done();
  await b.done();
});

type Body = Record<string, unknown> & { error?: { code: string; message: string } };

async function call(
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
  t: TestWorkspace = a,
): Promise<{ status: number; body: Body; res: Response }> {
  const res = await app.request(`/api/w/${t.tenant.id}${path}`, withToken(token, method, body));
  const text = await res.clone().text();
  let parsed: Body = {};
  try {
    parsed = JSON.parse(text) as Body;
  } catch {
    parsed = {};
  }
  return { status: res.status, body: parsed, res };
}

async function head(t: TestWorkspace = a): Promise<string> {
  return JSON.stringify(await t.ws.store.events.head());
}

interface StepJson {
  id: string;
  state: string;
  attempts: number;
  retries: number;
  title: string;
  approvalReason: string | null;
}
interface RunJson {
  id: string;
  status: string;
  sessionId: string;
  steps: StepJson[];
}

async function runOf(id: string): Promise<RunJson> {
  const r = await call(a.tokens.viewer, 'GET', `/runs/${id}`);
  assert.equal(r.status, 200);
  return r.body.run as RunJson;
}

async function lastEvent(type: string): Promise<{ actor: string; subject: string | null }> {
  const events = await a.ws.store.events.read({ types: [type], limit: 1000 });
  const e = events.at(-1);
  assert.ok(e !== undefined, `no ${type} event`);
  return e;
}

describe('runtime routes', () => {
  let greetRun = '';
  let greetStep = '';

  test('an operator starts a run; an untrusted command waits for approval', async () => {
    const r = await call(a.tokens.operator, 'POST', '/runs', {
      target: `${planId}:phase-1/task-1-1`,
      intent: 'say hello',
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const run = r.body.run as { id: string; status: string; requestedBy: string };
    const steps = r.body.steps as StepJson[];
    greetRun = run.id;
    greetStep = steps[0]!.id;
    assert.equal(run.requestedBy, 'user:operator-user');
    assert.deepEqual(
      steps.map((s) => [s.state, s.approvalReason]),
      [['awaiting_approval', 'untrusted']],
    );
    assert.equal((await lastEvent('run.created')).actor, 'user:operator-user');
  });

  test('no HTTP path bypasses trust: trustUnsafely, ad-hoc steps and trustedBy are refused', async () => {
    const before = await head();
    for (const body of [
      { target: planId, trustUnsafely: true },
      { target: planId, steps: [{ title: 'x', tool: 'shell', input: 'id' }] },
      { steps: [{ title: 'x', tool: 'shell', input: 'id', trustedBy: 'user:admin-user' }] },
      { target: planId, unsafe: true },
    ]) {
      const r = await call(a.tokens.admin, 'POST', '/runs', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.match(r.body.error?.message ?? '', /unknown field|missing string field "target"/u);
    }
    assert.equal(await head(), before);
  });

  test('an operator may not approve; an approver approves, and the event names them', async () => {
    const before = await head();
    const refused = await call(a.tokens.operator, 'POST', `/steps/${greetStep}/approve`, {});
    assert.equal(refused.status, 403);
    assert.equal(await head(), before);
    const ok = await call(a.tokens.approver, 'POST', `/steps/${greetStep}/approve`, {
      note: 'looked at it',
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal((ok.body.step as StepJson).state, 'queued');
    assert.equal((await lastEvent('step.approved')).actor, 'user:approver-user');
    const again = await call(a.tokens.approver, 'POST', `/steps/${greetStep}/approve`, {});
    assert.equal(again.status, 409, 'approving a step that does not wait is a state conflict');
  });

  test('an in-process worker runs it; logs are read whole and after a seq', async () => {
    worker = startWorker(a.ws, { pollMs: 20 });
    await waitForRun(a.ws, greetRun, { until: 'finished' });
    const run = await runOf(greetRun);
    assert.equal(run.status, 'succeeded');
    assert.deepEqual(
      run.steps.map((s) => [s.state, s.attempts, s.retries]),
      [['succeeded', 1, 0]],
    );
    const logs = await call(a.tokens.viewer, 'GET', `/runs/${greetRun}/logs`);
    assert.equal(logs.status, 200);
    const lines = logs.body.lines as Array<{ seq: number; text: string; stepId: string }>;
    assert.ok(lines.some((l) => l.text.includes('hello from the runboard')));
    assert.equal(lines[0]!.stepId, greetStep);
    const later = await call(
      a.tokens.viewer,
      'GET',
      `/runs/${greetRun}/logs?after=${lines.at(-1)!.seq}`,
    );
    assert.deepEqual(later.body.lines, []);
    const prefix = await call(a.tokens.viewer, 'GET', `/runs/${greetRun.slice(0, 8)}`);
    assert.equal(prefix.status, 200, 'a unique ID prefix names the run');
  });

  test('trust: only an approver, only the reviewed version; it releases waiting steps', async () => {
    const started = await call(a.tokens.operator, 'POST', '/runs', {
      target: `${planId}:phase-1/task-1-2`,
    });
    assert.equal(started.status, 201);
    const flakyRun = (started.body.run as { id: string }).id;
    const seen = await call(a.tokens.viewer, 'GET', '/trust');
    const commands = (seen.body.plans as Array<{ commandsSha256: string }>)[0]!.commandsSha256;
    const before = await head();
    const cases: ReadonlyArray<readonly [string, unknown, number]> = [
      [a.tokens.operator, { planId, sha256: planSha, commands }, 403],
      [a.tokens.viewer, { planId, sha256: planSha, commands }, 403],
      [a.tokens.approver, { planId, sha256: 'f'.repeat(64), commands }, 409],
      [a.tokens.approver, { planId, sha256: planSha, commands: 'e'.repeat(64) }, 409],
      [a.tokens.approver, { planId, sha256: planSha }, 400],
      [a.tokens.approver, { planId, sha256: 'not-a-digest', commands }, 400],
      [a.tokens.approver, { planId }, 400],
      [a.tokens.approver, { planId: 'nope', sha256: planSha, commands }, 404],
      [a.tokens.approver, { planId, sha256: planSha, commands, force: true }, 400],
    ];
    for (const [token, body, status] of cases) {
      const r = await call(token, 'POST', '/trust', body);
      assert.equal(r.status, status, JSON.stringify(body));
    }
    assert.equal(await head(), before);
    const status = await call(a.tokens.viewer, 'GET', '/trust');
    assert.equal((status.body.plans as Array<{ status: string }>)[0]!.status, 'none');
    const inbox = await call(a.tokens.viewer, 'GET', '/inbox');
    assert.deepEqual(
      (inbox.body.untrusted as Array<{ planId: string }>).map((u) => u.planId),
      [planId],
    );
    const ok = await call(a.tokens.approver, 'POST', '/trust', {
      planId,
      sha256: planSha,
      commands,
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal((ok.body.released as StepJson[]).length, 1);
    assert.equal((await lastEvent('trust.granted')).actor, 'user:approver-user');

    // Exit 127 is not retried automatically: the step waits in quarantine for a person.
    const settled = await waitForRun(a.ws, flakyRun);
    assert.equal(settled.steps[0]!.state, 'quarantined');
    const box = await call(a.tokens.viewer, 'GET', '/inbox');
    assert.equal(box.status, 200);
    const q = box.body.quarantined as Array<{ id: string; runTitle: string }>;
    assert.deepEqual(
      q.map((s) => s.id),
      [settled.steps[0]!.id],
    );
    assert.equal(q[0]!.runTitle, 'Task 1.2: Flaky');
    assert.deepEqual(box.body.failingGates, []);
    assert.deepEqual(box.body.untrusted, []);

    const viewer = await call(a.tokens.viewer, 'POST', `/steps/${settled.steps[0]!.id}/retry`, {});
    assert.equal(viewer.status, 403);
    const retried = await call(a.tokens.operator, 'POST', `/steps/${settled.steps[0]!.id}/retry`);
    assert.equal(retried.status, 200, JSON.stringify(retried.body));
    assert.equal((await lastEvent('run.retried')).actor, 'user:operator-user');
    const done = await waitForRun(a.ws, flakyRun, { until: 'finished' });
    assert.equal(done.status, 'succeeded');
    assert.equal(done.steps[0]!.attempts, 2);
  });

  test('skip: an approver with a reason; recorded; the run ends skipped, never succeeded', async () => {
    const { run } = await startRun(a.ws, {
      steps: [
        { title: 'unit tests', tool: 'shell', input: 'exit 127', trustedBy: 'cli:test' },
        { title: 'after', tool: 'shell', input: 'echo after', trustedBy: 'cli:test', after: [0] },
      ],
      title: 'tests then after',
      actor: 'cli:test',
    });
    const settled = await waitForRun(a.ws, run.id);
    const stepId = settled.steps[0]!.id;
    assert.equal(settled.steps[0]!.state, 'quarantined');
    const path = `/steps/${stepId}/resolve`;
    assert.equal(
      (await call(a.tokens.operator, 'POST', path, { action: 'skip', reason: 'x' })).status,
      403,
    );
    const bare = await call(a.tokens.approver, 'POST', path, { action: 'skip' });
    assert.equal(bare.status, 400);
    assert.match(bare.body.error!.message, /needs a reason/u);
    const blank = await call(a.tokens.approver, 'POST', path, { action: 'skip', reason: '  ' });
    assert.equal(blank.status, 400);
    assert.equal((await runOf(run.id)).steps[0]!.state, 'quarantined');
    const ok = await call(a.tokens.approver, 'POST', path, {
      action: 'skip',
      reason: 'flaky runner, tracked in #12',
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const skipped = (await a.ws.store.events.read({ types: ['step.skipped'] })).at(-1)!;
    assert.equal(skipped.actor, 'user:approver-user');
    assert.equal((skipped.data as { reason: string }).reason, 'flaky runner, tracked in #12');
    const done = await waitForRun(a.ws, run.id, { until: 'finished' });
    assert.equal(done.status, 'skipped');
    assert.deepEqual(
      done.steps.map((s) => s.state),
      ['skipped', 'succeeded'],
    );
    assert.equal(
      done.steps[0]!.error,
      'skipped by user:approver-user: flaky runner, tracked in #12',
    );
    const viewed = await runOf(run.id);
    assert.equal(viewed.status, 'skipped');
    const ids = async (status: string) =>
      ((await call(a.tokens.viewer, 'GET', `/runs?status=${status}`)).body.runs as RunJson[]).map(
        (r) => r.id,
      );
    assert.ok((await ids('skipped')).includes(run.id));
    assert.ok(!(await ids('succeeded')).includes(run.id));
    assert.equal((await lastEvent('run.skipped')).subject, run.id);
  });

  test('resolve: bad action 400, not quarantined 409, approver only', async () => {
    const run = await runOf(greetRun);
    const id = run.steps[0]!.id;
    assert.equal(
      (await call(a.tokens.approver, 'POST', `/steps/${id}/resolve`, { action: 'explode' })).status,
      400,
    );
    assert.equal(
      (await call(a.tokens.operator, 'POST', `/steps/${id}/resolve`, { action: 'skip' })).status,
      403,
    );
    assert.equal(
      (
        await call(a.tokens.approver, 'POST', `/steps/${id}/resolve`, {
          action: 'skip',
          reason: 'not needed',
        })
      ).status,
      409,
    );
  });

  test('cancel a running run; reject a waiting step', async () => {
    const started = await call(a.tokens.operator, 'POST', '/runs', {
      target: `${planId}:phase-1/task-1-3`,
    });
    const runId = (started.body.run as { id: string }).id;
    for (;;) {
      const r = await runOf(runId);
      if (r.steps[0]!.state === 'running') break;
      await new Promise((ok) => setTimeout(ok, 20));
    }
    assert.equal((await call(a.tokens.viewer, 'POST', `/runs/${runId}/cancel`)).status, 403);
    const c = await call(a.tokens.operator, 'POST', `/runs/${runId}/cancel`);
    assert.equal(c.status, 200, JSON.stringify(c.body));
    assert.equal((c.body.run as { status: string }).status, 'cancelled');
    assert.equal((await lastEvent('run.cancelled')).actor, 'user:operator-user');

    // A second plan nobody trusted: its step waits; an approver rejects it.
    writeFileSync(join(a.root, 'other.md'), '# Other\n\n## Task: Poke\n\n```sh\necho poke\n```\n');
    const other = await importPlan(a.ws, join(a.root, 'other.md'), 'cli:test');
    const s2 = await call(a.tokens.operator, 'POST', '/runs', { target: other.stored.id });
    const step = (s2.body.steps as StepJson[])[0]!;
    assert.equal(step.state, 'awaiting_approval');
    const rej = await call(a.tokens.approver, 'POST', `/steps/${step.id}/reject`, {
      reason: 'not today',
    });
    assert.equal(rej.status, 200);
    assert.equal((rej.body.step as StepJson).state, 'failed');
    assert.equal((await lastEvent('step.rejected')).actor, 'user:approver-user');
  });

  test('sessions: list, archive hides runs, show archived, unarchive', async () => {
    const list = await call(a.tokens.viewer, 'GET', '/sessions');
    const sessions = list.body.sessions as Array<{ id: string; runs: number; archived: boolean }>;
    assert.equal(sessions.length, 1);
    const id = sessions[0]!.id;
    const runsBefore = (await call(a.tokens.viewer, 'GET', '/runs')).body.runs as unknown[];
    assert.ok(runsBefore.length >= 4);
    assert.equal((await call(a.tokens.viewer, 'POST', `/sessions/${id}/archive`)).status, 403);
    const bad = await call(a.tokens.operator, 'POST', `/sessions/${id}/archive`, {
      archived: 'yes',
    });
    assert.equal(bad.status, 400);
    const arch = await call(a.tokens.operator, 'POST', `/sessions/${id}/archive`, {
      archived: true,
    });
    assert.equal(arch.status, 200);
    assert.equal((arch.body.session as { archived: boolean }).archived, true);
    assert.equal((await lastEvent('session.archived')).actor, 'user:operator-user');
    assert.deepEqual((await call(a.tokens.viewer, 'GET', '/runs')).body.runs, []);
    assert.deepEqual((await call(a.tokens.viewer, 'GET', '/sessions')).body.sessions, []);
    const shown = await call(a.tokens.viewer, 'GET', '/runs?archived=true');
    assert.equal((shown.body.runs as unknown[]).length, runsBefore.length);
    const un = await call(a.tokens.operator, 'POST', `/sessions/${id}/archive`, {
      archived: false,
    });
    assert.equal(un.status, 200);
    assert.equal(
      (await call(a.tokens.operator, 'POST', '/sessions/sess-nope/archive')).status,
      404,
    );
  });

  test('runs filter by status, lane, session and search', async () => {
    const all = (await call(a.tokens.viewer, 'GET', '/runs')).body.runs as Array<{
      id: string;
      status: string;
      title: string;
    }>;
    const ok = (await call(a.tokens.viewer, 'GET', '/runs?status=succeeded')).body.runs as Array<{
      status: string;
    }>;
    assert.ok(ok.length >= 2 && ok.every((r) => r.status === 'succeeded'));
    const q = (await call(a.tokens.viewer, 'GET', '/runs?q=Flaky')).body.runs as Array<{
      title: string;
    }>;
    assert.deepEqual(
      q.map((r) => r.title),
      ['Task 1.2: Flaky'],
    );
    const intent = (await call(a.tokens.viewer, 'GET', '/runs?q=say%20hello')).body
      .runs as unknown[];
    assert.equal(intent.length, 1, 'search reaches the intent');
    assert.deepEqual((await call(a.tokens.viewer, 'GET', '/runs?lane=nope')).body.runs, []);
    assert.equal((await call(a.tokens.viewer, 'GET', '/runs?status=exploded')).status, 400);
    assert.ok(all.length >= 4);
  });

  test('run targets list the plan, its phases and tasks with their step counts', async () => {
    const r = await call(a.tokens.viewer, 'GET', `/targets?plan=${planId}`);
    const targets = r.body.targets as Array<{ ref: string; kind: string; steps: number }>;
    assert.deepEqual(
      targets.map((t) => [t.kind, t.steps]),
      [
        ['plan', 3],
        ['phase', 3],
        ['task', 1],
        ['task', 1],
        ['task', 1],
      ],
    );
    assert.equal(targets[0]!.ref, planId);
  });

  test('unknown IDs are 404; ambiguous or malformed ones 400', async () => {
    assert.equal((await call(a.tokens.viewer, 'GET', '/runs/run-00000000')).status, 404);
    assert.equal((await call(a.tokens.viewer, 'GET', '/runs/run-00000000/logs')).status, 404);
    assert.equal((await call(a.tokens.viewer, 'GET', '/steps/run-00000000.1')).status, 404);
    const before = await head();
    for (const path of ['/steps/run-00000000.1/approve', '/runs/run-00000000/cancel']) {
      assert.equal((await call(a.tokens.admin, 'POST', path)).status, 404, path);
    }
    assert.equal(
      (await call(a.tokens.admin, 'POST', '/runs', { target: 'no-such-thing' })).status,
      404,
    );
    assert.equal(await head(), before);
  });
});

describe('artifacts', () => {
  test('served by digest with their content type and nosniff; HTML is a download', async () => {
    const { run } = await startRun(a.ws, {
      steps: [
        {
          title: 'make files',
          tool: 'shell',
          input:
            'echo \'{"ok":true}\' > report.json && echo "<script>alert(1)</script>" > page.html',
          outputs: ['report.json', 'page.html'],
          trustedBy: 'cli:test',
        },
      ],
      actor: 'cli:test',
    });
    await waitForRun(a.ws, run.id, { until: 'finished' });
    const view = await runOf(run.id);
    const arts = (view as unknown as { artifacts: Array<{ path: string; sha256: string }> })
      .artifacts;
    assert.deepEqual(arts.map((x) => x.path).sort(), ['page.html', 'report.json']);
    const json = arts.find((x) => x.path === 'report.json')!;
    const r = await call(a.tokens.viewer, 'GET', `/artifacts/${json.sha256}`);
    assert.equal(r.status, 200);
    assert.equal(r.res.headers.get('content-type'), 'application/json');
    assert.equal(r.res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(r.body.ok, true);
    const html = arts.find((x) => x.path === 'page.html')!;
    const h = await call(a.tokens.viewer, 'GET', `/artifacts/${html.sha256}`);
    assert.match(h.res.headers.get('content-disposition') ?? '', /^attachment/u);
    assert.match(h.res.headers.get('content-security-policy') ?? '', /sandbox/u);
    assert.equal((await call(null, 'GET', `/artifacts/${json.sha256}`)).status, 401);
    assert.equal((await call(b.tokens.admin, 'GET', `/artifacts/${json.sha256}`)).status, 401);
    assert.equal(
      (await call(b.tokens.admin, 'GET', `/artifacts/${json.sha256}`, undefined, b)).status,
      404,
      'another workspace does not hold it',
    );
  });

  test('only 64 hex digits name an artifact: traversal is impossible', async () => {
    for (const path of [
      '/artifacts/..%2f..%2f.pulser%2fpulser.db',
      '/artifacts/..%2F..%2Fpulser.db',
      '/artifacts/%2e%2e%2f%2e%2e%2fpulser.db',
      '/artifacts/../pulser.db',
      `/artifacts/${'A'.repeat(64)}`,
      `/artifacts/${'a'.repeat(63)}`,
      `/artifacts/${'a'.repeat(64)}%2f..`,
      `/artifacts/${'a'.repeat(64)}/../../pulser.db`,
      '/artifacts/pulser.db',
      '/runs/..%2f..%2f.pulser%2fpulser.db/logs',
      '/runs/%2e%2e/logs',
      '/runs/..%5c..%5cpulser.db/logs',
      '/runs/run-1%00/logs',
    ]) {
      const r = await call(a.tokens.admin, 'GET', path);
      assert.ok([400, 404].includes(r.status), `${path}: ${r.status}`);
      assert.doesNotMatch(await r.res.text(), /SQLite format|root:/u, path);
    }
    assert.equal((await call(a.tokens.admin, 'GET', `/artifacts/${'a'.repeat(64)}`)).status, 404);
  });
});

describe('bodies on runtime routes', () => {
  test('oversized, malformed and mistyped bodies are refused; nothing changed', async () => {
    const cases: ReadonlyArray<readonly [string, unknown, number]> = [
      ['/runs', JSON.stringify({ target: 'x'.repeat(70_000) }), 413],
      ['/runs', '{"target": ', 400],
      ['/runs', '[1]', 400],
      ['/runs', { target: 42 }, 400],
      ['/runs', { target: planId, lane: 'bad lane!' }, 400],
      ['/runs', { target: planId, session: 'a', newSession: 'b' }, 400],
      ['/runs', { target: planId, ignoreDependencies: 'yes' }, 400],
      ['/trust', { planId, sha256: planSha.toUpperCase(), commands: planSha }, 400],
      ['/steps/x.1/resolve', {}, 400],
      ['/steps/x.1/approve', { note: 'n'.repeat(5000) }, 400],
      ['/steps/x.1/approve', { note: 7 }, 400],
      ['/sessions/x/archive', { archived: 1 }, 400],
    ];
    for (const [path, body, status] of cases) {
      const before = await head();
      const r = await call(a.tokens.admin, 'POST', path, body);
      assert.equal(r.status, status, `${path} ${JSON.stringify(body).slice(0, 60)}`);
      assert.ok(r.body.error !== undefined);
      assert.equal(await head(), before);
    }
    const before = await head();
    const res = await app.request(`/api/w/${a.tenant.id}/runs`, {
      method: 'POST',
      headers: {
        host: 'pulser.test',
        authorization: `Bearer ${a.tokens.admin}`,
        'content-type': 'text/plain',
      },
      body: JSON.stringify({ target: planId }),
    });
    assert.equal(res.status, 415);
    assert.equal(await head(), before);
  });
});
