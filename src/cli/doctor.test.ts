/**
 * Issue 9, item 8: corruption must not hide. `pulser doctor` checks the SQLite file, the
 * ledger and the state tables against the events, and says what to do; damaged JSON in a
 * state row is a clear error naming the row; a database known to be damaged refuses writes.
 * Real workspaces, real runs, bytes changed in the real file, real `bin/pulser.js` processes.
 */
import assert from 'node:assert/strict';
import { closeSync, existsSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { tempProject } from '../workspace/test-helpers.js';
import { pulser } from '../util/test-helpers.js';

const PLAN = `# Two steps

## Phase 1: Say

### Task 1.1: Hello

\`\`\`sh
echo hello
\`\`\`

### Task 1.2: World

\`\`\`sh
echo world
\`\`\`
`;

function clean(r: { stderr: string }): void {
  assert.doesNotMatch(r.stderr, /unexpected error|please report|\n\s+at /u, r.stderr);
}

/** A workspace with one finished run of two steps; returns the folder and the run id. */
function workspaceWithRun(): { root: string; run: string } {
  const root = tempProject();
  writeFileSync(join(root, 'plan.md'), PLAN);
  assert.equal(pulser(root, 'import', 'plan.md').code, 0);
  assert.equal(pulser(root, 'trust', 'plan.md').code, 0);
  const r = pulser(root, 'run', 'plan', '--json');
  assert.equal(r.code, 0, r.stderr);
  const run = /"subject":"(run-[0-9a-f]+)"/u.exec(r.stdout)?.[1];
  assert.ok(run !== undefined);
  return { root, run };
}

function dbFile(root: string): string {
  return join(root, '.pulser', 'pulser.db');
}

describe('pulser doctor and damaged databases (issue 9, item 8)', () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
  });

  it('a healthy workspace: every area ok, exit 0', () => {
    const { root } = workspaceWithRun();
    roots.push(root);
    const r = pulser(root, 'doctor');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /database ok/u);
    assert.match(r.stdout, /ledger\s+ok, \d+ events, chain intact/u);
    assert.match(r.stdout, /events\s+ok, every event matches the event catalog/u);
    assert.match(r.stdout, /state\s+ok/u);
    assert.match(r.stdout, /nothing is wrong/u);
  });

  it('events that do not match the catalog are findings; unknown types are listed, not fatal', () => {
    const { root, run } = workspaceWithRun();
    roots.push(root);
    const db = new Database(dbFile(root));
    const insert = (type: string, data: string): number => {
      const { seq } = db.prepare('SELECT max(seq) AS seq FROM events').get() as { seq: number };
      db.prepare(
        `INSERT INTO events (seq, ts, type, actor, subject, data, prev_hash, hash)
         VALUES (?, '2026-01-01T00:00:00.000Z', ?, 'cli:old', NULL, ?, ?, ?)`,
      ).run(seq + 1, type, data, '0'.repeat(64), '1'.repeat(64));
      return seq + 1;
    };
    insert('step.renamed_long_ago', '{}');
    const bad = insert('step.queued', JSON.stringify({ runId: run }));
    db.close();
    const r = pulser(root, 'doctor');
    clean(r);
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      new RegExp(
        `events\\s+PROBLEM: event ${bad} \\(step\\.queued\\) does not match the event catalog: data\\.stepId`,
        'u',
      ),
    );
    const json = JSON.parse(pulser(root, 'doctor', '--json').stdout) as {
      events: { count: number; unknownTypes: Record<string, number> };
    };
    assert.deepEqual(json.events.unknownTypes, { 'step.renamed_long_ago': 1 });
    assert.equal(json.events.count, bad);
    // A report reads through the fold: the mismatch is a clear error naming the event.
    const report = pulser(root, 'report');
    clean(report);
    assert.notEqual(report.code, 0);
    assert.match(
      report.stderr,
      new RegExp(
        `event ${bad} \\(step\\.queued\\) of the ledger does not match the event catalog`,
        'u',
      ),
    );
  });

  it('bytes flipped in run_steps: resume names the row, doctor names it and what to do', () => {
    const { root, run } = workspaceWithRun();
    roots.push(root);
    const db = new Database(dbFile(root));
    const step = `${run}.1`;
    const spec = (
      db.prepare('SELECT spec FROM run_steps WHERE id = ?').get(step) as { spec: string }
    ).spec;
    db.prepare('UPDATE run_steps SET spec = ? WHERE id = ?').run(`{\u0001${spec.slice(1)}`, step);
    // And a state that the events contradict.
    db.prepare("UPDATE run_steps SET state = 'failed' WHERE id = ?").run(`${run}.2`);
    db.close();

    const resume = pulser(root, 'run', '--resume', run);
    assert.equal(resume.code, 1);
    clean(resume);
    assert.match(
      resume.stderr,
      new RegExp(`damaged: run_steps row "${run}\\.1" has a spec that is not JSON`, 'u'),
    );
    assert.match(resume.stderr, /hint: run `pulser doctor`/u);
    assert.equal(resume.stderr.trim().split('\n').length, 2, 'one line plus its hint');

    const verify = pulser(root, 'ledger', 'verify');
    assert.equal(verify.code, 0, 'the ledger itself is intact');
    const doc = pulser(root, 'doctor');
    assert.equal(doc.code, 1, doc.stdout);
    assert.match(
      doc.stdout,
      new RegExp(`run_steps row "${run}\\.1" has a spec that is not JSON`, 'u'),
    );
    assert.match(
      doc.stdout,
      new RegExp(
        `run_steps row "${run}\\.2" says failed, but its last event says it succeeded`,
        'u',
      ),
    );
    assert.match(doc.stdout, /what to do: .*restore \.pulser\/pulser\.db from a backup/u);
    const json = JSON.parse(pulser(root, 'doctor', '--json').stdout) as {
      ok: boolean;
      findings: Array<{ area: string }>;
    };
    assert.equal(json.ok, false);
    assert.deepEqual(
      json.findings.map((f) => f.area),
      ['state', 'state'],
    );
  });

  it('a damaged page: doctor records the damage, and no command writes until it is healthy', () => {
    const { root } = workspaceWithRun();
    roots.push(root);
    const db = new Database(dbFile(root));
    const { rootpage } = db
      .prepare("SELECT rootpage FROM sqlite_master WHERE name = 'plan_nodes_node'")
      .get() as { rootpage: number };
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const fd = openSync(dbFile(root), 'r+');
    writeSync(fd, Buffer.alloc(200, 0xa5), 0, 200, (rootpage - 1) * pageSize + 8);
    closeSync(fd);

    const doc = pulser(root, 'doctor');
    assert.equal(doc.code, 1, doc.stdout);
    assert.match(doc.stdout, /database PROBLEM: the SQLite file is damaged: /u);
    assert.match(doc.stdout, /refuses to write into it until `pulser doctor` finds it healthy/u);
    assert.ok(existsSync(`${dbFile(root)}.damaged`), 'the damage is recorded beside the file');

    const before = new Database(dbFile(root), { readonly: true });
    const events = (before.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    before.close();
    writeFileSync(join(root, 'plan.md'), `${PLAN}\n- [ ] one more\n`);
    for (const args of [['import', 'plan.md'], ['run', 'plan', '--detach'], ['status']]) {
      const r = pulser(root, ...args);
      clean(r);
      if (args[0] === 'status') continue; // reading is allowed
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}`);
      assert.match(r.stderr, /the workspace database is damaged \(.+\); nothing was written/u);
      assert.equal(r.stderr.trim().split('\n').length, 2);
    }
    const after = new Database(dbFile(root), { readonly: true });
    assert.equal(
      (after.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n,
      events,
      'nothing was written',
    );
    after.close();
  });

  it('a file too damaged to open: doctor still reports it, other commands say to run doctor', () => {
    const { root } = workspaceWithRun();
    roots.push(root);
    const fd = openSync(dbFile(root), 'r+');
    writeSync(fd, Buffer.alloc(100, 0x5a), 0, 100, 0); // the header
    closeSync(fd);
    const doc = pulser(root, 'doctor');
    assert.equal(doc.code, 1, doc.stdout + doc.stderr);
    assert.match(doc.stdout, /database PROBLEM: the SQLite file cannot be opened: /u);
    assert.match(doc.stdout, /what to do: restore \.pulser\/pulser\.db from a backup/u);
    const status = pulser(root, 'status');
    assert.equal(status.code, 1);
    clean(status);
    assert.match(status.stderr, /pulser\.db: the workspace database is damaged/u);
    assert.match(status.stderr, /hint: run `pulser doctor`/u);
  });
});
