import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { compilePlan } from '../../compile/index.js';
import { examplePath } from '../../util/test-helpers.js';
import { storeBackends } from './backends.js';

const example = examplePath('launch.md');

for (const backend of storeBackends) {
  describe(`plan store: ${backend.name}`, async () => {
    const unavailable = await backend.unavailable();
    if (unavailable !== null && process.env.CI === 'true') throw new Error(unavailable);
    const skip = unavailable ?? (backend.parts.has('plans') ? false : 'no plan store');
    it(
      'stores versions, keeps the ID per path, and appends plan.imported with the diff in the same transaction',
      { skip },
      async () => {
        const file = await backend.create();
        try {
          const bytes = readFileSync(example);
          const plan = compilePlan(bytes, { path: 'plan.md' }).plan!;
          let store = await backend.open(file);
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
          store = await backend.open(file);
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
            events.map(
              (e) => (e.data as { version: number; diff: { changed: number } }).diff.changed,
            ),
            [0, 1, 0],
          );
          assert.deepEqual(await store.integrityCheck(), []);
          await store.close();
        } finally {
          await backend.destroy(file);
        }
      },
    );
  });
}
