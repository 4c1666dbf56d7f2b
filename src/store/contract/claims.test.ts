import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { compilePlan } from '../../compile/index.js';
import { ManualClock } from '../clock.js';
import type { Store } from '../store.js';
import { storeBackends } from './backends.js';

const PLAN = '# P\n\n## Phase 1\n\n### Task A\n\n- [ ] a\n\n### Task B\n\n- [ ] b\n';

for (const backend of storeBackends) {
  describe(`claim store: ${backend.name}`, async () => {
    const unavailable = await backend.unavailable();
    if (unavailable !== null && process.env.CI === 'true') throw new Error(unavailable);
    const skip = unavailable ?? (backend.parts.has('claims') ? false : 'no claim store');
    let file = '';
    const clock = new ManualClock();
    let store: Store;
    before(async () => {
      if (skip !== false) return;
      file = await backend.create();
      store = await backend.open(file, { clock });
      const plan = compilePlan(Buffer.from(PLAN), { path: 'p.md' }).plan!;
      await store.plans.save({ suggestedId: 'p', path: 'p.md', plan, actor: 'test' });
    });
    after(async () => {
      if (skip !== false) return;
      await store.close();
      await backend.destroy(file);
    });

    const input = (agent: string) => ({
      planId: 'p',
      taskId: 'phase-1/task-a',
      agent,
      leaseMs: 1000,
    });

    it('gives a task to one agent, refuses another, renews for the holder', { skip }, async () => {
      const won = await store.claims.claim(input('agent:a'));
      assert.ok(won.ok);
      assert.equal(won.renewed, false);
      assert.deepEqual(
        won.events.map((e) => [e.type, e.actor, e.subject]),
        [['task.claimed', 'agent:a', 'p:phase-1/task-a']],
      );
      const lost = await store.claims.claim(input('agent:b'));
      assert.equal(lost.ok, false);
      assert.equal(!lost.ok && lost.holder.agent, 'agent:a');
      clock.advance(500);
      const again = await store.claims.claim(input('agent:a'));
      assert.ok(again.ok && again.renewed);
      assert.equal(again.ok && again.claim.expiresAt, new Date(clock.now() + 1000).toISOString());
    });

    it(
      'a second connection to the same file sees the claim and cannot take it',
      { skip },
      async () => {
        const other = await backend.open(file, { clock });
        try {
          const lost = await other.claims.claim(input('agent:c'));
          assert.equal(lost.ok, false);
        } finally {
          await other.close();
        }
      },
    );

    it(
      'progress renews only the holder; an expired claim reads as free without a write',
      { skip },
      async () => {
        assert.equal(await store.claims.progress({ ...input('agent:b'), note: 'x' }), null);
        const renewed = await store.claims.progress({ ...input('agent:a'), note: 'half way' });
        assert.equal(renewed?.note, 'half way');
        clock.advance(1000);
        const head = await store.events.head();
        assert.equal(await store.claims.get('p', 'phase-1/task-a'), null);
        assert.deepEqual(await store.claims.list(), []);
        assert.deepEqual(await store.events.head(), head);
        assert.equal(await store.claims.progress({ ...input('agent:a'), note: 'late' }), null);
      },
    );

    it(
      'expire() releases expired claims with an event; a new agent then wins',
      { skip },
      async () => {
        const expired = await store.claims.expire();
        assert.deepEqual(
          expired.map((c) => c.agent),
          ['agent:a'],
        );
        const [released] = await store.events.read({ types: ['task.released'] });
        assert.equal(released?.actor, 'system');
        assert.deepEqual(released?.data, {
          planId: 'p',
          taskId: 'phase-1/task-a',
          agent: 'agent:a',
          reason: 'expired',
        });
        assert.deepEqual(await store.claims.expire(), []);
        const won = await store.claims.claim(input('agent:b'));
        assert.ok(won.ok);
      },
    );

    it(
      'claiming over an expired claim records its release first, in the same transaction',
      { skip },
      async () => {
        clock.advance(5000);
        const won = await store.claims.claim(input('agent:c'));
        assert.ok(won.ok);
        assert.deepEqual(
          won.events.map((e) => [e.type, (e.data as { agent: string }).agent]),
          [
            ['task.released', 'agent:b'],
            ['task.claimed', 'agent:c'],
          ],
        );
      },
    );

    it('release ends only the holder’s claim', { skip }, async () => {
      const b = { planId: 'p', taskId: 'phase-1/task-a', reason: 'released' as const };
      assert.equal(await store.claims.release({ ...b, agent: 'agent:a' }), null);
      const released = await store.claims.release({ ...b, agent: 'agent:c', note: 'stuck' });
      assert.equal(released?.agent, 'agent:c');
      assert.equal(await store.claims.get('p', 'phase-1/task-a'), null);
      const last = (await store.events.read({ types: ['task.released'] })).at(-1);
      assert.deepEqual(last?.data, {
        planId: 'p',
        taskId: 'phase-1/task-a',
        agent: 'agent:c',
        reason: 'released',
        note: 'stuck',
      });
    });
  });
}
