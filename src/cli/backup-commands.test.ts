/**
 * `pulser backup` / `pulser restore` on the embedded store, with a real `pulser worker` process
 * executing a run while the backup is taken: the copy is one consistent point in time (its
 * chain verifies), and restore refuses to swap the database under the running worker.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { LedgerVerifier } from '../ledger/verify.js';
import { tempProject } from '../workspace/test-helpers.js';

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/pulser.js');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function pulser(root: string, ...args: string[]): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, PULSER_WORKSPACE: root, PULSER_DEBUG: '' },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The events of a database file, checked by the ledger verifier. */
function verifyFile(file: string): { ok: boolean; count: number; message?: string } {
  const db = new Database(file, { readonly: true });
  try {
    const verifier = new LedgerVerifier([], new Map());
    const rows = db
      .prepare(
        'SELECT seq, ts, type, actor, subject, data AS dataJson, prev_hash AS prevHash, hash FROM events ORDER BY seq',
      )
      .all() as Parameters<LedgerVerifier['addRaw']>[0][];
    for (const row of rows) verifier.addRaw(row);
    const v = verifier.finish();
    return { ok: v.ok, count: v.count, ...(v.firstBad ? { message: v.firstBad.message } : {}) };
  } finally {
    db.close();
  }
}

function eventCount(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM events').pluck().get() as number;
  } finally {
    db.close();
  }
}

describe('pulser backup / restore with a worker running', () => {
  let root = '';
  let worker: ReturnType<typeof spawn> | null = null;
  let exited: Promise<number | null> = Promise.resolve(null);
  const db = (): string => join(root, '.pulser', 'pulser.db');

  before(async () => {
    root = tempProject();
    const tasks = Array.from(
      { length: 40 },
      (_, i) => `### Task ${i}\n\n\`\`\`sh\nsleep 0.2\n\`\`\`\n`,
    );
    writeFileSync(join(root, 'plan.md'), `# Soak\n\n## Phase 1\n\n${tasks.join('\n')}`);
    assert.equal(pulser(root, 'init', '--adopt', 'plan.md').code, 0);
    assert.equal(pulser(root, 'trust', 'plan.md').code, 0);
    const queued = pulser(root, 'run', 'plan', '--detach');
    assert.equal(queued.code, 0, queued.stderr);
    worker = spawn(process.execPath, [BIN, 'worker'], {
      cwd: root,
      env: { ...process.env, PULSER_WORKSPACE: root },
      stdio: 'ignore',
    });
    exited = new Promise((ok) => worker!.once('exit', ok));
    // Wait until the worker has announced itself and executed a few steps.
    for (let i = 0; i < 600; i++) {
      const announced =
        existsSync(join(root, '.pulser', 'workers')) &&
        readdirSync(join(root, '.pulser', 'workers')).length > 0;
      if (announced && eventCount(db()) > 20) return;
      await sleep(100);
    }
    assert.fail('the worker did not start executing');
  });

  after(async () => {
    if (worker !== null && worker.exitCode === null) {
      worker.kill('SIGTERM');
      await exited;
    }
    rmSync(root, { recursive: true, force: true });
  });

  it('backs up a consistent copy while the worker writes', () => {
    const copies: Array<{ file: string; count: number }> = [];
    for (const name of ['b1.db', 'b2.db']) {
      const r = pulser(root, 'backup', name);
      assert.equal(r.code, 0, r.stderr);
      const file = join(root, name);
      const verdict = verifyFile(file);
      assert.equal(verdict.ok, true, verdict.message);
      assert.match(r.stdout, new RegExp(`, ${verdict.count} events \\(head `));
      copies.push({ file, count: verdict.count });
    }
    assert.equal(worker?.exitCode, null, 'the worker was still running');
    assert.ok(copies[1]!.count > copies[0]!.count, 'the worker wrote between the two backups');
    const again = pulser(root, 'backup', 'b1.db');
    assert.equal(again.code, 1, again.stderr);
    assert.match(again.stderr, /b1\.db already exists/);
  });

  it('refuses to restore under the running worker, then restores once it stopped', async () => {
    const refused = pulser(root, 'restore', 'b1.db');
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /^pulser: a worker runs on this workspace: worker:\S+ \(pid \d+\); nothing was restored\n {2}hint: /,
    );
    worker!.kill('SIGTERM');
    assert.equal(await exited, 0);
    const backupCount = eventCount(join(root, 'b1.db'));
    const restored = pulser(root, 'restore', 'b1.db');
    assert.equal(restored.code, 0, restored.stderr);
    assert.match(
      restored.stdout,
      /the replaced database was moved to .*pulser\.db\.before-restore-/,
    );
    assert.equal(eventCount(db()), backupCount);
    const status = pulser(root, 'status');
    assert.equal(status.code, 0, status.stderr);
  });

  it('refuses a file that is not a Pulser backup, in one line', () => {
    writeFileSync(join(root, 'junk.db'), 'not a database');
    const r = pulser(root, 'restore', 'junk.db');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^pulser: .*junk\.db: cannot read the backup|^pulser: .*junk\.db: not/);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  });
});
