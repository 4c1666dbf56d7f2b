import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError } from '../errors/index.js';
import { checkpointStatement, signCheckpoint, verifyCheckpoint } from './checkpoint.js';
import { generateSigningKey } from './keys.js';

const key = generateSigningKey();
const trusted = new Map([[key.keyId, key.publicKey]]);
const claim = { ledgerId: 'ws-1', seq: 42, head: 'ab'.repeat(32), ts: '2025-01-01T00:00:00.000Z' };

test('the statement is canonical JSON with a type tag', () => {
  assert.equal(
    checkpointStatement(claim).toString('utf8'),
    `{"head":"${'ab'.repeat(32)}","ledger":"ws-1","seq":42,"ts":"2025-01-01T00:00:00.000Z","type":"pulser.checkpoint.v1"}`,
  );
});

test('a signed checkpoint verifies; every signed field is covered', () => {
  const cp = signCheckpoint(claim, key);
  assert.equal(cp.keyId, key.keyId);
  assert.deepEqual(verifyCheckpoint(cp, trusted), { ok: true });
  for (const changed of [
    { ...cp, ledgerId: 'ws-2' },
    { ...cp, seq: 43 },
    { ...cp, head: 'ac'.repeat(32) },
    { ...cp, ts: '2025-01-01T00:00:00.001Z' },
  ]) {
    const check = verifyCheckpoint(changed, trusted);
    assert.equal(check.ok, false);
    assert.equal(!check.ok && check.code, 'bad_signature');
  }
});

test('unknown key, flipped signature byte, non-canonical base64, malformed', () => {
  const cp = signCheckpoint(claim, key);
  const other = generateSigningKey();
  const codeOf = (c: typeof cp, keys = trusted) => {
    const check = verifyCheckpoint(c, keys);
    return check.ok ? 'ok' : check.code;
  };
  assert.equal(codeOf(signCheckpoint(claim, other)), 'unknown_key');
  assert.equal(codeOf(cp, new Map([[key.keyId, other.publicKey]])), 'bad_signature');
  for (let i = 0; i < 64; i += 9) {
    const sig = Buffer.from(cp.sig, 'base64');
    sig[i] = sig[i]! ^ 0x01;
    assert.equal(codeOf({ ...cp, sig: sig.toString('base64') }), 'bad_signature');
  }
  assert.equal(codeOf({ ...cp, sig: cp.sig.replace(/=*$/, '') + '!' }), 'bad_signature');
  assert.equal(codeOf({ ...cp, seq: 0 }), 'checkpoint_malformed');
  assert.equal(codeOf({ ...cp, head: 'AB'.repeat(32) }), 'checkpoint_malformed');
  assert.throws(() => signCheckpoint({ ...claim, head: 'x' }, key), InputError);
});
