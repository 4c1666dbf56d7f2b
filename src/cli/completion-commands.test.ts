/**
 * Closing the loop with the real CLI: a dependency whose steps succeeded does not block a run;
 * a task whose steps succeeded is proposed (`propose`, the default) or marked done in the
 * markdown with its evidence (`auto`).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openWorkspace } from '../workspace/open.js';
import { pulserWith } from '../util/test-helpers.js';

/** `pulser ...args` in `cwd`, colours off; what it printed on stdout and stderr together. */
function pulserOut(cwd: string, ...args: string[]): { code: number | null; out: string } {
  const r = pulserWith(cwd, args, { env: { NO_COLOR: '1' } });
  return { code: r.code, out: r.stdout + r.stderr };
}

const PLAN = `# Loop

## Phase 1: Build

### Task 1.1: Prepare

\`\`\`sh
echo prepared > prep.txt
\`\`\`

### Task 1.2: Compile

Depends on: Task 1.1

\`\`\`sh
cat prep.txt
\`\`\`
`;

describe('closing the loop (real CLI)', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pulser-loop-'));
    writeFileSync(join(dir, 'plan.md'), PLAN);
    assert.equal(pulserOut(dir, 'import', 'plan.md').code, 0);
    // The test's person reviewed plan.md.
    assert.equal(pulserOut(dir, 'trust', 'plan.md').code, 0);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a dependency that has not run blocks, naming it and how to proceed', () => {
    const r = pulserOut(dir, 'run', 'plan:phase-1/task-1-2');
    assert.notEqual(r.code, 0);
    assert.match(
      r.out,
      /task phase-1\/task-1-2 depends on phase-1\/task-1-1 \("Task 1\.1: Prepare"\), which is not done in plan\.md and not part of this run: its step phase-1\/task-1-1\/step\/\S+ has not run/u,
    );
    assert.match(r.out, /pulser run plan:phase-1\/task-1-1/u);
  });

  it('propose: a task whose steps succeeded is offered, and the plan is unchanged', () => {
    const r = pulserOut(dir, 'run', 'plan:phase-1/task-1-1');
    assert.equal(r.code, 0, r.out);
    assert.match(
      r.out,
      /ready to mark done: phase-1\/task-1-1 "Task 1\.1: Prepare": pulser set-status plan:phase-1\/task-1-1 done/u,
    );
    assert.equal(readFileSync(join(dir, 'plan.md'), 'utf8'), PLAN);
    assert.match(pulserOut(dir, 'next').out, /ready to mark done: phase-1\/task-1-1/u);
  });

  it('a dependency whose steps succeeded is met, though unchecked in the markdown', () => {
    const r = pulserOut(dir, 'run', 'plan:phase-1/task-1-2');
    assert.equal(r.code, 0, r.out);
  });

  it('auto: the task is marked done in the markdown, with its evidence recorded', async () => {
    writeFileSync(join(dir, '.pulser', 'config.json'), JSON.stringify({ completion: 'auto' }));
    const r = pulserOut(dir, 'run', 'plan:phase-1/task-1-2');
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /marked done in the plan: phase-1\/task-1-1 "Task 1\.1: Prepare"/u);
    assert.match(r.out, /marked done in the plan: phase-1\/task-1-2 "Task 1\.2: Compile"/u);
    assert.notEqual(readFileSync(join(dir, 'plan.md'), 'utf8'), PLAN);
    assert.match(pulserOut(dir, 'show', 'plan:phase-1/task-1-2').out, /status:\s+done/u);
    const ws = await openWorkspace({ root: dir, env: {} });
    try {
      const done = await ws.store.events.read({ types: ['task.completed'] });
      assert.deepEqual(
        done.map((e) => [e.subject, (e.data as { policy: string; steps: string[] }).policy]),
        [
          ['phase-1/task-1-1', 'auto'],
          ['phase-1/task-1-2', 'auto'],
        ],
      );
      assert.equal((done[1]!.data as { steps: string[] }).steps.length, 1);
    } finally {
      await ws.close();
    }
    assert.doesNotMatch(pulserOut(dir, 'next').out, /ready to mark done/u);
  });
});
