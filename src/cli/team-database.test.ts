/**
 * Issue 13, choosing PostgreSQL: `pulser init --database` records the shared database (never
 * its password), later commands use it, run commands say runs are not available there yet,
 * and an unreachable or wrong database is one line naming the host and the database.
 * Real `bin/pulser.js` processes on a fresh PostgreSQL database.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { pgTest } from '../store/postgres/test-helpers.js';
import { examplePath } from '../util/test-helpers.js';
import { tempProject } from '../workspace/test-helpers.js';

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/pulser.js');
const pgt = await pgTest();
const roots: string[] = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function pulser(root: string, env: Record<string, string>, ...args: string[]): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, PULSER_WORKSPACE: root, PULSER_DEBUG: '', ...env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function project(): string {
  const root = tempProject();
  roots.push(root);
  copyFileSync(examplePath('starter.md'), join(root, 'PLAN.md'));
  return root;
}

/** Exit 1 and exactly one line on stderr, matching `message`. */
function oneLine(r: Run, message: RegExp): void {
  assert.equal(r.code, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /unexpected error|\n\s+at /u);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, message);
}

pgt.test('init --database records the database without its password; commands use it', () => {
  const root = project();
  const url = new URL(pgt.url());
  url.password = 'not-written';
  const init = pulser(root, {}, 'init', '--adopt', 'PLAN.md', '--database', url.toString());
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /stored in PostgreSQL 127\.0\.0\.1:5432\/pulser_test_\w+ as workspace/);
  const config = readFileSync(join(root, '.pulser', 'config.json'), 'utf8');
  assert.doesNotMatch(config, /not-written/);
  const recorded = JSON.parse(config) as { database: { url: string; workspace: string } };
  assert.equal(new URL(recorded.database.url).pathname, url.pathname);
  assert.equal(existsSync(join(root, '.pulser', 'pulser.db')), false, 'no SQLite file');

  const status = pulser(root, {}, 'status');
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /phase-1/);
  const verify = pulser(root, {}, 'ledger', 'verify');
  assert.equal(verify.code, 0, verify.stderr + verify.stdout);
  assert.match(verify.stdout, /: OK, \d+ events?, chain intact/);

  const doctor = pulser(root, {}, 'doctor');
  assert.equal(doctor.code, 0, doctor.stdout + doctor.stderr);
  assert.match(
    doctor.stdout,
    /^pulser doctor: postgres:\/\/postgres@127\.0\.0\.1:5432\/pulser_test_\w+ \(PostgreSQL\)\n/,
  );

  const run = pulser(root, {}, 'runs');
  assert.equal(run.code, 1);
  assert.match(run.stderr, /^pulser: runs on PostgreSQL are not available yet/);
  assert.doesNotMatch(run.stderr, /\n\s+at /u);
  const worker = pulser(root, {}, 'worker');
  assert.equal(worker.code, 1, 'a worker stops at once instead of failing at every poll');
  assert.match(worker.stderr, /^pulser: runs on PostgreSQL are not available yet/);
});

pgt.test('PULSER_DATABASE_URL: a closed port or a missing database is one line', () => {
  const root = project();
  assert.equal(pulser(root, {}, 'init', '--empty').code, 0);
  oneLine(
    pulser(root, { PULSER_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/team' }, 'status'),
    /^pulser: cannot use PostgreSQL database "team" at 127\.0\.0\.1:1: connection refused$/,
  );
  const missing = new URL(pgt.url());
  missing.pathname = '/pulser_no_such_database';
  oneLine(
    pulser(root, { PULSER_DATABASE_URL: missing.toString() }, 'status'),
    /^pulser: cannot use PostgreSQL database "pulser_no_such_database" at 127\.0\.0\.1:5432: no such database$/,
  );
});

pgt.test('init --database with a wrong database leaves no workspace behind', () => {
  const root = project();
  const missing = new URL(pgt.url());
  missing.pathname = '/pulser_no_such_database';
  oneLine(
    pulser(root, {}, 'init', '--empty', '--database', missing.toString()),
    /"pulser_no_such_database" at 127\.0\.0\.1:5432: no such database$/,
  );
  assert.equal(existsSync(join(root, '.pulser')), false);
});
