import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../clock.js';
import type { ClaimInput, Lease, NewStep, StepSpec } from '../run-store.js';
import {
  allEvents,
  chainProblems,
  replayProblems,
  runWorkspace,
} from '../../workspace/runs/run-test-helpers.js';
import type { Workspace } from '../../workspace/open.js';
import { SqliteDb } from './database.js';
import type { SqliteStore } from './index.js';

function step(title: string, extra: Partial<StepSpec> = {}, after: number[] = []): NewStep {
  const spec: StepSpec = { title, tool: 'noop', input: title, ...extra };
  return {
    spec,
    lane: spec.lane ?? 'main',
    after,
  };
}

function claimInput(worker: string, extra: Partial<ClaimInput> = {}): ClaimInput {
  return { worker, leaseMs: 1000, limit: 10, maxLeaseLosses: 5, ...extra };
}

describe('SQLite run store: the state machine', () => {
  const clock = new ManualClock();
  let ws: Workspace;
  let done: () => Promise<void>;
  before(async () => {
    ({ ws, done } = await runWorkspace({ clock }));
  });
  after(async () => {
    assert.deepEqual(chainProblems(await allEvents(ws)), []);
    assert.deepEqual(await replayProblems(ws), []);
    assert.deepEqual(await ws.store.integrityCheck(), []);
    await done();
  });

  const runs = () => ws.store.runs;
  const create = (steps: NewStep[], requestedBy = 'cli:ana') =>
    runs().createRun({ title: 't', lane: 'main', target: null, requestedBy, steps });
  const finishOk = (lease: Lease, worker: string) =>
    runs().apply([
      { kind: 'start', lease, worker },
      { kind: 'finish', lease, worker, outcome: { kind: 'succeeded', exitCode: 0 } },
    ]);

  it('rejects the writes of a worker whose lease expired and was taken over (fencing)', async () => {
    const { run } = await create([step('a')]);
    const a = await runs().claim(claimInput('worker:A', { runs: [run.id] }));
    assert.equal(a.leases.length, 1);
    const leaseA = a.leases[0]!;
    assert.deepEqual(await runs().apply([{ kind: 'start', lease: leaseA, worker: 'worker:A' }]), [
      { ok: true },
    ]);
    clock.advance(1001);
    const b = await runs().claim(claimInput('worker:B', { runs: [run.id] }));
    assert.equal(b.reclaimed, 1);
    const leaseB = b.leases[0]!;
    assert.ok(leaseB.fence > leaseA.fence);
    assert.equal(leaseB.attempt, 2);
    // A wakes up and reports success: rejected.
    const stale = await runs().apply([
      {
        kind: 'finish',
        lease: leaseA,
        worker: 'worker:A',
        outcome: { kind: 'succeeded', exitCode: 0 },
      },
    ]);
    assert.deepEqual(stale, [{ ok: false, reason: 'stale' }]);
    assert.deepEqual(await finishOk(leaseB, 'worker:B'), [{ ok: true }, { ok: true }]);
    const events = await runs().runEvents(run.id);
    const succeeded = events.filter((e) => e.type === 'step.succeeded');
    assert.equal(succeeded.length, 1);
    assert.equal(succeeded[0]!.actor, 'worker:B');
    const fenced = events.filter((e) => e.type === 'worker.fenced');
    assert.equal(fenced.length, 1);
    assert.equal(fenced[0]!.actor, 'worker:A');
    assert.equal((await runs().getRun(run.id))!.status, 'succeeded');
    assert.equal((await runs().getStep(leaseA.stepId))!.leaseLosses, 1);
  });

  it('honours dependencies, quarantines, and cancels dependents when a step is aborted', async () => {
    const { run, steps } = await create([step('a'), step('b', {}, [0]), step('c', {}, [1])]);
    assert.deepEqual(
      steps.map((s) => s.blocked),
      [0, 1, 1],
    );
    const c1 = await runs().claim(claimInput('worker:A', { runs: [run.id] }));
    assert.deepEqual(
      c1.leases.map((l) => l.stepId),
      [`${run.id}.1`],
    );
    const lease = c1.leases[0]!;
    await runs().apply([
      { kind: 'start', lease, worker: 'worker:A' },
      {
        kind: 'finish',
        lease,
        worker: 'worker:A',
        outcome: {
          kind: 'failed',
          exitCode: 2,
          signal: null,
          error: 'exited with code 2',
          retryable: false,
          retryDelayMs: null,
        },
      },
    ]);
    assert.equal((await runs().getStep(lease.stepId))!.state, 'quarantined');
    assert.equal((await runs().getRun(run.id))!.status, 'waiting');
    assert.equal((await runs().claim(claimInput('worker:A', { runs: [run.id] }))).leases.length, 0);
    await runs().resolve(lease.stepId, 'abort', 'cli:ana');
    const after = await runs().listSteps(run.id);
    assert.deepEqual(
      after.map((s) => s.state),
      ['failed', 'cancelled', 'cancelled'],
    );
    assert.equal((await runs().getRun(run.id))!.status, 'failed');
  });

  it('retries a failed run: reopens it and re-queues what failed and what it cancelled', async () => {
    const { run } = await create([step('a'), step('b', {}, [0])]);
    const lease = (await runs().claim(claimInput('worker:A', { runs: [run.id] }))).leases[0]!;
    await runs().apply([
      { kind: 'start', lease, worker: 'worker:A' },
      {
        kind: 'finish',
        lease,
        worker: 'worker:A',
        outcome: {
          kind: 'failed',
          exitCode: 1,
          signal: null,
          error: 'x',
          retryable: false,
          retryDelayMs: null,
        },
      },
    ]);
    await runs().resolve(lease.stepId, 'abort', 'cli:ana');
    assert.equal((await runs().getRun(run.id))!.status, 'failed');
    const retried = await runs().retry(run.id, 'cli:ana');
    assert.equal(retried.run.status, 'running');
    assert.equal(retried.run.finishedAt, null);
    assert.deepEqual(
      retried.steps.map((s) => [s.state, s.blocked]),
      [
        ['queued', 0],
        ['queued', 1],
      ],
    );
    for (let i = 0; i < 2; i++) {
      const l = (await runs().claim(claimInput('worker:A', { runs: [run.id] }))).leases[0]!;
      await finishOk(l, 'worker:A');
    }
    assert.equal((await runs().getRun(run.id))!.status, 'succeeded');
  });

  it('runs a fallback when a step fails for good; its dependents wait for the fallback', async () => {
    const { run } = await create([
      step('main', { fallback: { title: 'plan b', tool: 'noop', input: 'plan b' } }),
      step('after', {}, [0]),
    ]);
    const l1 = (await runs().claim(claimInput('worker:A', { runs: [run.id] }))).leases[0]!;
    assert.equal(l1.hasFallback, true);
    await runs().apply([
      { kind: 'start', lease: l1, worker: 'worker:A' },
      {
        kind: 'finish',
        lease: l1,
        worker: 'worker:A',
        outcome: {
          kind: 'failed',
          exitCode: 1,
          signal: null,
          error: 'x',
          retryable: false,
          retryDelayMs: null,
        },
      },
    ]);
    let steps = await runs().listSteps(run.id);
    assert.deepEqual(
      steps.map((s) => [s.title, s.state, s.blocked]),
      [
        ['main', 'failed', 0],
        ['after', 'queued', 1],
        ['plan b', 'queued', 0],
      ],
    );
    assert.equal(steps[2]!.fallbackOf, l1.stepId);
    const l2 = (await runs().claim(claimInput('worker:A', { runs: [run.id] }))).leases;
    assert.deepEqual(
      l2.map((l) => l.spec.title),
      ['plan b'],
    );
    await finishOk(l2[0]!, 'worker:A');
    const l3 = (await runs().claim(claimInput('worker:A', { runs: [run.id] }))).leases;
    assert.deepEqual(
      l3.map((l) => l.spec.title),
      ['after'],
    );
    await finishOk(l3[0]!, 'worker:A');
    steps = await runs().listSteps(run.id);
    assert.equal(steps[0]!.recoveredBy, steps[2]!.id);
    assert.equal((await runs().getRun(run.id))!.status, 'succeeded');
  });

  it('limits steps per lane across workers', async () => {
    const { run } = await create([
      step('a1', { lane: 'A' }),
      step('a2', { lane: 'A' }),
      step('b1', { lane: 'B' }),
    ]);
    const limits = { laneLimits: { A: 1 }, runs: [run.id] };
    const c1 = await runs().claim(claimInput('worker:A', limits));
    assert.deepEqual(c1.leases.map((l) => l.spec.title).sort(), ['a1', 'b1']);
    const c2 = await runs().claim(claimInput('worker:B', limits));
    assert.equal(c2.leases.length, 0);
    for (const l of c1.leases) await finishOk(l, 'worker:A');
    const c3 = await runs().claim(claimInput('worker:B', limits));
    assert.deepEqual(
      c3.leases.map((l) => l.spec.title),
      ['a2'],
    );
    await finishOk(c3.leases[0]!, 'worker:B');
  });

  it('shares a token bucket per tool between workers (injectable clock)', async () => {
    const { run } = await create([step('r1'), step('r2'), step('r3')]);
    const rate = { rateLimits: { noop: { perSecond: 2, burst: 1 } }, runs: [run.id] };
    const c1 = await runs().claim(claimInput('worker:A', rate));
    assert.equal(c1.leases.length, 1);
    const c2 = await runs().claim(claimInput('worker:B', rate));
    assert.equal(c2.leases.length, 0);
    assert.equal(c2.nextAt, clock.now() + 500);
    clock.advance(499);
    assert.equal((await runs().claim(claimInput('worker:B', rate))).leases.length, 0);
    clock.advance(1);
    const c3 = await runs().claim(claimInput('worker:B', rate));
    assert.equal(c3.leases.length, 1);
    clock.advance(5000);
    const c4 = await runs().claim(claimInput('worker:B', rate));
    assert.equal(c4.leases.length, 1, 'the bucket holds at most `burst` tokens');
    for (const l of [...c1.leases, ...c3.leases, ...c4.leases]) await finishOk(l, 'worker:A');
  });

  it('parks steps nobody trusts, and never lets an agent approve its own run', async () => {
    const shell = (title: string): NewStep => ({
      spec: { title, tool: 'shell', input: 'true' },
      lane: 'main',
      after: [],
    });
    const { run, steps } = await create([shell('s')], 'agent:bot');
    assert.equal(steps[0]!.state, 'awaiting_approval');
    assert.equal(steps[0]!.approvalReason, 'untrusted');
    assert.equal((await runs().getRun(run.id))!.status, 'waiting');
    assert.equal((await runs().claim(claimInput('worker:A', { runs: [run.id] }))).leases.length, 0);
    await assert.rejects(runs().approve(steps[0]!.id, 'agent:bot'), { code: 'E_TRUST' });
    const approved = await runs().approve(steps[0]!.id, 'user:dana', 'looked at it');
    assert.equal(approved.state, 'queued');
    assert.equal(approved.authority, 'approved');
    await runs().cancelRun(run.id, 'user:dana');
    assert.equal((await runs().getRun(run.id))!.status, 'cancelled');
  });

  it('an approval covers its execution and its automatic retries and lease takeovers, not a manual retry', async () => {
    const { run, steps } = await create([
      { spec: { title: 'x', tool: 'shell', input: 'exit 1' }, lane: 'main', after: [] },
    ]);
    const id = steps[0]!.id;
    await runs().approve(id, 'user:dana');
    const only = { runs: [run.id] };
    // First execution fails: an automatic retry keeps the approval.
    const l1 = (await runs().claim(claimInput('worker:A', only))).leases[0]!;
    const failed = {
      kind: 'failed',
      exitCode: 1,
      signal: null,
      error: 'exit 1',
      retryable: true,
      retryDelayMs: 10,
    } as const;
    await runs().apply([
      { kind: 'start', lease: l1, worker: 'worker:A' },
      { kind: 'finish', lease: l1, worker: 'worker:A', outcome: failed },
    ]);
    clock.advance(10);
    // Its worker dies: another takes the lease over, still under the same approval.
    const l2 = (await runs().claim(claimInput('worker:A', only))).leases[0]!;
    assert.equal(l2.stepId, id, 'the automatic retry runs under the approval');
    clock.advance(1001);
    const l3 = (await runs().claim(claimInput('worker:B', only))).leases[0]!;
    assert.equal(l3.stepId, id, 'a lease takeover runs under the approval');
    await runs().apply([{ kind: 'start', lease: l3, worker: 'worker:B' }]);
    await runs().cancelRun(run.id, 'user:dana');
    // A person's retry starts a new execution: it needs a new approval.
    const retried = await runs().retry(run.id, 'user:olga');
    assert.equal(retried.steps[0]!.state, 'awaiting_approval');
    assert.equal(retried.steps[0]!.authority, 'none');
    assert.equal((await runs().claim(claimInput('worker:A', only))).leases.length, 0);
    await runs().reject(id, 'user:dana', 'no');
    const again = await runs().retry(id, 'user:olga');
    assert.equal(again.steps[0]!.approvalReason, 'rejected');
    assert.equal((await runs().approve(id, 'user:dana')).authority, 'approved');
    await runs().cancelRun(run.id, 'user:dana');
  });

  it('cancelling a run makes the running worker’s result stale', async () => {
    const { run } = await create([step('long')]);
    const lease = (await runs().claim(claimInput('worker:A', { runs: [run.id] }))).leases[0]!;
    await runs().apply([{ kind: 'start', lease, worker: 'worker:A' }]);
    assert.equal((await runs().stillHeld([lease])).size, 1);
    await runs().cancelRun(run.id, 'cli:ana');
    assert.equal((await runs().stillHeld([lease])).size, 0);
    const r = await runs().apply([
      { kind: 'finish', lease, worker: 'worker:A', outcome: { kind: 'succeeded', exitCode: 0 } },
    ]);
    assert.deepEqual(r, [{ ok: false, reason: 'stale' }]);
    assert.equal((await runs().getRun(run.id))!.status, 'cancelled');
  });

  it('archives sessions and hides their runs unless asked', async () => {
    const { run } = await runs().createRun({
      title: 'in new session',
      lane: 'main',
      target: null,
      requestedBy: 'cli:ana',
      session: { title: 'experiments' },
      steps: [step('x')],
    });
    await runs().cancelRun(run.id, 'cli:ana');
    const session = run.sessionId;
    assert.ok((await runs().listRuns()).some((r) => r.id === run.id));
    await runs().archiveSession(session, true, 'cli:ana');
    assert.ok(!(await runs().listRuns()).some((r) => r.id === run.id));
    assert.ok((await runs().listRuns({ archived: true })).some((r) => r.id === run.id));
    assert.ok(!(await runs().listSessions()).some((s) => s.id === session));
    assert.ok(
      (await runs().listSessions({ archived: true })).some((s) => s.id === session && s.archived),
    );
    assert.ok(
      (await runs().listRuns({ q: 'new sess', archived: true })).some((r) => r.id === run.id),
    );
  });

  it('claims and starts in one transaction (start: true); a second start is rejected', async () => {
    const { run } = await create([step('a')]);
    const { leases } = await runs().claim(claimInput('worker:A', { runs: [run.id], start: true }));
    const lease = leases[0]!;
    assert.equal((await runs().getStep(lease.stepId))!.state, 'running');
    assert.equal((await runs().getRun(run.id))!.status, 'running');
    const types = (await runs().runEvents(run.id))
      .filter((e) => e.subject === lease.stepId)
      .map((e) => e.type);
    assert.deepEqual(types, ['step.queued', 'step.leased', 'step.started']);
    assert.deepEqual(await runs().apply([{ kind: 'start', lease, worker: 'worker:A' }]), [
      { ok: false, reason: 'stale' },
    ]);
    assert.deepEqual(
      await runs().apply([
        { kind: 'finish', lease, worker: 'worker:A', outcome: { kind: 'succeeded', exitCode: 0 } },
      ]),
      [{ ok: true }],
    );
    assert.equal((await runs().getRun(run.id))!.status, 'succeeded');
  });

  it('applies writes and claims the steps they unblock in one transaction (applyAndClaim)', async () => {
    const { run } = await create([step('a'), step('b', {}, [0])]);
    const input = claimInput('worker:A', { runs: [run.id], start: true });
    const a = (await runs().claim(input)).leases[0]!;
    const before = (await ws.store.events.head()).seq;
    const { results, claimed } = await runs().applyAndClaim(
      [
        {
          kind: 'finish',
          lease: a,
          worker: 'worker:A',
          outcome: { kind: 'succeeded', exitCode: 0 },
        },
      ],
      input,
    );
    assert.deepEqual(results, [{ ok: true }]);
    assert.deepEqual(
      claimed.leases.map((l) => l.stepId),
      [`${run.id}.2`],
    );
    const types = (await ws.store.events.read({ after: before })).map((e) => e.type);
    assert.deepEqual(types, ['step.succeeded', 'step.leased', 'step.started']);
  });

  it('chains events appended by two connections in turn (the head is re-read per transaction)', async () => {
    const mine = (ws.store as SqliteStore).db;
    const other = new SqliteDb(mine.db.name, { clock });
    other.setChainKey(mine.chainKey); // a second Pulser process of the same workspace
    try {
      for (let i = 0; i < 3; i++) {
        for (const db of [other, mine]) {
          db.tx(() => {
            for (const tool of ['ping', 'pong']) {
              const data = { tool, arguments: { i }, outcome: 'ok' };
              db.append({ type: 'agent.call', actor: 'cli:ana', subject: null, data });
            }
          });
        }
      }
    } finally {
      other.close();
    }
    assert.deepEqual(chainProblems(await allEvents(ws)), []);
  });
});
