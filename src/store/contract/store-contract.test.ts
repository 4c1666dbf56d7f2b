/**
 * The store contract (docs/store.md), run against every backend of `backends.ts`: claims with
 * one winner across processes, fencing, lane limits and rate buckets under concurrent writers,
 * one hash chain from several writers, ID allocation, transactions and subscriptions.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { compilePlan } from '../../compile/index.js';
import { GENESIS_HASH, eventDigestRaw } from '../../util/chain.js';
import { ManualClock } from '../clock.js';
import type { ClaimInput, NewStep, StepSpec } from '../run-store.js';
import type { Store } from '../store.js';
import { storeBackends, type StoreBackendFactory } from './backends.js';

const CHILD = fileURLToPath(new URL('./contract-child.js', import.meta.url));
const RACERS = 4;

function step(title: string, extra: Partial<StepSpec> = {}): NewStep {
  return {
    spec: { title, tool: 'noop', input: title, ...extra },
    lane: extra.lane ?? 'main',
    after: [],
  };
}

function claimInput(worker: string, extra: Partial<ClaimInput> = {}): ClaimInput {
  return { worker, leaseMs: 60_000, limit: 10, maxLeaseLosses: 5, ...extra };
}

/**
 * Starts `args.length` child processes, each with its own connection, waits until every one is
 * ready, releases them at once, and returns what each one did.
 */
