/**
 * The ledger of a real workspace: checkpoints on close, keys, and a mutation test that changes
 * the real SQLite rows at random (single bytes of stored fields, deletions, swaps, insertions,
 * truncations, re-chained forgeries, checkpoint rows): every change is detected.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { SqliteStore } from '../../store/sqlite/index.js';
import { eventDigestRaw } from '../../util/chain.js';
import { listKeys, rotateKey } from './ledger-keys.js';
import { sealLedger, verifyWorkspaceLedger, CHECKPOINTS_FILE } from './ledger.js';
import { openWorkspace, type Workspace } from '../open.js';
import { tempProject } from '../test-helpers.js';

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bin/pulser.js');

/** Deterministic PRNG (mulberry32), so a failing case can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EVENTS = 240;
const EVERY = 40;
/** Rows in the ledger: the events plus `ledger.key_created` at the first seal. */
const TOTAL = EVENTS + 1;

/** A workspace with EVENTS varied events, sealed every EVERY events and at the end. */
async function ledgerWorkspace(): Promise<{ root: string; ws: Workspace }> {
  const root = tempProject();
  const ws = await openWorkspace({ root, create: true, env: {} });
  for (let i = 1; i <= EVENTS; i++) {
    await ws.store.events.append({
      type: 'agent.call',
      actor: i % 3 === 0 ? 'cli:zoë' : 'worker:w1',
      subject: i % 5 === 0 ? null : `phase-n${i % 7}/task-${i}`,
      data: {
        tool: ['claim', 'progress', 'release', 'complete'][i % 4]!,
        arguments: {
          n: i,
          ratio: i / 7,
          ok: i % 2 === 0,
          note: `ünïcode ✅ ${i} "quoted" \\ back`,
          list: [i, 'x', null, { deep: [1, 2, { k: 'v' }] }],
        },
        outcome: 'ok',
      },
    });
    if (i % EVERY === 0) await sealLedger(ws);
  }
  return { root, ws };
}

function db(ws: Workspace): Database.Database {
  return (ws.store as SqliteStore).db.db;
}

type Col = 'ts' | 'type' | 'actor' | 'subject' | 'data' | 'prev_hash' | 'hash';
const TEXT_COLUMNS: ReadonlyArray<Col> = [
  'ts',
  'type',
  'actor',
  'subject',
  'data',
  'prev_hash',
  'hash',
];

interface Mutation {
  readonly what: string;
  /** The seq verification must name as the first bad event, when the mutation fixes one. */
  readonly firstBad?: number;
  /** Or one of these (a forged insertion is itself bad when it lands on a signed position). */
  readonly firstBadIn?: ReadonlyArray<number>;
}

/** Changes one byte of one stored field of one event row (invalid UTF-8 included). */
function flipByte(d: Database.Database, rand: () => number): Mutation {
  const seq = 1 + Math.floor(rand() * TOTAL);
  if (rand() < 0.05) {
    // The seq column is an INTEGER: change it to another value nobody holds.
    const to = [
      0,
      -seq,
      TOTAL + 1 + Math.floor(rand() * 1000),
      seq ^ (1 << Math.floor(rand() * 9)),
    ][Math.floor(rand() * 4)]!;
    if (to === seq || d.prepare('SELECT 1 FROM events WHERE seq = ?').get(to) !== undefined) {
      return flipByte(d, rand);
    }
    d.prepare('UPDATE events SET seq = ? WHERE seq = ?').run(to, seq);
    return { what: `seq ${seq} -> ${to}` };
  }
  const col = TEXT_COLUMNS[Math.floor(rand() * TEXT_COLUMNS.length)]!;
  const row = d.prepare(`SELECT CAST(${col} AS BLOB) AS b FROM events WHERE seq = ?`).get(seq) as {
    b: Buffer | null;
  };
  const bytes = Buffer.from(row.b ?? Buffer.from('x'));
  const at = Math.floor(rand() * bytes.length);
  const was = bytes[at]!;
  bytes[at] = (was + 1 + Math.floor(rand() * 255)) % 256;
  d.prepare(`UPDATE events SET ${col} = CAST(? AS TEXT) WHERE seq = ?`).run(bytes, seq);
  return { what: `byte ${at} of ${col} of event ${seq}: ${was} -> ${bytes[at]}`, firstBad: seq };
}

