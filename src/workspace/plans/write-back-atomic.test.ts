/**
 * Issue 9, item 9: a write-back (check-item, uncheck-item, set-status) changes the markdown
 * file and the store together, or neither. The store is made unwritable for real:
 *
 * - Tests run as root, and root ignores file modes, so `chmod` cannot make the database
 *   read-only. Instead the command runs as the unprivileged user `nobody` (spawn's `uid`),
 *   while this process holds the database open in WAL mode (as a running `pulser serve` would):
 *   `nobody` can read it, through the shared-memory file it may not write, but every write
 *   fails with SQLITE_READONLY. The plan file and its folder are writable for `nobody`.
 *   Not running as root, the same is done with `chmod 0444` on the database.
 * - Independently of the user, a store that refuses to append (its ledger head was forged)
 *   fails the write after the file was ready to change.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { eventDigestRaw } from '../../util/chain.js';
import { LAUNCH_PLAN, tempProject } from '../test-helpers.js';
import { NOBODY, nobodySkip } from '../../util/test-helpers.js';

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bin/pulser.js');
const asRoot = process.getuid?.() === 0;

function pulser(root: string, args: ReadonlyArray<string>, unprivileged = false) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, PULSER_WORKSPACE: root, PULSER_DEBUG: '', HOME: root },
    ...(unprivileged && asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function imported(): string {
  const root = tempProject();
  writeFileSync(join(root, 'plan.md'), LAUNCH_PLAN);
  assert.equal(pulser(root, ['import', 'plan.md']).code, 0);
  return root;
}

function planWrites(root: string): number {
  const db = new Database(join(root, '.pulser', 'pulser.db'), { readonly: true });
  try {
    return (
      db.prepare("SELECT count(*) AS n FROM events WHERE type = 'plan.written'").get() as {
        n: number;
      }
    ).n;
  } finally {
    db.close();
  }
}

const WRITES: ReadonlyArray<ReadonlyArray<string>> = [
  ['check-item', 'phase-1/task-1-2/quick-start'],
  ['uncheck-item', 'phase-1/task-1-1/add-the-workflow'],
  ['set-status', 'phase-2/task-2-1', 'done'],
];

describe('a write-back happens in the file and the store, or in neither (issue 9, item 9)', () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
  });

  it(
    'on a database this user cannot write: the file is left byte for byte unchanged',
    { skip: nobodySkip(BIN) },
    () => {
      const root = imported();
      roots.push(root);
      const plan = join(root, 'plan.md');
      const dbFile = join(root, '.pulser', 'pulser.db');
      chmodSync(root, 0o777);
      chmodSync(plan, 0o666);
      const holder = new Database(dbFile);
      if (!asRoot) chmodSync(dbFile, 0o444);
      try {
        holder.pragma('journal_mode = WAL');
        holder.prepare('SELECT count(*) FROM events').get();
        for (const args of WRITES) {
          const before = readFileSync(plan);
          const r = pulser(root, args, true);
          assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}`);
          assert.match(r.stderr, /read-only/u, r.stderr);
          assert.doesNotMatch(r.stderr, /unexpected error|\n\s+at /u);
          assert.deepEqual(readFileSync(plan), before, `${args[0]} left the markdown unchanged`);
          assert.deepEqual(
            readdirSync(root).filter((f) => f.endsWith('.tmp')),
            [],
            'no temporary file is left behind',
          );
        }
      } finally {
        holder.close();
        chmodSync(dbFile, 0o644);
      }
      assert.equal(planWrites(root), 0);
      // The workspace is not wedged: the same command works for the owner.
      const ok = pulser(root, WRITES[0]!);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(readFileSync(plan, 'utf8'), /- \[x\] Quick start/u);
      assert.equal(planWrites(root), 1);
    },
  );

  it('when the store refuses the write after the file was ready: the original is put back', () => {
    const root = imported();
    roots.push(root);
    const plan = join(root, 'plan.md');
    const db = new Database(join(root, '.pulser', 'pulser.db'));
    const head = db.prepare('SELECT * FROM events ORDER BY seq DESC LIMIT 1').get() as {
      seq: number;
      hash: string;
    };
    const e = {
      seq: head.seq + 1,
      ts: new Date().toISOString(),
      type: 'x',
      actor: 'y',
      subject: null,
    };
    db.prepare(
      'INSERT INTO events (seq, ts, type, actor, subject, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(
      e.seq,
      e.ts,
      e.type,
      e.actor,
      null,
      'null',
      head.hash,
      eventDigestRaw(head.hash, e, 'null'),
    );
    db.close();
    for (const args of WRITES) {
      const before = readFileSync(plan);
      const r = pulser(root, args);
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, /not authenticated.*plan\.md was left unchanged/u);
      assert.deepEqual(readFileSync(plan), before);
    }
    assert.equal(planWrites(root), 0);
  });
});
