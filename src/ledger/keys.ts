import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { InputError } from '../errors/index.js';

/** An Ed25519 public key with its Pulser key id. */
export interface VerifyingKey {
  /** First 16 hex characters of SHA-256 over the raw 32-byte public key (see {@link keyIdOf}). */
  readonly keyId: string;
  readonly publicKey: KeyObject;
}

/** An Ed25519 key pair with its Pulser key id. */
export interface SigningKey extends VerifyingKey {
  readonly privateKey: KeyObject;
}

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** Public keys trusted for verification, by key id. */
export type TrustedKeys = ReadonlyMap<string, KeyObject>;

/** Generates a new Ed25519 signing key. */
export function generateSigningKey(): SigningKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { keyId: keyIdOf(publicKey), publicKey, privateKey };
}

/** The raw 32-byte Ed25519 public key (RFC 8032 encoding). */
export function rawPublicKey(key: KeyObject): Buffer {
  assertEd25519(key);
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const x = pub.export({ format: 'jwk' }).x;
  if (typeof x !== 'string') throw new InputError('the key has no Ed25519 public part');
  return Buffer.from(x, 'base64url');
}

/**
 * The Pulser key id of an Ed25519 key: the first 16 lowercase hex characters (64 bits) of
 * SHA-256 over the raw 32-byte public key. A private key yields the id of its public half.
 *
 * @example
 * keyIdOf(generateSigningKey().publicKey) // '3f9c0a5be1d27c44'
 */
export function keyIdOf(key: KeyObject): string {
  return createHash('sha256').update(rawPublicKey(key)).digest('hex').slice(0, 16);
}

/** Signs `data` with Ed25519 (pure Ed25519, no pre-hash); returns the 64-byte signature. */
export function signBytes(key: SigningKey, data: Uint8Array): Buffer {
  return sign(null, data, key.privateKey);
}

/** True when `signature` is a valid Ed25519 signature of `data` by `publicKey`; never throws. */
export function verifyBytes(
  publicKey: KeyObject,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (signature.length !== 64) return false;
  try {
    return verify(null, data, publicKey, signature);
  } catch {
    return false;
  }
}

/** The public key as SPKI PEM. */
export function publicKeyToPem(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ type: 'spki', format: 'pem' }).toString();
}

/** The private key as unencrypted PKCS#8 PEM (store it with mode 0600). */
export function privateKeyToPem(key: SigningKey): string {
  return key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** The raw 32-byte public key as standard base64. */
export function publicKeyToBase64(key: KeyObject): string {
  return rawPublicKey(key).toString('base64');
}

/** The raw 32-byte private seed as standard base64 (secret). */
export function privateKeyToBase64(key: SigningKey): string {
  const d = key.privateKey.export({ format: 'jwk' }).d;
  if (typeof d !== 'string') throw new InputError('the key has no Ed25519 private part');
  return Buffer.from(d, 'base64url').toString('base64');
}

/** Reads an Ed25519 public key from SPKI PEM or from raw base64 (32 bytes). */
export function importVerifyingKey(text: string): VerifyingKey {
  const trimmed = text.trim();
  let publicKey: KeyObject;
  try {
    publicKey = trimmed.startsWith('-----BEGIN')
      ? createPublicKey(trimmed)
      : createPublicKey({ key: jwk(trimmed, 'public key'), format: 'jwk' });
  } catch (cause) {
    if (cause instanceof InputError) throw cause;
    throw new InputError('not an Ed25519 public key (SPKI PEM or raw base64)', {}, cause);
  }
  assertEd25519(publicKey);
  return { keyId: keyIdOf(publicKey), publicKey };
}

/** Reads an Ed25519 private key from PKCS#8 PEM or from its raw base64 seed (32 bytes). */
export function importSigningKey(text: string): SigningKey {
  const trimmed = text.trim();
  let privateKey: KeyObject;
  try {
    if (trimmed.startsWith('-----BEGIN')) {
      privateKey = createPrivateKey(trimmed);
    } else {
      // PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410): fixed 16-byte prefix, then the seed.
      const der = Buffer.concat([PKCS8_ED25519_PREFIX, decodeRaw32(trimmed, 'private key')]);
      privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    }
  } catch (cause) {
    if (cause instanceof InputError) throw cause;
    throw new InputError('not an Ed25519 private key (PKCS#8 PEM or raw base64)', {}, cause);
  }
  assertEd25519(privateKey);
  const publicKey = createPublicKey(privateKey);
  return { keyId: keyIdOf(publicKey), publicKey, privateKey };
}

function jwk(base64: string, what: string): { kty: 'OKP'; crv: 'Ed25519'; x: string } {
  return { kty: 'OKP', crv: 'Ed25519', x: decodeRaw32(base64, what).toString('base64url') };
}

function decodeRaw32(base64: string, what: string): Buffer {
  const bytes = Buffer.from(base64, 'base64');
  if (!/^[A-Za-z0-9+/]{43}=?$/.test(base64) || bytes.length !== 32) {
    throw new InputError(`a raw Ed25519 ${what} is 32 bytes of standard base64`);
  }
  return bytes;
}

function assertEd25519(key: KeyObject): void {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new InputError(`expected an Ed25519 key, got ${key.asymmetricKeyType ?? key.type}`);
  }
}
