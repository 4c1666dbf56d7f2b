import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { compilePlan } from '../../compile/index.js';
import { isPulserError } from '../../errors/index.js';
import { LedgerVerifier } from '../../ledger/verify.js';
import { ManualClock } from '../clock.js';
import { openSqliteStore } from '../sqlite/index.js';
import type { Store } from '../store.js';
import { safeInt } from './database.js';
import { PG_MIGRATIONS } from './migrations.js';
import { listenForEvents, openPostgresStore, type PostgresStore } from './index.js';
import { freshPgDatabase, freshPgWorkspace, pgUrl } from './test-helpers.js';
import { pgTest } from './test-helpers.js';

const pgt = await pgTest();

/** An event of a catalogued type (`agent.call`) carrying a test's data. */
const note = (tool: string, data: unknown) => ({ tool, arguments: data, outcome: 'ok' as const });
const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
const PLAN = '# P\n\n## Phase 1\n\n### Task A\n\n- [ ] a\n\n### Task B\n\n- [ ] b\n';
const plan = (): NonNullable<ReturnType<typeof compilePlan>['plan']> =>
  compilePlan(Buffer.from(PLAN), { path: 'p.md' }).plan!;

const opened: PostgresStore[] = [];
async function open(workspace: string, clock?: ManualClock): Promise<PostgresStore> {
  const store = await openPostgresStore(pgt.url(), {
    workspace,
    ...(clock === undefined ? {} : { clock }),
  });
  opened.push(store);
  return store;
}
after(async () => {
  for (const s of opened) await s.close().catch(() => undefined);
});

/** Runs a module script in `count` child processes started together; their stdout lines. */
async function children(count: number, script: string, args: string[]): Promise<string[]> {
  const runs = Array.from(
    { length: count },
    (_, i) =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(
          process.execPath,
          ['--input-type=module', '-e', script, ...args, String(i)],
          {
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.on('close', (code) =>
          code === 0 ? resolve(out.trim()) : reject(new Error(`child ${i} exited ${code}: ${err}`)),
        );
      }),
  );
  return Promise.all(runs);
}

/** Runs one statement on its own connection (closed even when it fails). */
async function sql<R extends pg.QueryResultRow>(url: string, text: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<R>(text)).rows;
  } finally {
    await client.end();
  }
}

/** The ledger verifier's verdict over the raw rows of a store. */
async function verify(store: Store): Promise<ReturnType<LedgerVerifier['finish']>> {
  const verifier = new LedgerVerifier([], new Map());
  for await (const batch of store.ledger.scanRaw()) for (const e of batch) verifier.addRaw(e);
  return verifier.finish();
}

pgt.test('migrations racing from several processes apply each version once', async () => {
  const db = await freshPgDatabase();
  try {
    const script = `
      import pg from 'pg';
      const { migrate } = await import(${JSON.stringify(here('./migrations.js'))});
      const pool = new pg.Pool({ connectionString: process.argv[1], options: '-c search_path=pulser' });
      const result = await migrate(pool);
      await pool.end();
      console.log(JSON.stringify(result.applied));`;
    const outs = await children(4, script, [db.url]);
    const applied = outs.flatMap((o) => JSON.parse(o) as number[]).sort((a, b) => a - b);
    assert.deepEqual(
      applied,
      PG_MIGRATIONS.map((m) => m.version),
      'every version applied by exactly one process',
    );
    const rows = await sql<{ version: number; n: string }>(
      db.url,
      'SELECT version, count(*) OVER (PARTITION BY version) AS n FROM pulser.schema_migrations',
    );
    assert.equal(rows.length, PG_MIGRATIONS.length);
    assert.ok(rows.every((r) => r.n === '1'));
  } finally {
    await db.drop();
  }
});

pgt.test('appends from several processes and connections form one verified chain', async () => {
  const store = await open('chain');
  const perChild = 40;
  const script = `
    const { openPostgresStore } = await import(${JSON.stringify(here('./index.js'))});
    const [url, who] = process.argv.slice(1);
    const store = await openPostgresStore(url, { workspace: 'chain' });
    await Promise.all(Array.from({ length: ${perChild} }, (_, n) =>
      store.events.append({ type: 'agent.call', actor: 'proc:' + who, subject: null, data: { tool: 'append', arguments: { n }, outcome: 'ok' } })));
    await store.close();`;
  // Four processes with a pool of four connections each, and this process too, all at once.
  const local = Promise.all(
    Array.from({ length: perChild }, (_, n) =>
      store.events.append({
        type: 'agent.call',
        actor: 'proc:local',
        subject: null,
        data: note('append', { n }),
      }),
    ),
  );
  await Promise.all([children(4, script, [pgt.url()]), local]);
  const verdict = await verify(store);
  assert.equal(verdict.ok, true, verdict.firstBad?.message);
  assert.equal(verdict.count, 5 * perChild);
  assert.deepEqual(await store.events.head(), verdict.head);
  const events = await store.events.read({ limit: 10_000 });
  for (const who of ['local', '0', '1', '2', '3']) {
    const mine = events.filter((e) => e.actor === `proc:${who}`);
    assert.equal(mine.length, perChild, `every append of proc:${who} is in the chain`);
  }
  // A changed byte anywhere is found by the same verification.
  await sql(
    pgt.url(),
    `UPDATE pulser.events SET data = replace(data, '"n":', '"n": ') WHERE workspace = 'chain' AND seq = 10`,
  );
  assert.equal((await verify(store)).firstBad?.code, 'hash_mismatch');
});

