import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compilePlan } from '../../compile/index.js';
import { examplePath } from '../../util/test-helpers.js';
import { openSqliteStore } from './index.js';

const example = examplePath('launch.md');

describe('SqlitePlanStore', () => {
  it('stores versions, keeps the ID per path, and appends plan.imported with the diff in the same transaction', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pulser-store-'));
    const file = join(dir, 'pulser.db');
    try {
      const bytes = readFileSync(example);
      const plan = compilePlan(bytes, { path: 'plan.md' }).plan!;
      let store = openSqliteStore(file);
      const first = await store.plans.save({
        suggestedId: 'plan',
        path: 'plan.md',
        plan,
        actor: 'test',
      });
      assert.equal(first.stored.version, 1);
      assert.equal(first.previous, null);
      const edited = compilePlan(
        Buffer.from(
          bytes.toString('utf8').replace('## Phase 2: Release', '## Phase 2: Release (DONE)'),
        ),
        {
          path: 'plan.md',
        },
      ).plan!;
      await store.close();
      store = openSqliteStore(file);
      const second = await store.plans.save({
        suggestedId: 'other',
        path: 'plan.md',
        plan: edited,
        actor: 'test',
      });
      assert.equal(second.stored.id, 'plan');
      assert.equal(second.stored.version, 2);
      assert.deepEqual(
        second.diff.changed.map((c) => c.id),
        ['phase-2'],
      );
      const clash = await store.plans.save({
        suggestedId: 'plan',
        path: 'b/plan.md',
        plan,
        actor: 'test',
      });
      assert.equal(clash.stored.id, 'plan-2');
      assert.deepEqual(
        (await store.plans.list()).map((p) => p.id),
        ['plan', 'plan-2'],
      );
      assert.equal((await store.plans.getByPath('plan.md'))?.plan.phases[1]?.status, 'done');
      assert.deepEqual(
        (await store.plans.findNodes('phase-2')).map((r) => r.planId),
        ['plan', 'plan-2'],
      );
      const events = await store.events.read({ types: ['plan.imported'] });
      assert.deepEqual(
        events.map((e) => (e.data as { version: number; diff: { changed: number } }).diff.changed),
        [0, 1, 0],
      );
      assert.deepEqual(await store.integrityCheck(), []);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
