import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pulser } from '../util/test-helpers.js';

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

describe('pulser report --plan (real CLI)', () => {
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
});
