import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bucketTokens,
  bucketWaitMs,
  decideFailure,
  decideLeaseExpiry,
  endedRunStatus,
  laneRoom,
  liveRunStatus,
  transitionEffects,
} from './decisions.js';

describe('runtime decisions (backend-neutral)', () => {
  it('counts open and waiting steps, unblocks on success, cascades on failure', () => {
    assert.deepEqual(transitionEffects('running', 'succeeded'), {
      open: -1,
      waiting: 0,
      unblock: true,
      cancelDependents: false,
    });
    assert.deepEqual(transitionEffects('queued', 'awaiting_approval'), {
      open: 0,
      waiting: 1,
      unblock: false,
      cancelDependents: false,
    });
    assert.equal(transitionEffects('running', 'failed').cancelDependents, true);
    assert.equal(transitionEffects('running', 'failed', false).cancelDependents, false);
    assert.equal(transitionEffects('failed', 'cancelled').cancelDependents, false);
    assert.equal(transitionEffects('quarantined', 'skipped').waiting, -1);
  });

  it('never shows a run with a skipped step as succeeded', () => {
    const tally = { failed: 0, cancelled: 0, skipped: 1, total: 3 };
    assert.deepEqual(endedRunStatus(tally, false), { stored: 'succeeded', shown: 'skipped' });
    assert.deepEqual(endedRunStatus({ ...tally, failed: 1 }, false).shown, 'failed');
    assert.deepEqual(endedRunStatus({ ...tally, failed: 1 }, true).shown, 'cancelled');
    assert.equal(liveRunStatus(1, true), 'waiting');
    assert.equal(liveRunStatus(0, true), 'running');
    assert.equal(liveRunStatus(0, false), 'queued');
  });

  it('retries, then falls back, then quarantines or ends a failure', () => {
    const base = {
      retryable: true,
      retryDelayMs: 500,
      retries: 0,
      maxRetries: 2,
      fallback: true,
      quarantine: true,
      now: 1000,
    };
    assert.deepEqual(decideFailure(base), { kind: 'retry', at: 1500 });
    assert.deepEqual(decideFailure({ ...base, retries: 2 }), { kind: 'fallback' });
    assert.deepEqual(decideFailure({ ...base, retryable: false, fallback: false }), {
      kind: 'quarantine',
    });
    assert.deepEqual(
      decideFailure({ ...base, retryDelayMs: null, fallback: false, quarantine: false }),
      { kind: 'end' },
    );
    assert.equal(decideLeaseExpiry(3, 3), 'requeue');
    assert.equal(decideLeaseExpiry(4, 3), 'quarantine');
  });

  it('limits lanes (with a default) and refills token buckets', () => {
    const active = new Map([['a', 2]]);
    assert.equal(laneRoom({ a: 2 }, active, 'a'), false);
    assert.equal(laneRoom({ a: 3 }, active, 'a'), true);
    assert.equal(laneRoom({ '*': 0 }, active, 'b'), false);
    assert.equal(laneRoom({}, active, 'a'), true);
    const limit = { perSecond: 2, burst: 4 };
    assert.equal(bucketTokens(null, limit, 0), 4);
    assert.equal(bucketTokens({ tokens: 0, updatedMs: 0 }, limit, 1000), 2);
    assert.equal(bucketTokens({ tokens: 3, updatedMs: 0 }, limit, 10_000), 4);
    assert.equal(bucketWaitMs(0.5, limit), 250);
  });
});
