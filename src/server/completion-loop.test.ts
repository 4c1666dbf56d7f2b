import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { importPlan } from '../workspace/plans/import-plan.js';
import { openWorkspace } from '../workspace/open.js';
import { startRun, waitForRun } from '../workspace/runs/runs.js';
import { trustFile } from '../workspace/access/trust.js';
import { startServer } from './serve.js';

const PLAN = '# Auto\n\n## Task 1: Greet\n\n```sh\necho hello\n```\n';

test('serve with "completion": "auto" marks a task done when its run succeeds', async () => {
  const root = mkdtempSync(join(tmpdir(), 'pulser-auto-'));
  mkdirSync(join(root, '.pulser'));
  writeFileSync(join(root, '.pulser', 'config.json'), JSON.stringify({ completion: 'auto' }));
  writeFileSync(join(root, 'auto.md'), PLAN);
  const ws = await openWorkspace({ root, create: true, env: {} });
  const server = await startServer({
    workspaces: [ws],
    port: 0,
    webDir: null,
    checkpoints: false,
    hub: { pollMs: 10 },
    worker: { pollMs: 10 },
  });
  try {
    const { stored } = await importPlan(ws, join(root, 'auto.md'), 'cli:test');
    await trustFile(ws, join(root, 'auto.md'), 'cli:test');
    const { run } = await startRun(ws, { target: `${stored.id}:task-1`, actor: 'cli:ana' });
    assert.equal((await waitForRun(ws, run.id, { until: 'finished' })).status, 'succeeded');
    for (;;) {
      const done = await ws.store.events.read({ types: ['task.completed'] });
      if (done.length > 0) {
        assert.deepEqual(
          [done[0]!.actor, done[0]!.subject, (done[0]!.data as { runId: string }).runId],
          ['cli:ana', 'task-1', run.id],
        );
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.notEqual(readFileSync(join(root, 'auto.md'), 'utf8'), PLAN);
    assert.equal((await ws.store.plans.get(stored.id))?.plan.tasks[0]?.status, 'done');
  } finally {
    await server.close();
    await ws.close();
    rmSync(root, { recursive: true, force: true });
  }
});
