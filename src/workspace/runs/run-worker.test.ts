/**
 * Workers sign the ledger's head: every CHECKPOINT_EVERY events while they run, and on stop.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CHECKPOINT_EVERY, CHECKPOINTS_FILE, verifyWorkspaceLedger } from '../ledger/ledger.js';
import { startWorker } from './run-worker.js';
import { runWorkspace } from './run-test-helpers.js';

describe('startWorker signs checkpoints', () => {
  it('after CHECKPOINT_EVERY unsigned events, and when it stops', async () => {
    const { ws, done } = await runWorkspace();
    try {
      const worker = startWorker(ws, { pollMs: 10 });
      for (let i = 0; i < CHECKPOINT_EVERY - 1; i++) {
        await ws.store.events.append({
          type: 'agent.call',
          actor: 'cli:test',
          subject: null,
          data: { tool: 'test', arguments: { i }, outcome: 'ok' },
        });
      }
      // Fewer than CHECKPOINT_EVERY unsigned events: a running worker waits for more.
      assert.equal(await ws.store.ledger.lastCheckpoint(), null);
      await ws.store.events.append({
        type: 'agent.call',
        actor: 'cli:test',
        subject: null,
        data: { tool: 'test', arguments: {}, outcome: 'ok' },
      });
      const deadline = Date.now() + 60_000;
      let cp = await ws.store.ledger.lastCheckpoint();
      while (cp === null && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        cp = await ws.store.ledger.lastCheckpoint();
      }
      // (Creating the key on first use appends one event of its own.)
      assert.ok((cp?.seq ?? 0) >= CHECKPOINT_EVERY, 'the worker signed the head');
      await ws.store.events.append({
        type: 'agent.call',
        actor: 'cli:test',
        subject: null,
        data: { tool: 'test', arguments: {}, outcome: 'ok' },
      });
      await worker.stop();
      const head = (await ws.store.events.head()).seq;
      assert.ok(head > (cp?.seq ?? 0));
      assert.equal((await ws.store.ledger.lastCheckpoint())?.seq, head, 'signed on stop');
      const lines = readFileSync(join(ws.dir, CHECKPOINTS_FILE), 'utf8').trim().split('\n');
      assert.equal(lines.length, 2);
      const check = await verifyWorkspaceLedger(ws);
      assert.equal(check.verdict.ok, true);
      assert.equal(check.verdict.lastCheckpoint?.seq, head);
    } finally {
      await done();
    }
  });
});
