import assert from 'node:assert/strict';
import { mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputError } from '../errors/index.js';
import { Keyring } from './keyring.js';
import { signBytes, verifyBytes } from './keys.js';

async function tempKeys(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'pulser-keys-')), '.pulser', 'keys');
}

test('creates an active key on first use, private file mode 0600, and reloads it', async () => {
  const dir = await tempKeys();
  const ring = await Keyring.open(dir);
  assert.equal(await ring.active(), undefined);
  const key = await ring.ensureActive();
  assert.equal((await stat(join(dir, `${key.keyId}.key`))).mode & 0o777, 0o600);
  assert.equal((await stat(dir)).mode & 0o777, 0o700);
  const again = await (await Keyring.open(dir)).ensureActive();
  assert.equal(again.keyId, key.keyId);
  const sig = signBytes(again, Buffer.from('x'));
  assert.equal(verifyBytes(key.publicKey, Buffer.from('x'), sig), true);
  await rm(dir, { recursive: true });
});

test('rotation retires the old private key and keeps its public key for verification', async () => {
  const dir = await tempKeys();
  const ring = await Keyring.open(dir);
  const old = await ring.ensureActive();
  const sig = signBytes(old, Buffer.from('old checkpoint'));
  const next = await ring.rotate();
  assert.notEqual(next.keyId, old.keyId);
  assert.equal((await ring.active())?.keyId, next.keyId);
  const files = (await readdir(dir)).sort();
  assert.deepEqual(
    files,
    [`${next.keyId}.key`, `${next.keyId}.pub`, `${old.keyId}.pub`, 'active'].sort(),
  );
  const trusted = await ring.trustedKeys();
  assert.deepEqual([...trusted.keys()].sort(), [next.keyId, old.keyId].sort());
  assert.equal(verifyBytes(trusted.get(old.keyId)!, Buffer.from('old checkpoint'), sig), true);
  await rm(dir, { recursive: true });
});

test('a key file renamed to another key id, or a bad active pointer, is an error', async () => {
  const dir = await tempKeys();
  const ring = await Keyring.open(dir);
  const key = await ring.ensureActive();
  const wrong = 'ffffffffffffffff';
  await rename(join(dir, `${key.keyId}.pub`), join(dir, `${wrong}.pub`));
  await assert.rejects(ring.trustedKeys(), InputError);
  await writeFile(join(dir, 'active'), 'nonsense\n');
  await assert.rejects(ring.active(), /not a key id/);
  await writeFile(join(dir, 'active'), `${wrong}\n`);
  await assert.rejects(ring.active(), /has no private key file/);
  await rm(dir, { recursive: true });
});
