/**
 * The gate routes through the app's in-process request function: gates and metrics read from
 * the ledger, signoffs and measured values with roles enforced and recorded as the caller,
 * checks that never run an untrusted command, and failing gates in the inbox.
 */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FailingGate, PlanGates } from '../workspace/gates/gate-views.js';
import { importPlan } from '../workspace/plans/import-plan.js';
import type { VerdictTable } from '../workspace/checks/verdict-table.js';
import { testApp, testWorkspace, withToken, type TestWorkspace } from './test-helpers.js';

let a: TestWorkspace;
let b: TestWorkspace;
let app: ReturnType<typeof testApp>;
let planId = '';
let criterion = '';
let metric = '';

type Body = Record<string, unknown> & { error?: { code: string; message: string } };

async function call(
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Body }> {
  const res = await app.request(`/api/w/${a.tenant.id}${path}`, withToken(token, method, body));
  const text = await res.text();
  return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Body) };
}

async function head(): Promise<string> {
  return JSON.stringify(await a.ws.store.events.head());
}

async function gates(): Promise<PlanGates> {
  const r = await call(a.tokens.viewer, 'GET', `/gates?plan=${planId}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return (r.body.plans as PlanGates[])[0]!;
}

async function failing(): Promise<FailingGate[]> {
  const r = await call(a.tokens.viewer, 'GET', '/inbox');
  assert.equal(r.status, 200);
  return r.body.failingGates as FailingGate[];
}

const signoffPath = () => `/gates/${planId}:${criterion}/signoff`;

before(async () => {
  a = await testWorkspace('alpha');
  b = await testWorkspace('beta');
  app = testApp([a.tenant, b.tenant]);
  const { stored } = await importPlan(a.ws, join(a.root, 'PLAN.md'), 'cli:test');
  planId = stored.id;
  await importPlan(b.ws, join(b.root, 'PLAN.md'), 'cli:test');
});
after(async () => {
  await a.done();
  await b.done();
});

describe('gate routes', () => {
  test('gates, criteria and metrics come from the ledger; nothing is decided before a check', async () => {
    const plan = await gates();
    assert.deepEqual(
      plan.gates.map((g) => [g.phaseId, g.status, g.decided]),
      [
        ['phase-1', 'unchecked', null],
        ['phase-2', 'unchecked', null],
      ],
    );
    const c = plan.criteria.find((x) => x.text === 'CI is green on main')!;
    criterion = c.id;
    assert.equal(c.phaseId, 'phase-1');
    assert.equal(c.verifier?.kind, 'manual');
    assert.equal(c.verdict, null);
    assert.deepEqual(c.action, {
      kind: 'signoff',
      command: `pulser signoff ${planId}:${criterion} --reason "..."`,
    });
    const m = plan.metrics.find((x) => x.name === 'p99 latency')!;
    metric = m.id;
    assert.deepEqual([m.target, m.latest, m.trend], ['< 50 ms', null, null]);
    assert.deepEqual(await failing(), [], 'nothing was decided, so nothing fails yet');
    assert.equal((await call(a.tokens.viewer, 'GET', '/gates?plan=nope')).status, 404);
    assert.equal((await call(a.tokens.viewer, 'GET', '/gates?plan=..')).status, 400);
  });

  test('POST /check: operators decide the gates, recorded as them; viewers and strangers cannot', async () => {
    const before = await head();
    const target = { target: `${planId}:phase-1` };
    assert.equal((await call(a.tokens.viewer, 'POST', '/check', target)).status, 403);
    assert.equal((await call(null, 'POST', '/check', target)).status, 401);
    const cross = await app.request(
      `/api/w/${a.tenant.id}/check`,
      withToken(b.tokens.admin, 'POST', target),
    );
    assert.equal(cross.status, 401);
    assert.equal(
      (await call(a.tokens.operator, 'POST', '/check', { ...target, trustUnsafely: true })).status,
      400,
    );
    assert.equal((await call(a.tokens.operator, 'POST', '/check', {})).status, 400);
    assert.equal(
      (await call(a.tokens.operator, 'POST', '/check', { target: `${planId}:phase-9` })).status,
      404,
    );
    assert.equal(await head(), before, 'refused calls change nothing');

    const r = await call(a.tokens.operator, 'POST', '/check', target);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const table = r.body as unknown as VerdictTable;
    assert.deepEqual(
      table.gates.map((g) => [g.phaseId, g.status, g.blocking.map((x) => x.target)]),
      [['phase-1', 'pending', [criterion]]],
    );
    assert.deepEqual(
      table.verdicts.map((v) => [v.id, v.verifier, v.status]),
      [[criterion, 'manual', 'pending']],
    );
    const decided = await a.ws.store.events.read({ types: ['gate.decided'] });
    assert.deepEqual(
      decided.map((e) => e.actor),
      ['user:operator-user'],
    );
  });

  test('a gate decided and not passing shows in the inbox with what blocks it', async () => {
    const [g, ...rest] = await failing();
    assert.deepEqual(rest, []);
    assert.equal(g?.phaseId, 'phase-1');
    assert.equal(g?.status, 'pending');
    assert.equal(g?.planTitle, 'Launch Plan');
    assert.deepEqual(
      g?.blocking.map((x) => [x.target, x.status, x.action.kind]),
      [[criterion, 'pending', 'signoff']],
    );
    assert.equal(g?.check, `pulser check ${planId}:phase-1`);
    const plan = await gates();
    assert.equal(plan.gates[0]?.decided?.by, 'user:operator-user');
  });

  test('sign-off: only approvers; bad IDs and bodies refused; nothing changed by a refusal', async () => {
    const before = await head();
    const body = { reason: 'the main build is green' };
    assert.equal((await call(a.tokens.viewer, 'POST', signoffPath(), body)).status, 403);
    assert.equal((await call(a.tokens.operator, 'POST', signoffPath(), body)).status, 403);
    assert.equal((await call(null, 'POST', signoffPath(), body)).status, 401);
    const cross = await app.request(
      `/api/w/${a.tenant.id}${signoffPath()}`,
      withToken(b.tokens.admin, 'POST', body),
    );
    assert.equal(cross.status, 401);
    const approver = a.tokens.approver;
    assert.equal((await call(approver, 'POST', signoffPath(), {})).status, 400, 'no reason');
    assert.equal(
      (await call(approver, 'POST', signoffPath(), { ...body, verdict: 'maybe' })).status,
      400,
    );
    assert.equal(
      (await call(approver, 'POST', signoffPath(), { ...body, trustUnsafely: true })).status,
      400,
    );
    const missing = await call(
      approver,
      'POST',
      `/gates/${planId}:phase-1/exit/nope/signoff`,
      body,
    );
    assert.equal(missing.status, 404);
    const phase = await call(approver, 'POST', `/gates/${planId}:phase-1/signoff`, body);
    assert.equal(phase.status, 400);
    assert.match(phase.body.error?.message ?? '', /is a phase, not a criterion/u);
    const traversal = await call(approver, 'POST', '/gates/%2e%2e/%2e%2e/etc/passwd/signoff', body);
    assert.ok([400, 404].includes(traversal.status), String(traversal.status));
    assert.equal(await head(), before);
  });

  test('an approver signs a criterion off: the gate is re-decided and passes, recorded as them', async () => {
    const r = await call(a.tokens.approver, 'POST', signoffPath(), {
      note: 'the main build is green',
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const signed = r.body.signoff as { by: string; verdict: string; reason: string };
    assert.deepEqual(
      [signed.by, signed.verdict, signed.reason],
      ['approver-user', 'pass', 'the main build is green'],
    );
    const gate = r.body.gate as { status: string; blocking: unknown[] };
    assert.equal(gate.status, 'pass');
    assert.deepEqual(gate.blocking, []);
    const [event] = await a.ws.store.events.read({ types: ['criterion.signed_off'] });
    assert.equal(event?.actor, 'user:approver-user');
    const decided = await a.ws.store.events.read({ types: ['gate.decided'] });
    assert.deepEqual(
      decided.map((e) => [e.actor, (e.data as { status: string }).status]),
      [
        ['user:operator-user', 'pending'],
        ['user:approver-user', 'pass'],
      ],
    );
    const c = (await gates()).criteria.find((x) => x.id === criterion)!;
    assert.equal(c.verdict?.status, 'pass');
    assert.equal(c.verdict?.evidence['approver'] ?? c.verdict?.evidence['by'], 'approver-user');
    assert.equal(c.action, null);
    assert.deepEqual(await failing(), [], 'the passing gate left the inbox');
  });

  test('measured values: operators record them; the latest, who, when and the trend are shown', async () => {
    const path = `/metrics/${planId}:${metric}`;
    const before = await head();
    assert.equal((await call(a.tokens.viewer, 'POST', path, { value: '42 ms' })).status, 403);
    assert.equal((await call(a.tokens.operator, 'POST', path, {})).status, 400);
    assert.equal((await call(a.tokens.operator, 'POST', path, { value: 'fast' })).status, 400);
    assert.equal(
      (await call(a.tokens.operator, 'POST', `/metrics/${planId}:no-such-metric`, { value: 1 }))
        .status,
      404,
    );
    assert.equal(await head(), before);

    const first = await call(a.tokens.operator, 'POST', path, { value: '42 ms', note: 'k6 run' });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const m1 = first.body.metric as { latest: { raw: string; by: string; note: string } };
    assert.deepEqual(
      [m1.latest.raw, m1.latest.by, m1.latest.note],
      ['42 ms', 'user:operator-user', 'k6 run'],
    );
    const g1 = first.body.gates as Array<{ phaseId: string; status: string }>;
    assert.deepEqual(
      g1.map((g) => [g.phaseId, g.status]),
      [['phase-2', 'pass']],
    );
    const second = await call(a.tokens.operator, 'POST', path, { value: 70 });
    const m2 = second.body.metric as { trend: string; verdict: { status: string } };
    assert.deepEqual([m2.trend, m2.verdict.status], ['up', 'fail']);
    const list = await call(a.tokens.viewer, 'GET', `/metrics?plan=${planId}`);
    const shown = (list.body.metrics as Array<{ id: string; history: Array<{ raw: string }> }>)
      .find((x) => x.id === metric)!
      .history.map((h) => h.raw);
    assert.deepEqual(shown, ['42 ms', '70']);
    const [g] = await failing();
    assert.equal(g?.phaseId, 'phase-2');
    assert.deepEqual(
      g?.blocking.map((x) => [x.target, x.status, x.action.kind]),
      [[metric, 'fail', 'metric']],
    );
  });

  test('a check never runs a command nobody trusted', async () => {
    writeFileSync(
      join(a.root, 'verify.md'),
      '# Verified\n\n## Phase 1: Ship\n\n**Exit criteria:**\n\n- [ ] Tests pass <!-- verify: command `touch pwned` -->\n',
    );
    const { stored } = await importPlan(a.ws, join(a.root, 'verify.md'), 'cli:test');
    const r = await call(a.tokens.admin, 'POST', '/check', { target: stored.id });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const table = r.body as unknown as VerdictTable;
    assert.deepEqual(
      table.verdicts.map((v) => v.verifier),
      ['command'],
    );
    assert.notEqual(table.verdicts[0]?.status, 'pass');
    assert.notEqual(table.gates[0]?.status, 'pass');
    assert.ok(!existsSync(join(a.root, 'pwned')), 'the untrusted command did not run');
  });
});
