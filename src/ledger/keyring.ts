import type { KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError, NotFoundError } from '../errors/index.js';
import {
  generateSigningKey,
  importSigningKey,
  importVerifyingKey,
  privateKeyToPem,
  publicKeyToPem,
  type SigningKey,
} from './keys.js';

const KEY_ID = /^[0-9a-f]{16}$/;

/** One key of a {@link Keyring}. */
export interface KeyInfo {
  readonly keyId: string;
  /** True for the key that signs new checkpoints. */
  readonly active: boolean;
  /** True while its private key file exists (retired keys only verify). */
  readonly canSign: boolean;
}

/**
 * A directory of Ed25519 keys, normally `.pulser/keys/`: `<keyid>.key` (PKCS#8 PEM, mode 0600)
 * for keys that may still sign, `<keyid>.pub` (SPKI PEM) for every key ever used, and `active`
 * holding the key id that signs new checkpoints. Rotation retires the old private key and
 * keeps its public key, so old checkpoints still verify.
 */
export class Keyring {
  /** The directory this keyring lives in. */
  readonly dir: string;

  private constructor(dir: string) {
    this.dir = dir;
  }

  /** Opens (creating with mode 0700 if needed) the keyring in `dir`. */
  static async open(dir: string): Promise<Keyring> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return new Keyring(dir);
  }

  /** The active signing key, or undefined when none was created yet. */
  async active(): Promise<SigningKey | undefined> {
    const keyId = await this.#activeId();
    if (keyId === undefined) return undefined;
    const file = join(this.dir, `${keyId}.key`);
    const pem = await readText(file);
    if (pem === undefined) {
      throw new NotFoundError(`the active key ${keyId} has no private key file`, {
        file,
        hint: 'restore the file, or run key rotation to create a new active key',
      });
    }
    return checked(importSigningKey(pem), keyId, file);
  }

  /** The active signing key, created (and made active) on first use. */
  async ensureActive(): Promise<SigningKey> {
    return (await this.active()) ?? (await this.rotate());
  }

  /** Creates a new key, makes it active, and deletes the old private key (its `.pub` stays). */
  async rotate(): Promise<SigningKey> {
    const previous = await this.#activeId();
    const key = generateSigningKey();
    await writeAtomic(join(this.dir, `${key.keyId}.pub`), publicKeyToPem(key.publicKey), 0o644);
    await writeAtomic(join(this.dir, `${key.keyId}.key`), privateKeyToPem(key), 0o600);
    await writeAtomic(join(this.dir, 'active'), `${key.keyId}\n`, 0o644);
    if (previous !== undefined && previous !== key.keyId) {
      await rm(join(this.dir, `${previous}.key`), { force: true });
    }
    return key;
  }

  /** Every public key of the keyring (current and retired), by key id, for verification. */
  async trustedKeys(): Promise<Map<string, KeyObject>> {
    const keys = new Map<string, KeyObject>();
    // Public key files first: a user who may read them but not the private keys can verify.
    const names = (await readdir(this.dir)).sort((a, b) =>
      a.endsWith('.pub') === b.endsWith('.pub') ? a.localeCompare(b) : a.endsWith('.pub') ? -1 : 1,
    );
    for (const name of names) {
      const match = /^([0-9a-f]{16})\.(pub|key)$/.exec(name);
      if (match === null || keys.has(match[1]!)) continue;
      const file = join(this.dir, name);
      const text = (await readText(file)) ?? '';
      const key = match[2] === 'pub' ? importVerifyingKey(text) : importSigningKey(text);
      keys.set(checked(key, match[1]!, file).keyId, key.publicKey);
    }
    return keys;
  }

  /** Every key of the keyring, by key id: whether it is active and whether it can still sign. */
  async list(): Promise<KeyInfo[]> {
    const names = new Set(await readdir(this.dir));
    const active = await this.#activeId();
    const ids = [...names]
      .map((n) => /^([0-9a-f]{16})\.(?:pub|key)$/.exec(n)?.[1])
      .filter((id): id is string => id !== undefined);
    return [...new Set(ids)].sort().map((keyId) => ({
      keyId,
      active: keyId === active,
      canSign: names.has(`${keyId}.key`),
    }));
  }

  /** The active key id, or undefined when no key was created yet. */
  activeId(): Promise<string | undefined> {
    return this.#activeId();
  }

  async #activeId(): Promise<string | undefined> {
    const file = join(this.dir, 'active');
    const text = await readText(file);
    if (text === undefined) return undefined;
    const keyId = text.trim();
    if (!KEY_ID.test(keyId)) {
      throw new InputError('the active key pointer is not a key id', {
        file,
        hint: 'it must hold 16 lowercase hex characters naming a <keyid>.key file',
      });
    }
    return keyId;
  }
}

function checked<K extends { keyId: string }>(key: K, expected: string, file: string): K {
  if (key.keyId !== expected) {
    throw new InputError(`the key in this file has key id ${key.keyId}, not ${expected}`, {
      file,
      hint: 'a key file must be named after its key id; do not rename key files',
    });
  }
  return key;
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function writeAtomic(file: string, text: string, mode: number): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await rm(tmp, { force: true });
  await writeFile(tmp, text, { mode, flag: 'wx' });
  await chmod(tmp, mode);
  await rename(tmp, file);
}
