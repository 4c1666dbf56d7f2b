import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { examplePath, pulser, type PulserRun } from '../util/test-helpers.js';

const LAUNCH = examplePath('launch.md');
const ROADMAP = examplePath('roadmap.md');

function noStack(r: PulserRun): void {
  assert.doesNotMatch(r.stderr, /\n\s+at /u, 'no stack trace');
}

describe('pulser plan commands (real CLI, real workspace)', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pulser-cli-'));
    copyFileSync(LAUNCH, join(dir, 'plan.md'));
    copyFileSync(ROADMAP, join(dir, 'next.md'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('import creates the workspace and stores the plan', () => {
    const r = pulser(dir, 'import', 'plan.md');
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /imported plan\.md as plan: "Launch the Lantern Notes App" \(2 phases, 5 tasks/u,
    );
  });

  it('status shows each phase with an ASCII bar when piped, and --json', () => {
    const r = pulser(dir, 'status');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Launch the Lantern Notes App/u);
    for (const id of ['phase-1', 'phase-2']) assert.match(r.stdout, new RegExp(id, 'u'));
    assert.match(r.stdout, /\[[#-]{20}\]/u);
    assert.doesNotMatch(r.stdout, /█/u);
    assert.match(r.stdout, /total\s+\[##-{18}\]\s+8%\s+boxes 1\/13\s+tasks 0\/5/u);
    const json = JSON.parse(pulser(dir, 'status', '--json').stdout) as {
      plans: Array<{ id: string; phases: Array<{ id: string; status: string }> }>;
    };
    assert.deepEqual(
      json.plans[0]?.phases.map((p) => [p.id, p.status]),
      [
        ['phase-1', 'in_progress'],
        ['phase-2', 'open'],
      ],
    );
  });

  it('re-import of an unchanged file says so; of an edited one prints the diff', () => {
    assert.match(pulser(dir, 'import', 'plan.md').stdout, /unchanged/u);
    const file = join(dir, 'plan.md');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace('## Phase 2: Release', '## Phase 2: Release (Done)'));
    const r = pulser(dir, 'import', 'plan.md');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /version 2: 0 added, 0 removed, 1 changed/u);
    assert.match(r.stdout, /~ phase phase-2: .*status "open" -> "done"/u);
    const json = JSON.parse(pulser(dir, 'import', 'next.md', '--json').stdout) as {
      planId: string;
    };
    assert.equal(json.planId, 'next');
  });

  it('next lists ready tasks; show prints a node; both have --json', () => {
    const next = pulser(dir, 'next', '--limit', '0');
    assert.equal(next.code, 0, next.stderr);
    assert.match(next.stdout, /milestone-m2\/srch-1/u);
    assert.doesNotMatch(next.stdout, /sync-1/u, 'done tasks are not ready');
    assert.doesNotMatch(
      next.stdout,
      /srch-2/u,
      'tasks whose dependencies are not done are not ready',
    );
    const ready = JSON.parse(pulser(dir, 'next', '--json').stdout) as Array<{ id: string }>;
    assert.ok(ready.some((t) => t.id === 'milestone-m2/srch-1'));
    const show = pulser(dir, 'show', 'milestone-m2');
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /^phase milestone-m2: Milestone M2: Search/u);
    assert.match(show.stdout, /at: +next\.md:\d+:1/u);
    const byLabel = JSON.parse(pulser(dir, 'show', 'SRCH-1', '--json').stdout) as {
      id: string;
      kind: string;
    };
    assert.deepEqual([byLabel.kind, byLabel.id], ['task', 'milestone-m2/srch-1']);
    const qualified = pulser(dir, 'show', 'plan:phase-1');
    assert.equal(qualified.code, 0, qualified.stderr);
  });

  it('set-status edits the markdown and status reflects it; check-item refuses a phase', () => {
    const before = readFileSync(join(dir, 'next.md'), 'utf8');
    const r = pulser(dir, 'set-status', 'milestone-m2/srch-1', 'done');
    assert.equal(r.code, 0, r.stderr);
    const after = readFileSync(join(dir, 'next.md'), 'utf8');
    assert.equal(after, before.replace('**Status:** In progress', '**Status:** Done'));
    const ready = JSON.parse(pulser(dir, 'next', '--json', '--limit', '0').stdout) as Array<{
      id: string;
    }>;
    assert.ok(!ready.some((t) => t.id === 'milestone-m2/srch-1'));
    const bad = pulser(dir, 'check-item', 'phase-1');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /is a phase, not a checklist item/u);
  });

  it('set-status with a bad status is a usage error listing the valid ones', () => {
    const r = pulser(dir, 'set-status', 'srch-2', 'finished');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /invalid status "finished"/u);
    assert.match(r.stderr, /open, in_progress, done, blocked, deferred/u);
    noStack(r);
  });

  it('an unknown ID is one clear line with close IDs suggested', () => {
    const r = pulser(dir, 'show', 'milestone-m5');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no node with ID milestone-m5/u);
    assert.match(r.stderr, /did you mean .*milestone-m/u);
    noStack(r);
  });

  it('a file edited after import is refused and left untouched', () => {
    const file = join(dir, 'next.md');
    const edited = `${readFileSync(file, 'utf8')}\n- [ ] added by hand\n`;
    writeFileSync(file, edited);
    const r = pulser(dir, 'set-status', 'srch-2', 'done');
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
    const r = pulser(dir, 'summary', LAUNCH, '--json');
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as { title: string; totals: { phases: number; steps: number } };
    assert.equal(s.title, 'Launch the Lantern Notes App');
    assert.deepEqual([s.totals.phases, s.totals.steps], [2, 3]);
    assert.equal(pulser(dir, 'status').code, 1, 'still no workspace');
    const human = pulser(dir, 'summary', LAUNCH);
    assert.match(human.stdout, /^Launch the Lantern Notes App/u);
  });
});
