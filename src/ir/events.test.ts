import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openSqliteStore } from '../store/sqlite/index.js';
import { eventTypes, checkEventInput, eventProblem, readEvent } from './events.js';

const stored = (type: string, data: unknown) => ({
  seq: 7,
  ts: '2026-01-01T00:00:00.000Z',
  type,
  actor: 'cli:ana',
  subject: null,
  data,
  hash: 'f'.repeat(64),
});

describe('the event catalog', () => {
  it('checks the data of each type, naming the first bad field', () => {
    assert.equal(eventProblem('step.queued', { runId: 'r', stepId: 'r.1' }), null);
    assert.equal(
      eventProblem('step.queued', { runId: 'r', stepId: 7 }),
      'data.stepId: Invalid input: expected string, received number',
    );
    assert.match(eventProblem('gate.decided', { planId: 'p' }) ?? '', /^data\.planSha: /u);
    assert.match(eventProblem('metric.recorded', null) ?? '', /^data: /u);
    // Fields it does not list are allowed: an older or newer Pulser may record more.
    assert.equal(
      eventProblem('session.archived', { sessionId: 's', archived: true, extra: [1] }),
      null,
    );
  });

  it('refuses an unknown type or a mismatch at append: an error, nothing written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pulser-catalog-'));
    const store = openSqliteStore(join(dir, 'pulser.db'));
    try {
      const head = await store.events.head();
      const base = { actor: 'cli:ana', subject: null };
      // The SQLite store throws before it returns a promise: `async` makes both a rejection.
      await assert.rejects(
        async () => store.events.append({ ...base, type: 'step.renamed', data: {} }),
        /event "step\.renamed" refused: the type is not in the event catalog; nothing was written/u,
      );
      await assert.rejects(
        async () => store.events.append({ ...base, type: 'trust.granted', data: { planId: 'p' } }),
        /event "trust\.granted" refused: data\.path: .*; nothing was written/u,
      );
      assert.deepEqual(await store.events.head(), head);
      const ok = await store.events.append({
        ...base,
        type: 'session.archived',
        data: { sessionId: 's-1', archived: true },
      });
      assert.equal(ok.seq, head.seq + 1);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('at read: an unknown type is marked unknown; a mismatch names the seq and type', () => {
    assert.ok('unknown' in readEvent(stored('step.renamed', {})));
    assert.equal(readEvent(stored('run.created', { runId: 'r' })).type, 'run.created');
    assert.throws(
      () => readEvent(stored('run.created', { runId: 3 })),
      /^StoreError: event 7 \(run\.created\) of the ledger does not match the event catalog: data\.runId: /u,
    );
  });

  it('catalogues every type once, dotted', () => {
    assert.equal(new Set(eventTypes()).size, eventTypes().length);
    for (const t of eventTypes()) assert.match(t, /^[a-z]+(\.[a-z_]+)+$/u);
    assert.throws(() => checkEventInput({ type: 'x', data: null }), /not in the event catalog/u);
  });
});