const ALL = 'ts, type, actor, subject, data, prev_hash, hash';

function swap(d: Database.Database, a: number, b: number): void {
  const rows = d.prepare(`SELECT seq, ${ALL} FROM events WHERE seq IN (?, ?)`).all(a, b) as Array<
    Record<string, unknown>
  >;
  const [ra, rb] = rows[0]!.seq === a ? [rows[0]!, rows[1]!] : [rows[1]!, rows[0]!];
  const set = d.prepare(
    `UPDATE events SET ts = ?, type = ?, actor = ?, subject = ?, data = ?, prev_hash = ?, hash = ? WHERE seq = ?`,
  );
  const values = (r: Record<string, unknown>): unknown[] =>
    ['ts', 'type', 'actor', 'subject', 'data', 'prev_hash', 'hash'].map((k) => r[k]);
  set.run(...values(rb), a);
  set.run(...values(ra), b);
}

interface Row {
  seq: number;
  ts: string;
  type: string;
  actor: string;
  subject: string | null;
  data: string;
  prev_hash: string;
  hash: string;
}

function rowDigest(prev: string, r: Row, data = r.data): string {
  return eventDigestRaw(
    prev,
    { seq: r.seq, ts: r.ts, type: r.type, actor: r.actor, subject: r.subject },
    data,
  );
}

/** Rewrites rows from `from` on with recomputed links and hashes (a forger without the key). */
function rechain(d: Database.Database, from: number): void {
  const rows = d
    .prepare(`SELECT seq, ${ALL} FROM events WHERE seq >= ? ORDER BY seq`)
    .all(from - 1) as Row[];
  let prev = rows[0]!.seq === from - 1 ? rows.shift()!.hash : '0'.repeat(64);
  const set = d.prepare('UPDATE events SET prev_hash = ?, hash = ? WHERE seq = ?');
  for (const r of rows) {
    const hash = rowDigest(prev, r);
    set.run(prev, hash, r.seq);
    prev = hash;
  }
}

