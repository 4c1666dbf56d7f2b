import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { canonicalJson } from './canonical-json.js';
import { GENESIS_HASH, chainEvent, eventDigest, eventPreimage } from './chain.js';

const event = {
  seq: 1,
  ts: '2025-01-02T03:04:05.678Z',
  type: 'plan.imported',
  actor: 'cli:ana',
  subject: 'plan-x',
  data: { b: 2, a: [1, 'é'] },
};

test('the preimage is the documented byte format', () => {
  assert.equal(
    eventPreimage(GENESIS_HASH, event),
    'pulser.event.v1\n' +
      '0'.repeat(64) +
      '\n{"actor":"cli:ana","data":{"a":[1,"é"],"b":2},"seq":1,"subject":"plan-x",' +
      '"ts":"2025-01-02T03:04:05.678Z","type":"plan.imported"}',
  );
});

test('the body equals canonical JSON of the event fields', () => {
  for (const subject of ['s "q"', null]) {
    const e = { ...event, subject };
    const body = eventPreimage(GENESIS_HASH, e).split('\n')[2];
    assert.equal(body, canonicalJson(e));
  }
});

test('the digest is SHA-256 hex of the UTF-8 preimage (known answer, checked with sha256sum)', () => {
  const expected = createHash('sha256')
    .update(Buffer.from(eventPreimage(GENESIS_HASH, event), 'utf8'))
    .digest('hex');
  assert.equal(eventDigest(GENESIS_HASH, event), expected);
  assert.equal(expected, '70b1c9c309736c62ee1a5e64ef9bad53fdca686f4d42600f59a50ecb1118862b');
});

test('every field, and the link, changes the digest', () => {
  const base = eventDigest(GENESIS_HASH, event);
  const variants = [
    { ...event, seq: 2 },
    { ...event, ts: '2025-01-02T03:04:05.679Z' },
    { ...event, type: 'plan.imported2' },
    { ...event, actor: 'cli:bob' },
    { ...event, subject: null },
    { ...event, data: { b: 2, a: [1, 'e'] } },
  ];
  for (const v of variants) assert.notEqual(eventDigest(GENESIS_HASH, v), base);
  assert.notEqual(eventDigest('1'.repeat(64), event), base);
});

test('key order of data does not matter, JSON round trip does not matter', () => {
  const reordered = { ...event, data: { a: [1, 'é'], b: 2 } };
  assert.equal(eventDigest(GENESIS_HASH, reordered), eventDigest(GENESIS_HASH, event));
  const roundTripped = { ...event, data: JSON.parse(JSON.stringify(event.data)) as unknown };
  assert.equal(eventDigest(GENESIS_HASH, roundTripped), eventDigest(GENESIS_HASH, event));
});

test('chainEvent links events', () => {
  const first = chainEvent(GENESIS_HASH, event);
  const second = chainEvent(first.hash, { ...event, seq: 2 });
  assert.equal(first.prevHash, GENESIS_HASH);
  assert.equal(second.prevHash, first.hash);
  assert.equal(second.hash, eventDigest(first.hash, { ...event, seq: 2 }));
});

test('rejects malformed input', () => {
  assert.throws(() => eventDigest('abc', event), /64 lowercase hex/);
  assert.throws(() => eventDigest(GENESIS_HASH.toUpperCase().replace(/0/g, 'A'), event), /hex/);
  assert.throws(() => eventDigest(GENESIS_HASH, { ...event, seq: 0 }), /positive integer/);
  assert.throws(() => eventDigest(GENESIS_HASH, { ...event, seq: 1.5 }), /positive integer/);
  assert.throws(
    () => eventDigest(GENESIS_HASH, { ...event, subject: 3 as unknown as string }),
    /subject/,
  );
  assert.throws(() => eventDigest(GENESIS_HASH, { ...event, data: undefined }), /not JSON/);
  assert.throws(() => eventDigest(GENESIS_HASH, { ...event, data: [NaN] }), /non-finite/);
});
