import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pulser, pulserWith } from '../util/test-helpers.js';

const ALPHA = `# Alpha launch

## Phase 1: Build

### Task 1.1: Say hello
\`\`\`sh
echo hello
\`\`\`
`;

const BETA = `# Beta cleanup

## Phase 1: Tidy

### Task 1.1: Sweep
\`\`\`sh
echo sweep
\`\`\`
`;

describe('pulser report --plan and pulser runs (real CLI)', () => {
  let dir = '';
  let alpha = '';
  let beta = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pulser-report-plan-'));
    writeFileSync(join(dir, 'alpha.md'), ALPHA);
    writeFileSync(join(dir, 'beta.md'), BETA);
    for (const f of ['alpha.md', 'beta.md']) {
      const r = pulser(dir, 'import', f);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(pulser(dir, 'trust', f).code, 0);
    }
    const status = JSON.parse(pulser(dir, 'status', '--json').stdout) as {
      plans: Array<{ id: string; title: string }>;
    };
    alpha = status.plans.find((p) => p.title === 'Alpha launch')!.id;
    beta = status.plans.find((p) => p.title === 'Beta cleanup')!.id;
    assert.equal(pulser(dir, 'run', alpha).code, 0);
    assert.equal(pulser(dir, 'run', beta).code, 0);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reports one plan: its title, its phases, its runs with title, status and duration', () => {
    const r = pulser(dir, 'report', '--plan', alpha);
    assert.equal(r.code, 0, r.stderr);
    const title = r.stdout.split('\n')[0];
    assert.equal(title, '# Pulser report: Alpha launch');
    assert.doesNotMatch(r.stdout, /Beta cleanup|Tidy/u);
    const runs = r.stdout.split('\n').filter((l) => /^\| `run-/u.test(l));
    assert.equal(runs.length, 1, r.stdout);
    assert.match(runs[0]!, /\| succeeded \| /u);
    assert.match(runs[0]!, /\| [0-9.]+ (ms|s) \|/u);
    const json = JSON.parse(pulser(dir, 'report', '--plan', beta, '-f', 'json').stdout) as {
      plans: Array<{ id: string }>;
      runs: Array<{ target: string }>;
    };
    assert.deepEqual(
      json.plans.map((p) => p.id),
      [beta],
    );
    assert.equal(json.runs.length, 1);
    assert.ok(json.runs[0]!.target.startsWith(`${beta}:`));
  });

  it('the whole report still carries every plan', () => {
    const r = pulser(dir, 'report');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Alpha launch/u);
    assert.match(r.stdout, /Beta cleanup/u);
  });

  it('an unknown plan ID is a one-line error naming it', () => {
    const r = pulser(dir, 'report', '--plan', 'no-such-plan');
    assert.notEqual(r.code, 0);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trim().split('\n');
    assert.match(lines[0]!, /no-such-plan/u);
    assert.doesNotMatch(r.stderr, /\n\s+at /u);
  });

  it('pulser runs shows how long ago and how long, not ISO timestamps; --json keeps them exact', () => {
    const r = pulser(dir, 'runs');
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /\d{4}-\d\d-\d\d[T ]\d\d:\d\d/u);
    const [head, ...rows] = r.stdout.trimEnd().split('\n');
    assert.match(head!, /CREATED +TOOK +TITLE/u);
    assert.equal(rows.length, 2);
    for (const row of rows) {
      assert.match(row, / succeeded .* (just now|\d+ s ago|\d+ min ago) +\d+(\.\d)? (ms|s) +\S/u);
    }
    const json = JSON.parse(pulser(dir, 'runs', '--json').stdout) as {
      runs: Array<{ id: string; createdAt: string; finishedAt: string }>;
    };
    for (const run of json.runs) {
      assert.match(run.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/u);
      assert.match(run.finishedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/u);
    }
    const one = pulser(dir, 'runs', json.runs[0]!.id);
    assert.equal(one.code, 0, one.stderr);
    assert.match(
      one.stdout,
      /^ {2}created (just now|\d+ s ago|\d+ min ago) · finished (just now|\d+ s ago|\d+ min ago), took \d+(\.\d)? (ms|s)$/mu,
    );
    assert.doesNotMatch(one.stdout, /\d\d:\d\d:\d\d\.\d{3}Z/u);
  });

  it('colours status words only on request or a terminal, never with NO_COLOR, --no-color or --json', () => {
    const ESC = '\u001b';
    const shown = (text: string): string => text.split(ESC).join('<ESC>');
    const forced = pulserWith(dir, ['runs'], { env: { FORCE_COLOR: '1', NO_COLOR: '' } });
    assert.equal(forced.code, 0, forced.stderr);
    const rows = forced.stdout.trimEnd().split('\n').slice(1);
    assert.equal(rows.length, 2);
    for (const row of rows)
      assert.match(shown(row), /^run-[0-9a-f]{8} +<ESC>\[32msucceeded<ESC>\[39m /u);
    assert.equal(forced.stdout.split(ESC).length - 1, 4, 'only the two status words');
    const id = /run-[0-9a-f]{8}/u.exec(rows[0]!)![0];
    const one = pulserWith(dir, ['runs', id], { env: { FORCE_COLOR: '1', NO_COLOR: '' } });
    assert.match(shown(one.stdout), /^run-[0-9a-f]{8} {2}<ESC>\[32msucceeded<ESC>\[39m /u);
    assert.match(shown(one.stdout), /^ {2}run-[0-9a-f]{8}\.1 +<ESC>\[32msucceeded<ESC>\[39m /mu);
    for (const [args, env] of [
      [['runs'], { FORCE_COLOR: '', NO_COLOR: '' }],
      [['runs'], { FORCE_COLOR: '1', NO_COLOR: '1' }],
      [['runs', '--no-color'], { FORCE_COLOR: '1', NO_COLOR: '' }],
      [['runs', '--json'], { FORCE_COLOR: '1', NO_COLOR: '' }],
      [['runs', id, '--no-color'], { FORCE_COLOR: '1', NO_COLOR: '' }],
    ] as const) {
      const r = pulserWith(dir, args, { env });
      assert.equal(r.code, 0, r.stderr);
      assert.ok(!r.stdout.includes(ESC), `${args.join(' ')} ${JSON.stringify(env)}: ${r.stdout}`);
    }
  });
});
