import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agoText, durationText, tookBetween } from './human-time.js';

describe('human times', () => {
  const now = Date.parse('2026-12-03T12:00:00.000Z');
  it('says how long ago', () => {
    assert.equal(agoText('2026-12-03T12:00:00.000Z', now), 'just now');
    assert.equal(agoText('2026-12-03T12:00:05.000Z', now), 'just now');
    assert.equal(agoText('2026-12-03T11:59:18.500Z', now), '41 s ago');
    assert.equal(agoText('2026-12-03T11:57:00.000Z', now), '3 min ago');
    assert.equal(agoText('2026-12-03T07:00:00.000Z', now), '5 h ago');
    assert.equal(agoText('2026-12-02T11:00:00.000Z', now), '1 day ago');
    assert.equal(agoText('2026-11-30T11:00:00.000Z', now), '3 days ago');
    assert.equal(agoText('2026-10-02T11:00:00.000Z', now), '2026-10-02');
  });
  it('says how long', () => {
    assert.equal(durationText(850), '850 ms');
    assert.equal(durationText(2300), '2.3 s');
    assert.equal(durationText(250_000), '4 min 10 s');
    assert.equal(tookBetween('2026-12-03T12:00:00.000Z', '2026-12-03T12:00:02.300Z'), '2.3 s');
    assert.equal(tookBetween('2026-12-03T12:00:00.000Z', null), '—');
  });
});
