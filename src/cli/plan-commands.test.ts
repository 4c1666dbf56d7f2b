import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = resolve(here, '../../bin/pulser.js');
const SEEDS = resolve(here, '../../../shared/seeds');
const SEED0 = join(SEEDS, '000_754df352425312a5.txt');
const SEED3 = join(SEEDS, '003_76262d86063c1926.txt');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function pulser(cwd: string, ...args: string[]): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, PULSER_WORKSPACE: cwd, PULSER_DEBUG: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function noStack(r: Run): void {
  assert.doesNotMatch(r.stderr, /\n\s+at /u, 'no stack trace');
}

describe('pulser plan commands (real CLI, real workspace)', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pulser-cli-'));
    copyFileSync(SEED0, join(dir, 'plan.md'));
    copyFileSync(SEED3, join(dir, 'next.md'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('import creates the workspace and stores the plan', () => {
    const r = pulser(dir, 'import', 'plan.md');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /imported plan\.md as plan: "Next Steps Plan" \(4 phases/u);
  });

  it('status shows each phase with an ASCII bar when piped, and --json', () => {
    const r = pulser(dir, 'status');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Next Steps Plan/u);
    for (const id of ['phase-n1', 'phase-n2', 'phase-n3', 'phase-n4'])
      assert.match(r.stdout, new RegExp(id, 'u'));
    assert.match(r.stdout, /\[[#-]{20}\]/u);
    assert.doesNotMatch(r.stdout, /█/u);
    // No tasks and no checkboxes: the total progresses by phases done (N1 and N3 of four).
    assert.match(r.stdout, /total\s+\[#{10}-{10}\]\s+50%/u);
    const json = JSON.parse(pulser(dir, 'status', '--json').stdout) as {
      plans: Array<{ id: string; phases: Array<{ id: string; status: string }> }>;
    };
    assert.deepEqual(
      json.plans[0]?.phases.map((p) => [p.id, p.status]),
      [
        ['phase-n1', 'done'],
        ['phase-n2', 'unknown'],
        ['phase-n3', 'done'],
        ['phase-n4', 'unknown'],
      ],
    );
  });

  it('re-import of an unchanged file says so; of an edited one prints the diff', () => {
    assert.match(pulser(dir, 'import', 'plan.md').stdout, /unchanged/u);
    const file = join(dir, 'plan.md');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace('## Phase N2', '## Phase N2 (Completed)'));
    const r = pulser(dir, 'import', 'plan.md');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /version 2: 0 added, 0 removed, 1 changed/u);
    assert.match(r.stdout, /~ phase phase-n2: .*status "unknown" -> "done"/u);
    const json = JSON.parse(pulser(dir, 'import', 'next.md', '--json').stdout) as {
      planId: string;
    };
    assert.equal(json.planId, 'next');
  });

  it('next lists ready tasks; show prints a node; both have --json', () => {
    const next = pulser(dir, 'next', '--limit', '0');
    assert.equal(next.code, 0, next.stderr);
    assert.match(next.stdout, /lift-sys-62/u);
    assert.doesNotMatch(next.stdout, /lift-sys-58/u, 'done tasks are not ready');
    const ready = JSON.parse(pulser(dir, 'next', '--json').stdout) as Array<{ id: string }>;
    assert.ok(ready.some((t) => t.id === 'lift-sys-62'));
    const show = pulser(dir, 'show', 'phase-n4');
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /^phase phase-n4: Phase N4/u);
    assert.match(show.stdout, /at: +plan\.md:\d+:1/u);
    const byLabel = JSON.parse(pulser(dir, 'show', 'LIFT-SYS-62', '--json').stdout) as {
      id: string;
      kind: string;
    };
    assert.deepEqual([byLabel.kind, byLabel.id], ['task', 'lift-sys-62']);
    const qualified = pulser(dir, 'show', 'plan:phase-n1');
    assert.equal(qualified.code, 0, qualified.stderr);
  });

  it('set-status edits the markdown and status reflects it; check-item refuses a phase', () => {
    const before = readFileSync(join(dir, 'next.md'), 'utf8');
    const r = pulser(dir, 'set-status', 'lift-sys-62', 'done');
    assert.equal(r.code, 0, r.stderr);
    const after = readFileSync(join(dir, 'next.md'), 'utf8');
    assert.equal(after, before.replace('management tests ‚Üí Open', 'management tests ‚Üí Done'));
    const ready = JSON.parse(pulser(dir, 'next', '--json', '--limit', '0').stdout) as Array<{
      id: string;
    }>;
    assert.ok(!ready.some((t) => t.id === 'lift-sys-62'));
    const bad = pulser(dir, 'check-item', 'phase-n1');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /is a phase, not a checklist item/u);
  });

  it('set-status with a bad status is a usage error listing the valid ones', () => {
    const r = pulser(dir, 'set-status', 'lift-sys-63', 'finished');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /invalid status "finished"/u);
    assert.match(r.stderr, /open, in_progress, done, blocked, deferred/u);
    noStack(r);
  });

  it('an unknown ID is one clear line with close IDs suggested', () => {
    const r = pulser(dir, 'show', 'phase-n5');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no node with ID phase-n5/u);
    assert.match(r.stderr, /did you mean .*phase-n/u);
    noStack(r);
  });

  it('a file edited after import is refused and left untouched', () => {
    const file = join(dir, 'next.md');
    const edited = `${readFileSync(file, 'utf8')}\n- [ ] added by hand\n`;
    writeFileSync(file, edited);
    const r = pulser(dir, 'set-status', 'lift-sys-63', 'done');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /next\.md changed on disk since it was imported/u);
    assert.equal(readFileSync(file, 'utf8'), edited);
    noStack(r);
  });
});

