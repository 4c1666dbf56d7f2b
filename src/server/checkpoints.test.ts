/**
 * Ledger checkpoints while serving: the server signs the chain's head periodically once enough
 * events are unsigned, and signs whatever is left when it stops; the checkpoints verify.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sealLedger, verifyWorkspaceLedger } from '../workspace/ledger/ledger.js';
import { startServer, type RunningServer } from './serve.js';
import { testWorkspace, type TestWorkspace } from './test-helpers.js';

let t: TestWorkspace;
let server: RunningServer | null = null;

before(async () => {
  t = await testWorkspace('sealed');
});
after(async () => {
  await server?.close();
  await t.done();
});

async function until<T>(what: string, fn: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 2000; i++) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('pulser serve signs ledger checkpoints', () => {
  test('periodically past minUnsigned events, and on close', async () => {
    const store = t.ws.store;
    const append = (n: number) =>
      Promise.all(
        Array.from({ length: n }, (_, i) =>
          store.events.append({
            type: 'agent.call',
            actor: 'test',
            subject: null,
            data: { tool: 'test', arguments: { i }, outcome: 'ok' },
          }),
        ),
      );
    await append(1);
    await sealLedger(t.ws);
    const start = (await store.ledger.lastCheckpoint())!.seq;
    server = await startServer({
      workspaces: [t.ws],
      port: 0,
      webDir: null,
      checkpoints: { everyMs: 5, minUnsigned: 5 },
    });
    await append(2);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal((await store.ledger.lastCheckpoint())?.seq, start, 'fewer than 5 unsigned: none');
    await append(5);
    const head = (await store.events.head()).seq;
    const cp = await until('a periodic checkpoint', async () => {
      const last = await store.ledger.lastCheckpoint();
      return last !== null && last.seq >= head ? last : undefined;
    });
    assert.ok(cp.seq >= start + 7);
    await append(1);
    await server.close();
    server = null;
    assert.equal((await store.ledger.lastCheckpoint())?.seq, (await store.events.head()).seq);
    const { verdict } = await verifyWorkspaceLedger(t.ws);
    assert.equal(verdict.ok, true, JSON.stringify(verdict));
  });
});