function mutate(d: Database.Database, kind: string, rand: () => number): Mutation {
  const pick = (lo = 1, hi = TOTAL): number => lo + Math.floor(rand() * (hi - lo + 1));
  switch (kind) {
    case 'byte':
      return flipByte(d, rand);
    case 'delete': {
      const seq = pick();
      d.prepare('DELETE FROM events WHERE seq = ?').run(seq);
      return { what: `delete ${seq}`, ...(seq < TOTAL ? { firstBad: seq + 1 } : {}) };
    }
    case 'swap': {
      const a = pick(1, TOTAL - 1);
      const b = rand() < 0.5 ? a + 1 : pick(a + 1, TOTAL);
      swap(d, a, b);
      return { what: `swap ${a} and ${b}`, firstBad: a };
    }
    case 'insert': {
      // Shift the rows after k and insert a well-formed forged event at k + 1, chained to k.
      const k = pick(1, TOTAL - 1);
      const rows = d
        .prepare('SELECT seq FROM events WHERE seq > ? ORDER BY seq DESC')
        .all(k) as Row[];
      const move = d.prepare('UPDATE events SET seq = ? WHERE seq = ?');
      for (const r of rows) move.run(r.seq + 1, r.seq);
      const prev = (d.prepare('SELECT hash FROM events WHERE seq = ?').get(k) as Row).hash;
      const forged: Row = {
        seq: k + 1,
        ts: '2026-01-01T00:00:00.000Z',
        type: 'trust.granted',
        actor: 'cli:mallory',
        subject: 'plan',
        data: '{"forged":true}',
        prev_hash: prev,
        hash: '',
      };
      d.prepare(`INSERT INTO events (seq, ${ALL}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(
        forged.seq,
        forged.ts,
        forged.type,
        forged.actor,
        forged.subject,
        forged.data,
        prev,
        rowDigest(prev, forged),
      );
      return { what: `insert after ${k}`, firstBadIn: [k + 1, k + 2] };
    }
    case 'truncate': {
      const keep = pick(0, TOTAL - 1);
      d.prepare('DELETE FROM events WHERE seq > ?').run(keep);
      if (rand() < 0.5) d.prepare('DELETE FROM checkpoints').run(); // the file copy still has them
      return { what: `truncate after ${keep}` };
    }
    case 'rechain': {
      // Change an event's data, then recompute every hash after it: only checkpoints catch it.
      const seq = pick(1, TOTAL - 5);
      d.prepare(`UPDATE events SET data = '{"n":-1}' WHERE seq = ?`).run(seq);
      rechain(d, seq);
      return { what: `re-chained forgery from ${seq}` };
    }
    case 'checkpoint': {
      const cps = d.prepare('SELECT seq FROM checkpoints').all() as Array<{ seq: number }>;
      const seq = cps[Math.floor(rand() * cps.length)]!.seq;
      const col = (['head', 'sig', 'ts', 'key_id'] as const)[Math.floor(rand() * 4)]!;
      const { b } = d
        .prepare(`SELECT CAST(${col} AS BLOB) AS b FROM checkpoints WHERE seq = ?`)
        .get(seq) as {
        b: Buffer;
      };
      const at = Math.floor(rand() * b.length);
      b[at] = (b[at]! + 1 + Math.floor(rand() * 255)) % 256;
      d.prepare(`UPDATE checkpoints SET ${col} = CAST(? AS TEXT) WHERE seq = ?`).run(b, seq);
      return { what: `byte ${at} of checkpoint ${seq} ${col}` };
    }
    default:
      throw new Error(kind);
  }
}

const PLAN: ReadonlyArray<[string, number]> = [
  ['byte', 2000],
  ['delete', 150],
  ['swap', 150],
  ['insert', 100],
  ['truncate', 100],
  ['rechain', 100],
  ['checkpoint', 100],
];

describe('the workspace ledger', () => {
  it('signs the head when a workspace closes, with a key created on first use (mode 0600)', async () => {
    const root = tempProject();
    try {
      let ws = await openWorkspace({ root, create: true, env: {} });
      await ws.store.events.append({
        type: 'agent.call',
        actor: 'cli:t',
        subject: null,
        data: { tool: 'x', arguments: { a: 1 }, outcome: 'ok' },
      });
      await ws.close();
      const line = readFileSync(join(root, '.pulser', CHECKPOINTS_FILE), 'utf8').trim();
      const cp = JSON.parse(line) as { seq: number; keyId: string };
      assert.equal(cp.seq, 2, 'the key creation event is covered too');
      assert.equal(statSync(join(root, '.pulser', 'keys', `${cp.keyId}.key`)).mode & 0o777, 0o600);
      ws = await openWorkspace({ root, env: {} });
      const events = await ws.store.events.read();
      assert.deepEqual(
        events.map((e) => e.type),
        ['agent.call', 'ledger.key_created'],
      );
      assert.equal((events[1]!.data as { keyId: string }).keyId, cp.keyId);
      const check = await verifyWorkspaceLedger(ws);
      assert.equal(check.verdict.ok, true);
      assert.equal(check.verdict.lastCheckpoint?.seq, 2);
      await ws.close();
      assert.equal(
        readFileSync(join(root, '.pulser', CHECKPOINTS_FILE), 'utf8').trim(),
        line,
        'nothing new: no new checkpoint',
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('rotated keys: old checkpoints keep verifying, new ones use the new key', async () => {
    const { root, ws } = await ledgerWorkspace();
    try {
      const before = (await listKeys(ws))[0]!;
      const r = await rotateKey(ws, 'cli:t');
      assert.equal(r.previous, before.keyId);
      assert.notEqual(r.keyId, before.keyId);
      assert.equal(r.sealedAfter?.keyId, r.keyId);
      const keys = await listKeys(ws);
      assert.deepEqual(
        keys.map((k) => [k.keyId, k.state, k.canSign]),
        [
          [r.keyId, 'active', true],
          [before.keyId, 'retired', false],
        ].sort((a, b) => (a[1] === 'active' ? -1 : b[1] === 'active' ? 1 : 0)),
      );
      const check = await verifyWorkspaceLedger(ws);
      assert.equal(check.verdict.ok, true, JSON.stringify(check.verdict.problems));
      assert.equal(check.verdict.lastCheckpoint?.keyId, r.keyId);
    } finally {
      await ws.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses to sign over a tampered tail', async () => {
    const { root, ws } = await ledgerWorkspace();
    try {
      await ws.store.events.append({
        type: 'agent.call',
        actor: 'cli:t',
        subject: null,
        data: { tool: 'late', arguments: 1, outcome: 'ok' },
      });
      db(ws)
        .prepare(`UPDATE events SET data = '2' WHERE seq = ?`)
        .run(EVENTS + 2);
      await assert.rejects(sealLedger(ws), /broken at event 242/u);
    } finally {
      await ws.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it(`detects every random mutation of the stored rows (${PLAN.reduce((n, [, c]) => n + c, 0)} mutations)`, async () => {
    const { root, ws } = await ledgerWorkspace();
    const seed = Number(process.env.PULSER_MUTATION_SEED ?? 20260101);
    const rand = prng(seed);
    const d = db(ws);
    try {
      const clean = await verifyWorkspaceLedger(ws);
      assert.equal(clean.verdict.ok, true);
      assert.equal(clean.verdict.count, TOTAL);
      const counts: Record<string, number> = {};
      for (const [kind, times] of PLAN) {
        for (let i = 0; i < times; i++) {
          d.exec('SAVEPOINT mutation');
          let m: Mutation;
          try {
            m = mutate(d, kind, rand);
            const check = await verifyWorkspaceLedger(ws);
            assert.equal(check.verdict.ok, false, `undetected (seed ${seed}): ${m.what}`);
            if (m.firstBadIn !== undefined) {
              assert.ok(m.firstBadIn.includes(check.verdict.firstBad?.seq ?? -1), m.what);
            }
            if (m.firstBad !== undefined) {
              assert.equal(
                check.verdict.firstBad?.seq,
                m.firstBad,
                `${m.what}: first bad ${JSON.stringify(check.verdict.firstBad)}`,
              );
            }
          } finally {
            d.exec('ROLLBACK TO mutation; RELEASE mutation');
          }
          counts[kind] = (counts[kind] ?? 0) + 1;
        }
      }
      assert.deepEqual(counts, Object.fromEntries(PLAN));
      assert.equal((await verifyWorkspaceLedger(ws)).verdict.ok, true, 'restored');
    } finally {
      await ws.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('`pulser ledger verify` on a database file changed by another process: exit 1, names the first bad event', async () => {
    const { root, ws } = await ledgerWorkspace();
    await ws.close();
    const file = join(root, '.pulser', 'pulser.db');
    const pristine = `${file}.pristine`;
    copyFileSync(file, pristine);
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [BIN, ...args], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, PULSER_WORKSPACE: root, PULSER_DEBUG: '' },
      });
    try {
      const ok = cli('ledger', 'verify');
      assert.equal(ok.status, 0, ok.stderr);
      assert.match(ok.stdout, /OK, 241 events, chain intact/u);
      const rand = prng(7);
      for (const kind of [
        'byte',
        'byte',
        'byte',
        'delete',
        'swap',
        'insert',
        'truncate',
        'rechain',
      ]) {
        copyFileSync(pristine, file);
        rmSync(`${file}-wal`, { force: true });
        rmSync(`${file}-shm`, { force: true });
        const d = new Database(file);
        const m = mutate(d, kind, rand);
        d.close();
        const r = cli('ledger', 'verify');
        assert.equal(r.status, 1, `${m.what}: ${r.stdout}`);
        assert.match(r.stdout, /FAILED/u);
        if (m.firstBad !== undefined) {
          assert.match(r.stdout, new RegExp(`first bad event: ${m.firstBad} `, 'u'), m.what);
        }
        assert.doesNotMatch(r.stderr, /\n\s+at /u, 'no stack trace');
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('a copy of the checkpoints catches a truncation that also removed the checkpoints', async () => {
    const { root, ws } = await ledgerWorkspace();
    try {
      const copy = join(root, 'copy.jsonl');
      writeFileSync(copy, readFileSync(join(root, '.pulser', CHECKPOINTS_FILE)));
      writeFileSync(join(root, '.pulser', CHECKPOINTS_FILE), '');
      db(ws).prepare('DELETE FROM checkpoints').run();
      db(ws).prepare('DELETE FROM events WHERE seq > 100').run();
      assert.equal(
        (await verifyWorkspaceLedger(ws)).verdict.ok,
        true,
        'nothing left to compare with',
      );
      const check = await verifyWorkspaceLedger(ws, { checkpointFiles: [copy] });
      assert.equal(check.verdict.ok, false);
      assert.equal(check.verdict.firstBad?.code, 'truncated');
    } finally {
      await ws.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
