import assert from 'node:assert/strict';
import { sign } from 'node:crypto';
import { test } from 'node:test';
import { crypto as sigstoreCrypto, dsse as sigstoreDsse } from '@sigstore/core';
import { pae, signEnvelope, verifyEnvelope, type DsseEnvelope } from './dsse.js';
import { generateSigningKey } from './keys.js';

const TYPE = 'application/vnd.in-toto+json';
const key = generateSigningKey();
const other = generateSigningKey();
const trusted = new Map([
  [key.keyId, key.publicKey],
  [other.keyId, other.publicKey],
]);
const payload = Buffer.from('{"hello":"wörld"}', 'utf8');

function codeOf(envelope: unknown, type = TYPE, keys = trusted): string {
  const verdict = verifyEnvelope(envelope, keys, { payloadType: type });
  return verdict.ok ? 'ok' : verdict.code;
}

test('PAE matches the spec example', () => {
  // From the DSSE protocol document: PAE("http://example.com/HelloWorld", "hello world").
  assert.equal(
    pae('http://example.com/HelloWorld', Buffer.from('hello world')).toString(),
    'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
  );
  assert.equal(pae('t', Buffer.alloc(0)).toString(), 'DSSEv1 1 t 0 ');
  assert.equal(pae('é', Buffer.from('ü')).toString(), 'DSSEv1 2 é 2 ü', 'lengths are in bytes');
});

test('a signed envelope verifies and returns the payload bytes', () => {
  const envelope = signEnvelope(TYPE, payload, [key]);
  const verdict = verifyEnvelope(JSON.parse(JSON.stringify(envelope)), trusted, {
    payloadType: TYPE,
  });
  assert.equal(verdict.ok, true);
  assert.ok(verdict.ok);
  assert.deepEqual(verdict.payload, payload);
  assert.deepEqual(verdict.keyIds, [key.keyId]);
});

test('spec pitfalls all fail', () => {
  const envelope = signEnvelope(TYPE, payload, [key]);
  const flip = (b64: string, at: number) => {
    const bytes = Buffer.from(b64, 'base64');
    bytes[at] = bytes[at]! ^ 0x01;
    return bytes.toString('base64');
  };
  const sig0 = envelope.signatures[0]!;
  const cases: Array<[string, unknown, string]> = [
    [
      'payloadType swapped (signature bound to the type)',
      { ...envelope, payloadType: 'application/json' },
      'bad_signature',
    ],
    ['flipped payload byte', { ...envelope, payload: flip(envelope.payload, 3) }, 'bad_signature'],
    [
      'flipped signature byte',
      { ...envelope, signatures: [{ ...sig0, sig: flip(sig0.sig, 5) }] },
      'bad_signature',
    ],
    [
      'signed by an untrusted key',
      signEnvelope(TYPE, payload, [generateSigningKey()]),
      'unknown_key',
    ],
    [
      'keyid pointing to another trusted key',
      { ...envelope, signatures: [{ ...sig0, keyid: other.keyId }] },
      'bad_signature',
    ],
    ['no keyid', { ...envelope, signatures: [{ sig: sig0.sig }] }, 'unknown_key'],
    ['zero signatures', { ...envelope, signatures: [] }, 'no_signatures'],
    [
      'a good signature plus a bad one',
      { ...envelope, signatures: [sig0, { ...sig0, sig: flip(sig0.sig, 1) }] },
      'bad_signature',
    ],
    [
      'a good signature plus an unknown key',
      { ...envelope, signatures: [sig0, { keyid: 'deadbeefdeadbeef', sig: sig0.sig }] },
      'unknown_key',
    ],
    ['junk in base64', { ...envelope, payload: `${envelope.payload}#` }, 'malformed'],
    ['not an object', 'envelope', 'malformed'],
    ['signatures not an array', { ...envelope, signatures: {} }, 'malformed'],
  ];
  for (const [name, value, code] of cases) assert.equal(codeOf(value), code, name);
  // A genuine envelope of another payload type is refused, after its signature verified.
  const json = signEnvelope('application/json', payload, [key]);
  assert.equal(codeOf(json), 'payload_type_mismatch');
  assert.equal(codeOf(json, 'application/json'), 'ok');
});

test('threshold counts distinct trusted keys', () => {
  const both = signEnvelope(TYPE, payload, [key, other]);
  assert.equal(verifyEnvelope(both, trusted, { payloadType: TYPE, threshold: 2 }).ok, true);
  const twice: DsseEnvelope = { ...both, signatures: [both.signatures[0]!, both.signatures[0]!] };
  assert.equal(verifyEnvelope(twice, trusted, { payloadType: TYPE, threshold: 2 }).ok, false);
});

test('URL-safe base64 is accepted, as DSSE allows', () => {
  const envelope = signEnvelope(TYPE, Buffer.from([0xfb, 0xff, 0xfe]), [key]);
  const url = { ...envelope, payload: Buffer.from([0xfb, 0xff, 0xfe]).toString('base64url') };
  assert.equal(codeOf(url), 'ok');
});

test('cross-check with @sigstore/core: PAE bytes are equal', () => {
  for (const [type, body] of [
    [TYPE, payload],
    ['', Buffer.alloc(0)],
    ['tÿpe with spaces', Buffer.from([0, 1, 2, 255])],
  ] as const) {
    assert.deepEqual(pae(type, body), sigstoreDsse.preAuthEncoding(type, body));
  }
});

test('cross-check with @sigstore/core: each side verifies the other side signatures', () => {
  // Pulser signs; @sigstore/core's PAE and verify accept it.
  const envelope = signEnvelope(TYPE, payload, [key]);
  const message = sigstoreDsse.preAuthEncoding(
    envelope.payloadType,
    Buffer.from(envelope.payload, 'base64'),
  );
  const sig = Buffer.from(envelope.signatures[0]!.sig, 'base64');
  assert.equal(sigstoreCrypto.verify(message, key.publicKey, sig), true);
  assert.equal(
    sigstoreCrypto.verify(Buffer.concat([message, Buffer.from(' ')]), key.publicKey, sig),
    false,
  );
  // An envelope built from @sigstore/core's PAE (signed with node:crypto) verifies in Pulser.
  const foreign = {
    payloadType: TYPE,
    payload: payload.toString('base64'),
    signatures: [
      {
        keyid: key.keyId,
        sig: sign(null, sigstoreDsse.preAuthEncoding(TYPE, payload), key.privateKey).toString(
          'base64',
        ),
      },
    ],
  };
  assert.equal(codeOf(foreign), 'ok');
});
