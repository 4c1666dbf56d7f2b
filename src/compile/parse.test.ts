import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findComparison, parseComparison, parseEstimate } from './index.js';

test('target phrases parse into comparisons', () => {
  const cases: ReadonlyArray<readonly [string, unknown]> = [
    ['≥5%', { op: '>=', value: 5, unit: '%' }],
    ['>=5', { op: '>=', value: 5 }],
    ['<2% CPU', { op: '<', value: 2, unit: '%' }],
    ['>4.0/5.0', { op: '>', value: 4, scale: 5 }],
    ['0 new failures', { op: '==', value: 0, unit: 'new failures' }],
    ['-30-50%', { op: 'between', value: -50, max: -30, unit: '%', relative: true }],
    ['≥ 70%', { op: '>=', value: 70, unit: '%' }],
    ['5-15%', { op: 'between', value: 5, max: 15, unit: '%' }],
    ['+20%', { op: '>=', value: 20, unit: '%', relative: true }],
    ['<= 1,500 ms', { op: '<=', value: 1500, unit: 'ms' }],
    ['at least 3 machines', { op: '>=', value: 3, unit: 'machines' }],
    ['<10s E2E latency', { op: '<', value: 10, unit: 's' }],
  ];
  for (const [text, expected] of cases) assert.deepEqual(parseComparison(text), expected, text);
  assert.equal(parseComparison('excellent'), undefined);
  assert.equal(parseComparison('Zero-code observability'), undefined);
});

test('comparisons are found inside criteria text, arrows are not operators', () => {
  assert.deepEqual(findComparison('Eval coverage ≥ 70% of critical flows')?.comparison, {
    op: '>=',
    value: 70,
    unit: '%',
  });
  assert.equal(
    findComparison('contains >=5 externally sourced passed nodes')?.phrase,
    '>=5 externally sourced passed nodes',
  );
  assert.equal(findComparison('NLP → IR -> Code <- main'), undefined);
  assert.equal(findComparison('no numbers here'), undefined);
});

test('estimates: hours, day ranges, LOC with commas, several parts, other languages', () => {
  assert.deepEqual(parseEstimate('2 hours')?.parts, [{ value: { min: 2, max: 2 }, unit: 'hours' }]);
  assert.deepEqual(parseEstimate('400 LOC, 2-3 days')?.parts, [
    { value: { min: 400, max: 400 }, unit: 'loc' },
    { value: { min: 2, max: 3 }, unit: 'days' },
  ]);
  assert.deepEqual(parseEstimate('1,300 LOC')?.parts, [
    { value: { min: 1300, max: 1300 }, unit: 'loc' },
  ]);
  assert.deepEqual(parseEstimate('30 min')?.parts, [
    { value: { min: 30, max: 30 }, unit: 'minutes' },
  ]);
  assert.deepEqual(parseEstimate('2 a 3 dias')?.parts, [
    { value: { min: 2, max: 3 }, unit: 'days' },
  ]);
  assert.deepEqual(parseEstimate('3 jours')?.parts, [{ value: { min: 3, max: 3 }, unit: 'days' }]);
  assert.deepEqual(parseEstimate('4 Stunden')?.parts, [
    { value: { min: 4, max: 4 }, unit: 'hours' },
  ]);
  assert.deepEqual(parseEstimate('2時間')?.parts, [{ value: { min: 2, max: 2 }, unit: 'hours' }]);
  assert.equal(parseEstimate('Friday EOD'), undefined);
});

test('an HTML comment holding `>` is skipped whole: criterion text and IDs do not change', async () => {
  const { readInline } = await import('./inline-text.js');
  const text = (line: string): string =>
    readInline(line, new Set())
      .map((l) => l.text)
      .join('\n')
      .trim();
  assert.equal(text('Counted <!-- verify: command `echo run >> count` -->'), 'Counted');
  assert.equal(text('Fast <!-- verify: metric p99 >5% --> enough'), 'Fast  enough');
  assert.equal(text('a <b> c'), 'a  c');
});
