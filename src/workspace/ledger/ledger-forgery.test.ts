/**
 * Issue 9, item 7: someone who can write the SQLite file but cannot read `.pulser/keys` adds,
 * changes or removes events with a correct hash chain (anyone can compute SHA-256). No command
 * may sign a checkpoint over that tail, and `pulser ledger verify` names the first forged
 * event. Real workspace, real `bin/pulser.js` processes, the database edited with a separate
 * SQLite connection exactly as an attacker would.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { EventInput } from '../../store/events.js';
import { eventDigestRaw } from '../../util/chain.js';
import { openWorkspace } from '../open.js';
import { LAUNCH_PLAN, tempProject } from '../test-helpers.js';
import { nobodySkip } from '../../util/test-helpers.js';

/** An event anyone with the CLI could append (an agent's call), numbered `i`. */
function note(i: number): EventInput {
  return {
    type: 'agent.call',
    actor: 'cli:ana',
    subject: null,
    data: { tool: 'note', arguments: i, outcome: 'ok' },
  };
}

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bin/pulser.js');

function pulser(root: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, PULSER_WORKSPACE: root, PULSER_DEBUG: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
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

/** The attacker: a plain SQLite connection to the workspace's database file. */
function attacker(root: string): Database.Database {
  return new Database(join(root, '.pulser', 'pulser.db'));
}

/** Appends a well-formed event chained to the current head, as anyone could compute it. */
function forgeAppend(db: Database.Database, data: string): number {
  const head = db.prepare('SELECT * FROM events ORDER BY seq DESC LIMIT 1').get() as Row;
  const e = {
    seq: head.seq + 1,
    ts: new Date().toISOString(),
    type: 'trust.granted',
    actor: 'cli:root',
    subject: 'plan',
  };
  const hash = eventDigestRaw(head.hash, e, data);
  db.prepare(
    'INSERT INTO events (seq, ts, type, actor, subject, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(e.seq, e.ts, e.type, e.actor, e.subject, data, head.hash, hash);
  return e.seq;
}

/** Rewrites the hashes of every event from `seq` on so that the public chain is intact again. */
function rechainFrom(db: Database.Database, seq: number): void {
  const rows = db.prepare('SELECT * FROM events WHERE seq >= ? ORDER BY seq').all(seq) as Row[];
  let prev = (
    db.prepare('SELECT hash FROM events WHERE seq < ? ORDER BY seq DESC LIMIT 1').get(seq) as {
      hash: string;
    }
  ).hash;
  for (const r of rows) {
    const hash = eventDigestRaw(prev, r, r.data);
    db.prepare('UPDATE events SET prev_hash = ?, hash = ? WHERE seq = ?').run(prev, hash, r.seq);
    prev = hash;
  }
}

function checkpointCount(root: string): number {
  const db = attacker(root);
  try {
    return (db.prepare('SELECT count(*) AS n FROM checkpoints').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** A workspace with an imported plan and a legitimate unsigned tail of three events. */
async function workspaceWithTail(): Promise<string> {
  const root = tempProject();
  writeFileSync(join(root, 'plan.md'), LAUNCH_PLAN);
  assert.equal(pulser(root, 'import', 'plan.md').code, 0);
  const ws = await openWorkspace({ root, env: {} });
  for (let i = 0; i < 3; i++) {
    await ws.store.events.append(note(i));
  }
  await ws.store.close(); // as after a crash: the tail is not signed
  return root;
}

describe('a forged ledger tail (issue 9, item 7)', () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
  });

  it('keeps the chain key beside the signing key, readable only by its owner', async () => {
    const root = await workspaceWithTail();
    roots.push(root);
    const file = join(root, '.pulser', 'keys', 'chain.key');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(dirname(file)).mode & 0o777, 0o700);
    assert.doesNotMatch(
      readFileSync(join(root, '.pulser', 'pulser.db')).toString('latin1'),
      /"secret"/u,
    );
  });

  it('an added event: no command signs it, and ledger verify names it', async () => {
    const root = await workspaceWithTail();
    roots.push(root);
    const db = attacker(root);
    const forged = forgeAppend(db, '{"granted":"everything"}');
    db.close();
    const before = checkpointCount(root);

    const status = pulser(root, 'status');
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stderr, new RegExp(`event ${forged} is not authenticated`, 'u'));
    assert.equal(checkpointCount(root), before, '`pulser status` signed nothing');

    const verify = pulser(root, 'ledger', 'verify');
    assert.equal(verify.code, 1, verify.stdout);
    assert.match(verify.stdout, /FAILED/u);
    assert.match(
      verify.stdout,
      new RegExp(`first bad event: ${forged} \\(trust\\.granted .*not authenticated`, 'u'),
    );
    assert.equal(checkpointCount(root), before, '`ledger verify` signed nothing');

    const checkpoint = pulser(root, 'ledger', 'checkpoint');
    assert.equal(checkpoint.code, 1);
    assert.match(checkpoint.stderr, /not authenticated.*no checkpoint was signed/u);
    assert.equal(checkpointCount(root), before);

    // A command that writes refuses to chain an authentic event onto the forged one.
    const write = pulser(root, 'check-item', 'phase-1/task-1-2/quick-start');
    assert.notEqual(write.code, 0);
    assert.equal(checkpointCount(root), before);
  });

  it('a changed event in the unsigned tail, re-chained: named', async () => {
    const root = await workspaceWithTail();
    roots.push(root);
    const db = attacker(root);
    const head = (db.prepare('SELECT max(seq) AS n FROM events').get() as { n: number }).n;
    const target = head - 1;
    db.prepare('UPDATE events SET data = ? WHERE seq = ?').run('42', target);
    rechainFrom(db, target);
    db.close();
    const verify = pulser(root, 'ledger', 'verify');
    assert.equal(verify.code, 1, verify.stdout);
    assert.match(verify.stdout, new RegExp(`first bad event: ${target} .*not authenticated`, 'u'));
    assert.equal(pulser(root, 'ledger', 'checkpoint').code, 1);
  });

  it('a removed event in the unsigned tail, re-chained: named', async () => {
    const root = await workspaceWithTail();
    roots.push(root);
    const db = attacker(root);
    const head = (db.prepare('SELECT max(seq) AS n FROM events').get() as { n: number }).n;
    db.prepare('DELETE FROM events WHERE seq = ?').run(head - 2);
    for (let s = head - 1; s <= head; s++) {
      db.prepare('UPDATE events SET seq = ? WHERE seq = ?').run(s - 1, s);
    }
    rechainFrom(db, head - 2);
    db.close();
    const verify = pulser(root, 'ledger', 'verify');
    assert.equal(verify.code, 1, verify.stdout);
    assert.match(
      verify.stdout,
      new RegExp(`first bad event: ${head - 2} .*not authenticated`, 'u'),
    );
  });

  it('a legitimate unsigned tail (a crash) is authenticated and signed by the next command', async () => {
    const root = await workspaceWithTail();
    roots.push(root);
    const before = checkpointCount(root);
    const status = pulser(root, 'status');
    assert.equal(status.code, 0, status.stderr);
    assert.equal(status.stderr, '');
    assert.equal(checkpointCount(root), before + 1);
    const verify = pulser(root, 'ledger', 'verify');
    assert.equal(verify.code, 0, verify.stdout);
    assert.match(verify.stdout, /keyed: every event from 1 on is authenticated by the chain key/u);
  });

  it('ledger verify does not sign a head it reports broken', async () => {
    const root = tempProject();
    roots.push(root);
    writeFileSync(join(root, 'plan.md'), LAUNCH_PLAN);
    assert.equal(pulser(root, 'import', 'plan.md').code, 0);
    writeFileSync(join(root, 'plan.md'), LAUNCH_PLAN.replace('Tag v1', 'Tag v2'));
    assert.equal(pulser(root, 'import', 'plan.md').code, 0); // a second checkpoint
    const ws = await openWorkspace({ root, env: {} });
    await ws.store.events.append(note(1));
    await ws.store.close(); // an authentic unsigned tail, as after a crash
    const db = attacker(root);
    // Damage the first event without re-chaining: the tail after the last checkpoint is intact.
    db.prepare('UPDATE events SET actor = ? WHERE seq = 1').run('cli:mallory');
    db.close();
    const before = checkpointCount(root);
    assert.ok(before >= 2);
    const verify = pulser(root, 'ledger', 'verify');
    assert.equal(verify.code, 1, verify.stdout);
    assert.match(verify.stdout, /first bad event: 1 /u);
    assert.equal(checkpointCount(root), before, 'the head it called broken stays unsigned');
  });

  it(
    'a user who can write the database but not read the keys: cannot append, and verify says what it could not check',
    {
      skip:
        process.getuid?.() === 0 ? nobodySkip(BIN) : 'needs root, to run Pulser as the user nobody',
    },
    async () => {
      const root = await workspaceWithTail();
      roots.push(root);
      assert.equal(pulser(root, 'status').code, 0);
      // The database is writable by everyone. The keys folder is opened to 0755 so that others
      // can check signatures with the public keys; the private key and chain key stay 0600.
      chmodSync(root, 0o777);
      chmodSync(join(root, '.pulser'), 0o777);
      chmodSync(join(root, 'plan.md'), 0o666);
      for (const f of readdirSync(join(root, '.pulser'))) {
        if (f !== 'keys') chmodSync(join(root, '.pulser', f), 0o666);
      }
      chmodSync(join(root, '.pulser', 'keys'), 0o755);
      const before = readFileSync(join(root, 'plan.md'));
      const asNobody = (...args: string[]) => {
        const r = spawnSync(process.execPath, [BIN, ...args], {
          cwd: root,
          encoding: 'utf8',
          env: { ...process.env, PULSER_WORKSPACE: root, PULSER_DEBUG: '', HOME: root },
          uid: 65534,
          gid: 65534,
        });
        return { code: r.status, stdout: r.stdout, stderr: r.stderr };
      };
      const write = asNobody('check-item', 'phase-1/task-1-2/quick-start');
      assert.equal(write.code, 1, write.stdout);
      assert.match(
        write.stderr,
        /chain\.key: cannot write: the ledger key cannot be read \(permission denied\)/u,
      );
      assert.deepEqual(readFileSync(join(root, 'plan.md')), before);
      const verify = asNobody('ledger', 'verify');
      assert.equal(verify.code, 0, verify.stdout + verify.stderr);
      assert.match(
        verify.stdout,
        /keyed: cannot read the chain key .*only the signed checkpoints vouch/u,
      );
    },
  );

  it('a workspace from before chain keys keeps working: the key is made at the first open', async () => {
    const root = await workspaceWithTail();
    roots.push(root);
    assert.equal(pulser(root, 'status').code, 0);
    // Make it look like a workspace written by the previous Pulser: no key, no MACs.
    rmSync(join(root, '.pulser', 'keys', 'chain.key'));
    const db = attacker(root);
    db.prepare('UPDATE events SET mac = NULL').run();
    db.close();
    const first = pulser(root, 'ledger', 'verify');
    assert.equal(first.code, 0, first.stdout);
    assert.match(first.stdout, /keyed: no event carries a chain-key MAC yet/u);
    writeFileSync(join(root, 'plan.md'), LAUNCH_PLAN.replace('Tag v1', 'Tag v2'));
    assert.equal(pulser(root, 'import', 'plan.md').code, 0);
    const second = pulser(root, 'ledger', 'verify');
    assert.equal(second.code, 0, second.stdout);
    assert.match(second.stdout, /keyed: every event from \d+ on is authenticated/u);
    // And a forgery after the upgrade is caught as before.
    const db2 = attacker(root);
    const forged = forgeAppend(db2, 'null');
    db2.close();
    const third = pulser(root, 'ledger', 'verify');
    assert.equal(third.code, 1);
    assert.match(third.stdout, new RegExp(`first bad event: ${forged} `, 'u'));
  });
});