async function race<T>(
  backend: StoreBackendFactory,
  location: string,
  op: string,
  args: ReadonlyArray<unknown>,
): Promise<T[]> {
  const children = args.map((arg) =>
    spawn(process.execPath, [CHILD, backend.name, location, op, JSON.stringify(arg)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  const lines = children.map((child) => {
    const queue: string[] = [];
    const waiting: Array<(line: string) => void> = [];
    createInterface({ input: child.stdout }).on('line', (line) => {
      const w = waiting.shift();
      if (w === undefined) queue.push(line);
      else w(line);
    });
    return (): Promise<string> =>
      new Promise((resolve, reject) => {
        const q = queue.shift();
        if (q !== undefined) resolve(q);
        else {
          waiting.push(resolve);
          child.once('exit', (code) =>
            reject(new Error(`child exited (${code}) before answering`)),
          );
        }
      });
  });
  const exited = children.map(
    (c: ChildProcess) => new Promise<void>((resolve) => c.once('exit', () => resolve())),
  );
  for (const next of lines) assert.equal(await next(), 'ready');
  for (const c of children) c.stdin.write('go\n');
  const out: T[] = [];
  for (const next of lines) {
    const answer = JSON.parse(await next()) as { result?: T; error?: string };
    assert.equal(answer.error, undefined, `a racer failed: ${answer.error}`);
    out.push(answer.result as T);
  }
  await Promise.all(exited);
  return out;
}

/** Problems of the hash chain (empty when it is one unbroken total order). */
async function chainProblems(store: Store): Promise<string[]> {
  const problems: string[] = [];
  let prev = { seq: 0, hash: GENESIS_HASH };
  for await (const batch of store.ledger.scanRaw()) {
    for (const e of batch) {
      if (e.seq !== prev.seq + 1) problems.push(`seq ${e.seq} follows ${prev.seq}`);
      if (e.prevHash !== prev.hash) problems.push(`event ${e.seq} does not chain to ${prev.seq}`);
      const hash = eventDigestRaw(
        e.prevHash,
        { seq: e.seq, ts: e.ts, type: e.type, actor: e.actor, subject: e.subject },
        e.dataJson,
      );
      if (hash !== e.hash) problems.push(`event ${e.seq} has a wrong hash`);
      prev = { seq: e.seq, hash: e.hash };
    }
  }
  return problems;
}

for (const backend of storeBackends) {
  describe(`store contract: ${backend.name}`, async () => {
    const unavailable = await backend.unavailable();
    if (unavailable !== null && process.env.CI === 'true') {
      throw new Error(`the ${backend.name} backend cannot run here: ${unavailable}`);
    }
    const skip = unavailable ?? false;
    const has = (part: Parameters<typeof backend.parts.has>[0]) =>
      skip !== false ? skip : backend.parts.has(part) ? false : `${backend.name} has no ${part}`;
    let location = '';
    let store: Store;
    const clock = new ManualClock(Date.now());
    before(async () => {
      if (skip !== false) return;
      location = await backend.create();
      store = await backend.open(location, { clock });
    });
    after(async () => {
      if (skip !== false) return;
      assert.deepEqual(await chainProblems(store), []);
      await store.close();
      await backend.destroy(location);
    });

    const create = (s: Store, steps: NewStep[]) =>
      s.runs.createRun({ title: 't', lane: 'main', target: null, requestedBy: 'cli:ana', steps });

    it('N connections race for one step: exactly one wins it', { skip: has('runs') }, async () => {
      const { run } = await create(store, [step('only')]);
      const results = await race<{ leases: unknown[] }>(
        backend,
        location,
        'claim',
        Array.from({ length: RACERS }, (_, i) =>
          claimInput(`worker:r${i}`, { runs: [run.id], start: true }),
        ),
      );
      assert.equal(
        results.reduce((n, r) => n + r.leases.length, 0),
        1,
      );
      const events = await store.runs.runEvents(run.id);
      assert.equal(events.filter((e) => e.type === 'step.leased').length, 1);
      assert.equal((await store.runs.listSteps(run.id))[0]!.state, 'running');
    });

    it(
      'fencing: the stale holder of a lease taken over cannot write',
      { skip: has('runs') },
      async () => {
        const other = await backend.open(location, { clock });
        try {
          const { run } = await create(store, [step('fenced')]);
          const a = await store.runs.claim(
            claimInput('worker:A', { runs: [run.id], leaseMs: 1000, start: true }),
          );
          const leaseA = a.leases[0]!;
          clock.advance(1001);
          const b = await other.runs.claim(claimInput('worker:B', { runs: [run.id], start: true }));
          assert.equal(b.reclaimed, 1);
          const leaseB = b.leases[0]!;
          assert.ok(leaseB.fence > leaseA.fence);
          const ok = { kind: 'succeeded', exitCode: 0 } as const;
          assert.deepEqual(
            await store.runs.apply([
              { kind: 'heartbeat', lease: leaseA, worker: 'worker:A', leaseMs: 1000 },
              { kind: 'finish', lease: leaseA, worker: 'worker:A', outcome: ok },
            ]),
            [
              { ok: false, reason: 'stale' },
              { ok: false, reason: 'stale' },
            ],
          );
          assert.deepEqual(
            await other.runs.apply([
              { kind: 'finish', lease: leaseB, worker: 'worker:B', outcome: ok },
            ]),
            [{ ok: true }],
          );
          const events = await store.runs.runEvents(run.id);
          assert.equal(events.filter((e) => e.type === 'step.succeeded').length, 1);
          assert.equal(events.filter((e) => e.type === 'worker.fenced').length, 2);
          assert.equal((await store.runs.getRun(run.id))!.status, 'succeeded');
        } finally {
          await other.close();
        }
      },
    );

    it('a lane limit holds under concurrent claimers', { skip: has('runs') }, async () => {
      const { run } = await create(
        store,
        Array.from({ length: 6 }, (_, i) => step(`l${i}`, { lane: 'narrow' })),
      );
      const results = await race<{ leases: unknown[] }>(
        backend,
        location,
        'claim',
        Array.from({ length: RACERS }, (_, i) =>
          claimInput(`worker:l${i}`, { runs: [run.id], laneLimits: { narrow: 2 } }),
        ),
      );
      assert.equal(
        results.reduce((n, r) => n + r.leases.length, 0),
        2,
      );
      const steps = await store.runs.listSteps(run.id);
      assert.equal(steps.filter((s) => s.state === 'leased').length, 2);
    });

    it('a rate bucket holds under concurrent claimers', { skip: has('runs') }, async () => {
      const { run } = await create(
        store,
        Array.from({ length: 6 }, (_, i) => step(`b${i}`)),
      );
      // One token per 1000 s: no refill during the race.
      const rateLimits = { noop: { perSecond: 0.001, burst: 3 } };
      const results = await race<{ leases: unknown[] }>(
        backend,
        location,
        'claim',
        Array.from({ length: RACERS }, (_, i) =>
          claimInput(`worker:b${i}`, { runs: [run.id], rateLimits }),
        ),
      );
      assert.equal(
        results.reduce((n, r) => n + r.leases.length, 0),
        3,
      );
    });

    it('appends from several processes form one hash chain', { skip: has('events') }, async () => {
      const before = (await store.events.head()).seq;
      const results = await race<number[]>(
        backend,
        location,
        'append',
        Array.from({ length: RACERS }, (_, i) => ({ count: 25, actor: `cli:p${i}` })),
      );
      const seqs = results.flat().sort((x, y) => x - y);
      assert.equal(new Set(seqs).size, 25 * RACERS);
      assert.equal((await store.events.head()).seq, before + 25 * RACERS);
      assert.deepEqual(await chainProblems(store), []);
    });

    it(
      'allocates distinct run IDs and run numbers across processes',
      { skip: has('runs') },
      async () => {
        const session = (await create(store, [step('s')])).run.sessionId;
        const before = (await store.runs.listRuns({ session, limit: 1000 })).length;
        const results = await race<string[]>(
          backend,
          location,
          'create-runs',
          Array.from({ length: RACERS }, (_, i) => ({ count: 8, actor: `cli:c${i}`, session })),
        );
        const ids = results.flat();
        assert.equal(new Set(ids).size, 8 * RACERS);
        const runs = await store.runs.listRuns({ session, limit: 1000 });
        assert.equal(runs.length, before + 8 * RACERS);
        // Listed by run number: each run exactly once (the numbers are distinct).
        const listed = runs.map((r) => r.id);
        assert.equal(new Set(listed).size, listed.length);
        for (const id of ids) assert.ok(listed.includes(id), `run ${id} is listed`);
        const steps = await Promise.all(ids.map((id) => store.runs.listSteps(id)));
        assert.equal(new Set(steps.flat().map((s) => s.id)).size, 8 * RACERS);
      },
    );

    it(
      'N processes race for one task: exactly one agent wins it',
      { skip: has('claims') },
      async () => {
        const text = '# P\n\n## Phase 1\n\n### Task A\n\n- [ ] a\n';
        const plan = compilePlan(Buffer.from(text), { path: 'p.md' }).plan!;
        const { stored } = await store.plans.save({
          suggestedId: 'p',
          path: 'p.md',
          plan,
          actor: 'test',
        });
        const input = (agent: string) => ({
          planId: stored.id,
          taskId: 'phase-1/task-a',
          agent,
          leaseMs: 60_000,
        });
        const results = await race<{ ok: boolean }>(
          backend,
          location,
          'task-claim',
          Array.from({ length: RACERS }, (_, i) => input(`agent:a${i}`)),
        );
        assert.equal(results.filter((r) => r.ok).length, 1);
      },
    );

    it(
      'a transaction commits all its writes or none, and others wait for it',
      { skip: has('events') },
      async () => {
        const head = (await store.events.head()).seq;
        const ping = (i: number) => ({
          type: 'agent.call',
          actor: 'cli:ana',
          subject: null,
          data: { tool: 'tx', arguments: { i }, outcome: 'ok' as const },
        });
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.events.append(ping(1));
            await tx.events.append(ping(2));
            assert.equal((await tx.events.head()).seq, head + 2); // it reads its own writes
            throw new Error('changed my mind');
          }),
          /changed my mind/u,
        );
        assert.equal((await store.events.head()).seq, head);
        const order: string[] = [];
        let inside!: () => void;
        const entered = new Promise<void>((r) => (inside = r));
        const tx = store.transaction(async (t) => {
          await t.events.append(ping(3));
          inside();
          await new Promise((r) => setTimeout(r, 20));
          await t.events.append(ping(4));
          order.push('tx');
        });
        await entered;
        const outside = store.events.append(ping(5)).then((e) => (order.push('outside'), e));
        await tx;
        const last = await outside;
        assert.deepEqual(order, ['tx', 'outside']);
        assert.equal(last.seq, head + 3);
        const types = (await store.events.read({ after: head })).map(
          (e) => (e.data as { arguments: { i: number } }).arguments.i,
        );
        assert.deepEqual(types, [3, 4, 5]);
      },
    );

    it(
      'subscribers hear of another connection’s new events and work',
      { skip: has('subscribe') },
      async () => {
        const other = await backend.open(location, { clock });
        let heard = 0;
        let work = 0;
        let wake!: () => void;
        const both = new Promise<void>((r) => (wake = r));
        const off = store.subscribe(
          {
            onEvents: (head) => {
              heard = head;
              if (work > 0) wake();
            },
            onWork: () => {
              work++;
              if (heard > 0) wake();
            },
          },
          { pollMs: 1000 },
        );
        try {
          // Without a run store, any event another connection commits is the hint under test.
          if (backend.parts.has('runs')) await create(other, [step('new work')]);
          else {
            await other.events.append({
              type: 'agent.call',
              actor: 'cli:ana',
              subject: null,
              data: { tool: 'work', arguments: {}, outcome: 'ok' },
            });
          }
          // The store's watch and poll do not keep a process alive: this test does, meanwhile.
          const alive = setInterval(() => undefined, 1000);
          await both.finally(() => clearInterval(alive));
          assert.equal(heard, (await other.events.head()).seq);
        } finally {
          off();
          await other.close();
        }
      },
    );
  });
}
