import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Gate } from '../ir/index.js';
import {
  decideGate,
  evaluateMetric,
  findAnnotation,
  isFlaky,
  parseAnnotation,
  parseSidecar,
  satisfies,
  type Verdict,
} from './index.js';

test('comparisons decide measured values, ranges in either order', () => {
  assert.equal(satisfies({ op: '>=', value: 5, unit: '%' }, 5), true);
  assert.equal(satisfies({ op: '>=', value: 5, unit: '%' }, 4.99), false);
  assert.equal(satisfies({ op: '<', value: 2, unit: '% CPU' }, 1.9), true);
  assert.equal(satisfies({ op: '<', value: 2, unit: '% CPU' }, 2), false);
  assert.equal(satisfies({ op: '>', value: 4, scale: 5 }, 4.2), true);
  assert.equal(satisfies({ op: '==', value: 0 }, 0), true);
  assert.equal(satisfies({ op: '==', value: 0 }, 1), false);
  assert.equal(satisfies({ op: 'between', value: -30, max: -50, relative: true }, -40), true);
  assert.equal(satisfies({ op: 'between', value: -50, max: -30, relative: true }, -20), false);
});

test('a metric without a measurement is pending, an unparsed target is an error', () => {
  assert.equal(evaluateMetric('m', { op: '>=', value: 5 }, undefined).status, 'pending');
  assert.equal(evaluateMetric('m', undefined, 3).status, 'error');
  const v = evaluateMetric('m', { op: '>=', value: 5, unit: '%' }, 7);
  assert.equal(v.status, 'pass');
  assert.match(v.reason, /measured 7, target ≥ 5%/);
});

test('a gate passes only when every criterion and metric passes', () => {
  const gate: Gate = { kind: 'gate', id: 'phase-1/gate', criteria: ['c1', 'c2'], metrics: ['m1'] };
  const pass = (target: string): Verdict => ({
    target,
    status: 'pass',
    reason: 'ok',
    evidence: {},
  });
  const all = new Map([
    ['c1', pass('c1')],
    ['c2', pass('c2')],
    ['m1', pass('m1')],
  ]);
  assert.equal(decideGate(gate, all).status, 'pass');
  const missing = new Map(all);
  missing.delete('c2');
  const pending = decideGate(gate, missing);
  assert.equal(pending.status, 'pending');
  assert.deepEqual(
    pending.blocking.map((v) => v.target),
    ['c2'],
  );
  const failing = new Map(all);
  failing.set('m1', { target: 'm1', status: 'fail', reason: 'measured 1', evidence: {} });
  assert.equal(decideGate(gate, failing).status, 'fail');
  const empty = decideGate({ kind: 'gate', id: 'g', criteria: [], metrics: [] }, new Map());
  assert.equal(empty.status, 'pass');
  assert.equal(empty.empty, true);
});

test('a verifier that flips on the same input is flaky; a changed input is not', () => {
  assert.equal(
    isFlaky(
      [
        { status: 'pass', inputDigest: 'a' },
        { status: 'fail', inputDigest: 'a' },
      ],
      'a',
    ),
    true,
  );
  assert.equal(
    isFlaky(
      [
        { status: 'pass', inputDigest: 'a' },
        { status: 'fail', inputDigest: 'b' },
      ],
      'a',
    ),
    false,
  );
});

test('annotations bind verifiers without disturbing the rendered line', () => {
  const body = findAnnotation(
    '- Tests pass <!-- verify: command `npm test -- --grep "x"` match="\\d+ passed" -->',
  );
  assert.ok(body !== undefined);
  assert.deepEqual(parseAnnotation(body), {
    ok: true,
    verifier: {
      kind: 'command',
      command: 'npm test -- --grep "x"',
      expectExit: 0,
      outputMatch: '\\d+ passed',
    },
  });
  assert.deepEqual(parseAnnotation('file reports/out.md'), {
    ok: true,
    verifier: { kind: 'file', path: 'reports/out.md' },
  });
  assert.deepEqual(parseAnnotation('manual @alice'), {
    ok: true,
    verifier: { kind: 'manual', approver: 'alice' },
  });
  assert.deepEqual(parseAnnotation('{"kind":"file","path":"a"}'), {
    ok: true,
    verifier: { kind: 'file', path: 'a' },
  });
  assert.equal(parseAnnotation('command npm test').ok, false);
  assert.equal(parseAnnotation('command `x` exit=abc').ok, false);
  assert.equal(parseAnnotation('command `x` match="("').ok, false);
  assert.equal(parseAnnotation('teleport now').ok, false);
  assert.equal(parseAnnotation('{oops').ok, false);
});

test('sidecar bindings are validated per criterion', () => {
  const { bindings, errors } = parseSidecar({
    'phase-n1/tests-cover': { kind: 'command', command: 'npm test' },
    'phase-n1/bad': { kind: 'command' },
  });
  assert.equal(bindings.get('phase-n1/tests-cover')?.kind, 'command');
  assert.equal(errors.length, 1);
  assert.equal(errors[0]?.id, 'phase-n1/bad');
  assert.equal(parseSidecar([]).errors.length, 1);
});
