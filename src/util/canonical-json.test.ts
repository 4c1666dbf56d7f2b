import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CanonicalJsonError, canonicalJson } from './canonical-json.js';

test('sorts keys, drops whitespace, writes numbers like JSON.stringify (RFC 8785 3.2.2)', () => {
  const input = JSON.parse(
    '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],' +
      '"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
  ) as unknown;
  assert.equal(
    canonicalJson(input),
    '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
      '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
  );
});

test('orders keys by UTF-16 code units (RFC 8785 3.2.3)', () => {
  const input = {
    '\u20ac': 'Euro Sign',
    '\r': 'Carriage Return',
    '\ufb33': 'Hebrew Letter Dalet With Dagesh',
    '1': 'One',
    '\ud83d\ude00': 'Emoji: Grinning Face',
    '\u0080': 'Control',
    '\u00f6': 'Latin Small Letter O With Diaeresis',
  };
  const keys = Object.keys(JSON.parse(canonicalJson(input)) as object);
  // JSON.parse puts the integer-like key first again; compare the text order instead.
  assert.deepEqual(keys.length, 7);
  const text = canonicalJson(input);
  const order = ['\\r', '"1"', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33'].map((k) =>
    text.indexOf(k),
  );
  assert.deepEqual(
    order,
    [...order].sort((a, b) => a - b),
  );
});

test('nested objects and arrays, empty containers, -0', () => {
  assert.equal(
    canonicalJson({ z: { b: [], a: {} }, a: [-0, 'x'] }),
    '{"a":[0,"x"],"z":{"a":{},"b":[]}}',
  );
  assert.equal(canonicalJson('x'), '"x"');
  assert.equal(canonicalJson(null), 'null');
});

test('follows JSON.stringify for toJSON, boxed primitives and omitted properties', () => {
  const value = { d: new Date(0), u: undefined, f: () => 1, n: Object(1) as number };
  assert.equal(canonicalJson(value), '{"d":"1970-01-01T00:00:00.000Z","n":1}');
});

test('round-trips through JSON.stringify and JSON.parse unchanged', () => {
  const value = { s: 'lone \ud800 surrogate', big: 1e21, small: 5e-324, nested: [{ b: 1, a: 2 }] };
  assert.equal(canonicalJson(JSON.parse(JSON.stringify(value))), canonicalJson(value));
});

test('rejects what JSON.stringify would silently change, naming where', () => {
  const cases: Array<[unknown, string]> = [
    [{ a: [1, undefined] }, 'undefined inside an array at $.a[1]'],
    [{ a: { 'b c': NaN } }, 'non-finite number NaN at $.a["b c"]'],
    [[Infinity], 'non-finite number Infinity at $[0]'],
    [{ n: 1n }, 'BigInt is not JSON at $.n'],
    [undefined, 'undefined is not JSON at $'],
    [[() => 1], 'function inside an array at $[0]'],
  ];
  for (const [value, message] of cases) {
    assert.throws(
      () => canonicalJson(value),
      (error: unknown) => {
        assert.ok(error instanceof CanonicalJsonError);
        assert.equal(error.message, message);
        return true;
      },
    );
  }
});

test('rejects cycles instead of overflowing the stack', () => {
  const cycle: Record<string, unknown> = {};
  cycle['self'] = cycle;
  assert.throws(() => canonicalJson(cycle), /nesting deeper than 1000/);
});
