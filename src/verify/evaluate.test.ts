import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  evaluateFile,
  evaluateMeasurement,
  evaluateSignoff,
  parseMeasuredValue,
  type Measurement,
} from './index.js';

const at = (value: number, extra: Partial<Measurement> = {}): Measurement => ({
  value,
  by: 'ana',
  at: '2026-01-01T00:00:00.000Z',
  seq: 7,
  ...extra,
});

test('measured values as people type them', () => {
  assert.deepEqual(parseMeasuredValue('7.5'), { value: 7.5 });
  assert.deepEqual(parseMeasuredValue('7.5%'), { value: 7.5, unit: '%' });
  assert.deepEqual(parseMeasuredValue('4.2/5'), { value: 4.2, scale: 5 });
  assert.deepEqual(parseMeasuredValue('1,234 ms'), { value: 1234, unit: 'ms' });
  assert.deepEqual(parseMeasuredValue('−3'), { value: -3 });
  assert.deepEqual(parseMeasuredValue('.5'), { value: 0.5 });
  assert.equal(parseMeasuredValue('fast'), undefined);
  assert.equal(parseMeasuredValue(''), undefined);
});

test('measurements against targets: units, scales, missing values, unparsed targets', () => {
  assert.equal(
    evaluateMeasurement('m', '≥5%', { op: '>=', value: 5, unit: '%' }, at(5)).status,
    'pass',
  );
  assert.equal(
    evaluateMeasurement('m', '<2% CPU', { op: '<', value: 2, unit: '%' }, at(2)).status,
    'fail',
  );
  const scaled = evaluateMeasurement(
    'm',
    '>4.0/5.0',
    { op: '>', value: 4, scale: 5 },
    at(84, { scale: 100 }),
  );
  assert.equal(scaled.status, 'pass');
  assert.equal(scaled.evidence['measured'], 4.2);
  assert.equal(
    evaluateMeasurement('m', '0 new failures', { op: '==', value: 0 }, at(1)).status,
    'fail',
  );
  assert.equal(
    evaluateMeasurement('m', '≥5%', { op: '>=', value: 5 }, undefined).status,
    'pending',
  );
  const bad = evaluateMeasurement('m', 'fast enough', undefined, at(1));
  assert.equal(bad.status, 'error');
  assert.match(bad.reason, /not a comparison/u);
});

test('file verifiers: missing, refused, checksum', () => {
  const v = { kind: 'file' as const, path: 'a.txt', sha256: 'ab'.repeat(32) };
  assert.equal(evaluateFile('c', v, { kind: 'missing' }).status, 'fail');
  assert.equal(evaluateFile('c', v, { kind: 'refused', why: 'outside' }).status, 'error');
  assert.equal(
    evaluateFile('c', v, { kind: 'file', sha256: 'cd'.repeat(32), bytes: 1 }).status,
    'fail',
  );
  assert.equal(
    evaluateFile('c', v, { kind: 'file', sha256: 'ab'.repeat(32), bytes: 1 }).status,
    'pass',
  );
});

test('signoffs decide manual criteria until the criterion changes', () => {
  const s = { verdict: 'pass' as const, by: 'ana', reason: 'ok', at: 't', seq: 3, current: true };
  const pending = evaluateSignoff('c', undefined, undefined, 'p');
  assert.equal(pending.status, 'pending');
  assert.equal(evaluateSignoff('c', 'ana', s, 'p').status, 'pass');
  assert.equal(evaluateSignoff('c', 'ana', { ...s, verdict: 'fail' }, 'p').status, 'fail');
  const stale = evaluateSignoff('c', 'ana', { ...s, current: false }, 'p');
  assert.equal(stale.status, 'pending');
  assert.match(stale.reason, /changed since ana signed it off/u);
  // The hint names the plan, shell-quoted, so that pasting it works with several plans imported.
  const odd = evaluateSignoff('exit/it works', undefined, undefined, "ana's plan");
  assert.match(odd.reason, /`pulser signoff 'ana'\\''s plan:exit\/it works' --reason "\.\.\."`/u);
  assert.match(stale.reason, /pulser signoff p:c --reason/u);
});
