import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { InputError } from '../errors/index.js';
import {
  generateSigningKey,
  importSigningKey,
  importVerifyingKey,
  keyIdOf,
  privateKeyToBase64,
  privateKeyToPem,
  publicKeyToBase64,
  publicKeyToPem,
  rawPublicKey,
  signBytes,
  verifyBytes,
} from './keys.js';

const key = generateSigningKey();
const message = Buffer.from('checkpoint');

test('key id is the first 16 hex of SHA-256 over the raw 32-byte public key', () => {
  const spki = key.publicKey.export({ type: 'spki', format: 'der' });
  const raw = spki.subarray(spki.length - 32); // RFC 8410: the key is the last 32 bytes
  assert.deepEqual(rawPublicKey(key.publicKey), raw);
  assert.equal(key.keyId, createHash('sha256').update(raw).digest('hex').slice(0, 16));
  assert.match(key.keyId, /^[0-9a-f]{16}$/);
  assert.equal(keyIdOf(key.privateKey), key.keyId);
});

test('sign and verify; any change fails', () => {
  const sig = signBytes(key, message);
  assert.equal(sig.length, 64);
  assert.equal(verifyBytes(key.publicKey, message, sig), true);
  assert.equal(verifyBytes(key.publicKey, Buffer.from('checkpoinT'), sig), false);
  const flipped = Buffer.from(sig);
  flipped[0] = flipped[0]! ^ 0x80;
  assert.equal(verifyBytes(key.publicKey, message, flipped), false);
  assert.equal(verifyBytes(generateSigningKey().publicKey, message, sig), false);
  assert.equal(verifyBytes(key.publicKey, message, sig.subarray(0, 63)), false);
});

test('PEM and raw base64 round trips keep the key id and the signatures', () => {
  const sig = signBytes(key, message);
  const fromPem = importSigningKey(privateKeyToPem(key));
  const fromRaw = importSigningKey(privateKeyToBase64(key));
  for (const k of [fromPem, fromRaw]) {
    assert.equal(k.keyId, key.keyId);
    assert.deepEqual(signBytes(k, message), sig); // Ed25519 is deterministic
  }
  const pubPem = importVerifyingKey(publicKeyToPem(key.publicKey));
  const pubRaw = importVerifyingKey(publicKeyToBase64(key.publicKey));
  assert.equal(pubPem.keyId, key.keyId);
  assert.equal(pubRaw.keyId, key.keyId);
  assert.equal(verifyBytes(pubRaw.publicKey, message, sig), true);
  assert.equal(Buffer.from(publicKeyToBase64(key.publicKey), 'base64').length, 32);
  assert.match(publicKeyToPem(key.privateKey), /^-----BEGIN PUBLIC KEY-----/);
});

test('rejects keys that are not Ed25519, and garbage', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  assert.throws(() => importVerifyingKey(pem), InputError);
  assert.throws(() => keyIdOf(createPublicKey(pem)), /expected an Ed25519 key/);
  assert.throws(() => importVerifyingKey('not a key'), InputError);
  assert.throws(() => importVerifyingKey(Buffer.alloc(31).toString('base64')), /32 bytes/);
  assert.throws(
    () => importSigningKey('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----'),
    InputError,
  );
});