pgt.test('workspaces are tenants: own chains, own plans', async () => {
  const a = await open('tenant-a');
  const b = await open('tenant-b');
  await a.plans.save({ suggestedId: 'p', path: 'p.md', plan: plan(), actor: 'test' });
  assert.equal((await a.events.head()).seq, 1);
  assert.equal((await b.events.head()).seq, 0);
  assert.deepEqual(await b.plans.list(), []);
  await b.plans.save({ suggestedId: 'p', path: 'p.md', plan: plan(), actor: 'test' });
  assert.equal((await b.plans.get('p'))?.version, 1, 'b has its own plan p');
  assert.equal((await a.auth.tenant('x')) + (await b.auth.tenant('x')), 'tenant-atenant-b');
});

pgt.test('racing claims from several connections: exactly one winner', async () => {
  const stores = [await open('claims')];
  for (let i = 1; i < 6; i++) stores.push(await open('claims'));
  await stores[0]!.plans.save({ suggestedId: 'p', path: 'p.md', plan: plan(), actor: 'test' });
  const outcomes = await Promise.all(
    stores.map((s, i) =>
      s.claims.claim({
        planId: 'p',
        taskId: 'phase-1/task-a',
        agent: `agent:${i}`,
        leaseMs: 60_000,
      }),
    ),
  );
  const winners = outcomes.filter((o) => o.ok);
  assert.equal(winners.length, 1);
  const winner = winners[0]!.ok ? winners[0]!.claim.agent : '';
  for (const o of outcomes) if (!o.ok) assert.equal(o.holder.agent, winner);
  assert.equal((await stores[3]!.claims.get('p', 'phase-1/task-a'))?.agent, winner);
  const claimed = await stores[0]!.events.read({ types: ['task.*'] });
  assert.equal(claimed.length, 1);
  assert.equal((await verify(stores[0]!)).ok, true);
});

pgt.test('fencing: a holder whose lease passed cannot write after another took over', async () => {
  const clock = new ManualClock();
  const store = await open('fence', clock);
  await store.plans.save({ suggestedId: 'p', path: 'p.md', plan: plan(), actor: 'test' });
  const claim = (agent: string) =>
    store.claims.claim({ planId: 'p', taskId: 'phase-1/task-b', agent, leaseMs: 1000 });
  assert.ok((await claim('agent:a')).ok);
  clock.advance(1500);
  const b = await claim('agent:b');
  assert.ok(b.ok);
  const types = b.events.map((e) => `${e.type}:${(e.data as { reason?: string }).reason ?? ''}`);
  assert.deepEqual(types, ['task.released:expired', 'task.claimed:']);
  const stale = { planId: 'p', taskId: 'phase-1/task-b', agent: 'agent:a', leaseMs: 1000 };
  assert.equal(await store.claims.progress({ ...stale, note: 'late' }), null);
  assert.equal(await store.claims.release({ ...stale, reason: 'done' }), null);
  assert.equal((await store.claims.get('p', 'phase-1/task-b'))?.agent, 'agent:b');
  clock.advance(5000);
  assert.deepEqual(
    (await store.claims.expire()).map((c) => c.agent),
    ['agent:b'],
  );
  assert.equal(await store.claims.get('p', 'phase-1/task-b'), null);
});

pgt.test('64-bit values: safe integers round-trip, larger ones are refused', async () => {
  const store = await open('bigint');
  const big = Number.MAX_SAFE_INTEGER;
  assert.equal(
    await store.ledger.addCheckpoint({ seq: big, head: 'h', ts: 't', keyId: 'k', sig: 's' }),
    true,
  );
  assert.equal((await store.ledger.lastCheckpoint())?.seq, big);
  assert.equal(safeInt('9007199254740991', 'x'), big);
  assert.throws(() => safeInt('9007199254740993', 'event seq'), /beyond the 53-bit/);
  await sql(
    pgt.url(),
    `INSERT INTO pulser.checkpoints (workspace, seq, head, ts, key_id, sig) VALUES ('bigint', 9007199254740993, 'h', 't', 'k', 's')`,
  );
  await assert.rejects(
    store.ledger.checkpoints(),
    (e) => isPulserError(e) && /53-bit/.test(e.message),
  );
});