describe('pulser bad input', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pulser-bad-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const cases: Array<[string, () => string[], RegExp, number]> = [
    ['a missing file', () => ['import', 'nope.md'], /no such file: nope\.md/u, 1],
    ['a directory', () => ['import', '.'], /is a directory, not a plan file/u, 1],
    [
      'an empty file',
      () => (writeFileSync(join(dir, 'empty.md'), ''), ['import', 'empty.md']),
      /empty\.md is empty/u,
      1,
    ],
    [
      'a binary file',
      () => (
        writeFileSync(join(dir, 'bin.md'), Buffer.from([0, 1, 2, 0, 255, 0, 3])),
        ['import', 'bin.md']
      ),
      /nothing could be compiled/u,
      1,
    ],
    ['a bad flag', () => ['status', '--bogus'], /unknown option '--bogus'/u, 2],
    ['status without a workspace', () => ['status'], /no Pulser workspace/u, 1],
  ];
  for (const [name, args, message, code] of cases) {
    it(`${name}: one clear error, exit ${code}`, () => {
      const r = pulser(dir, ...args());
      assert.equal(r.code, code, r.stderr);
      assert.match(r.stderr, message);
      noStack(r);
    });
  }

  it('a corrupt database: one line naming the file', () => {
    const ws = mkdtempSync(join(tmpdir(), 'pulser-corrupt-'));
    try {
      mkdirSync(join(ws, '.pulser'));
      writeFileSync(
        join(ws, '.pulser', 'pulser.db'),
        'this is not a database, just text '.repeat(200),
      );
      const r = pulser(ws, 'status');
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /pulser\.db: the workspace database is damaged \(file is not a database\)\n {2}hint: run `pulser doctor`/u,
      );
      noStack(r);
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  });

  it('summary compiles without creating a workspace', () => {
    const r = pulser(dir, 'summary', SEED0, '--json');
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as { title: string; totals: { phases: number; steps: number } };
    assert.equal(s.title, 'Next Steps Plan');
    assert.deepEqual([s.totals.phases, s.totals.steps], [4, 3]);
    assert.equal(pulser(dir, 'status').code, 1, 'still no workspace');
    const human = pulser(dir, 'summary', SEED0);
    assert.match(human.stdout, /^Next Steps Plan/u);
  });
});