pgt.test('the same events hash the same on SQLite and PostgreSQL', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pulser-pg-parity-'));
  const clocks = [new ManualClock(), new ManualClock()] as const;
  const sqlite = openSqliteStore(join(dir, 'pulser.db'), { clock: clocks[0] });
  const postgres = await open('parity', clocks[1]);
  try {
    const hashes = async (store: Store, clock: ManualClock): Promise<string[]> => {
      await store.plans.save({ suggestedId: 'p', path: 'p.md', plan: plan(), actor: 'cli:me' });
      clock.advance(7);
      await store.events.append({
        type: 'agent.call',
        actor: 'cli:me',
        subject: 'é\u2028😀',
        data: note('odd', {
          z: [1.5, -0, 1e21, null, true],
          a: { 'b\u0000': 'ü\n"' },
          n: 2 ** 53 - 1,
        }),
      });
      await store.claims.claim({
        planId: 'p',
        taskId: 'phase-1/task-a',
        agent: 'agent:x',
        leaseMs: 5,
      });
      clock.advance(10);
      await store.claims.claim({
        planId: 'p',
        taskId: 'phase-1/task-a',
        agent: 'agent:y',
        leaseMs: 5,
      });
      await store.auth.create({
        id: 'tok1',
        workspace: await store.auth.tenant('parity'),
        kind: 'api',
        tokenHash: 'f'.repeat(64),
        userName: 'ann',
        label: 'ci',
        role: 'admin',
        expiresAt: null,
        actor: 'cli:me',
      });
      return (await store.events.read()).map((e) => e.hash);
    };
    const a = await hashes(sqlite, clocks[0]);
    const b = await hashes(postgres, clocks[1]);
    assert.equal(a.length, 6);
    assert.deepEqual(b, a);
    const raw = async (s: Store) => {
      const rows = [];
      for await (const batch of s.ledger.scanRaw()) rows.push(...batch);
      return rows;
    };
    assert.deepEqual(await raw(postgres), await raw(sqlite), 'stored bytes are identical');
  } finally {
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

pgt.test('NOTIFY wakes a listener on another connection when events commit', async () => {
  const store = await open('notify');
  let wake: (seq: number) => void = () => undefined;
  const woken = new Promise<number>((resolve) => (wake = resolve));
  const listener = await listenForEvents(pgt.url(), 'notify', (seq) => wake(seq));
  try {
    const other = await open('notify-other');
    await other.events.append({
      type: 'agent.call',
      actor: 'a',
      subject: null,
      data: note('other', null),
    });
    const e = await store.events.append({
      type: 'agent.call',
      actor: 'a',
      subject: null,
      data: note('n', null),
    });
    assert.equal(await woken, e.seq);
  } finally {
    await listener.close();
  }
});

pgt.test(
  'an unreachable server or a missing database is a one-line error naming both',
  async () => {
    const closed = await openPostgresStore('postgres://postgres@127.0.0.1:1/pulser', {
      workspace: 'w',
    }).then(
      () => assert.fail('opened'),
      (e: unknown) => e,
    );
    assert.ok(isPulserError(closed));
    assert.equal(
      closed.message,
      'cannot use PostgreSQL database "pulser" at 127.0.0.1:1: connection refused',
    );
    const missing = await openPostgresStore(pgUrl('pulser_no_such_db'), { workspace: 'w' }).then(
      () => assert.fail('opened'),
      (e: unknown) => e,
    );
    assert.ok(isPulserError(missing));
    assert.match(missing.message, /"pulser_no_such_db" at 127\.0\.0\.1:5432: no such database$/);
  },
);

pgt.test('runs on PostgreSQL say they are not available yet', async () => {
  const store = await freshPgWorkspace(pgt.url());
  opened.push(store);
  assert.equal((await store.events.head()).seq, 0);
  await assert.rejects(
    async () => store.runs.listRuns(),
    (e) => isPulserError(e) && /runs on PostgreSQL are not available yet/.test(e.message),
  );
});

pgt.test('connections the server ends are replaced; the process does not crash', async () => {
  const store = await open('dropped');
  await store.events.append({ type: 'agent.call', actor: 'a', subject: null, data: note('a', 1) });
  const db = new URL(pgt.url()).pathname.slice(1);
  await sql(
    pgt.url().replace(`/${db}`, '/postgres'),
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${db}' AND application_name = 'pulser' AND pid <> pg_backend_pid()`,
  );
  // The idle connections died; the next operations connect again (at most one fails).
  let appended = 0;
  for (let i = 0; i < 3; i++) {
    try {
      await store.events.append({
        type: 'agent.call',
        actor: 'a',
        subject: null,
        data: note('b', i),
      });
      appended++;
    } catch (error) {
      assert.ok(isPulserError(error), String(error));
    }
  }
  assert.ok(appended >= 2);
  assert.equal((await verify(store)).ok, true);
});
