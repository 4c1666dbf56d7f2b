/**
 * The workspace's signing keys: list, export a public key, rotate. Retired keys keep their
 * public key in `.pulser/keys/`, so checkpoints and proofs they signed keep verifying.
 */
import { NotFoundError } from '../../errors/index.js';
import { publicKeyToBase64, publicKeyToPem, type Checkpoint } from '../../ledger/index.js';
import { activeKey, openKeyring, sealLedger, type LedgerHome } from './ledger.js';

/** One key of the workspace. */
export interface KeyEntry {
  readonly keyId: string;
  /** `active` signs new checkpoints; `retired` only verifies old ones. */
  readonly state: 'active' | 'retired';
  /** Whether the private key is still on disk. */
  readonly canSign: boolean;
  /** Checkpoints in the database signed by this key. */
  readonly checkpoints: number;
  /** The raw 32-byte Ed25519 public key, standard base64. */
  readonly publicKey: string;
}

/**
 * Every key of the workspace, active first.
 *
 * @example
 * for (const k of await listKeys(ws)) console.log(k.keyId, k.state);
 */
export async function listKeys(home: LedgerHome): Promise<KeyEntry[]> {
  const keyring = await openKeyring(home);
  const trusted = await keyring.trustedKeys();
  const counts = new Map<string, number>();
  for (const cp of await home.store.ledger.checkpoints()) {
    counts.set(cp.keyId, (counts.get(cp.keyId) ?? 0) + 1);
  }
  const entries = (await keyring.list()).map((k): KeyEntry => ({
    keyId: k.keyId,
    state: k.active ? 'active' : 'retired',
    canSign: k.canSign,
    checkpoints: counts.get(k.keyId) ?? 0,
    publicKey: publicKeyToBase64(trusted.get(k.keyId)!),
  }));
  return entries.sort((a, b) => Number(b.state === 'active') - Number(a.state === 'active'));
}

/**
 * The SPKI PEM of a public key of the workspace: the active key (created if none exists yet)
 * or the key named by `keyId`.
 */
export async function exportPublicKey(
  home: LedgerHome,
  keyId?: string,
  actor?: string,
): Promise<{ keyId: string; pem: string }> {
  if (keyId === undefined) {
    const key = await activeKey(home, actor);
    return { keyId: key.keyId, pem: publicKeyToPem(key.publicKey) };
  }
  const trusted = await (await openKeyring(home)).trustedKeys();
  const key = trusted.get(keyId);
  if (key === undefined) {
    throw new NotFoundError(`no key ${keyId} in this workspace`, {
      hint: `run \`pulser keys\` to list the key ids (${[...trusted.keys()].join(', ') || 'none yet'})`,
    });
  }
  return { keyId, pem: publicKeyToPem(key) };
}

/** What {@link rotateKey} did. */
export interface RotateResult {
  readonly previous: string | null;
  readonly keyId: string;
  /** The last checkpoint signed with the old key, and the first with the new one. */
  readonly sealedBefore: Checkpoint | null;
  readonly sealedAfter: Checkpoint | null;
}

/**
 * Rotates the signing key: seals the head with the old key, creates the new key (the old private
 * key is deleted, its public key kept), records `ledger.key_rotated`, and seals with the new key.
 *
 * @example
 * const { previous, keyId } = await rotateKey(ws, 'cli:ana');
 */
export async function rotateKey(home: LedgerHome, actor: string): Promise<RotateResult> {
  const keyring = await openKeyring(home);
  const previous = (await keyring.activeId()) ?? null;
  const sealedBefore = previous === null ? null : await sealLedger(home, { actor });
  const key = await keyring.rotate();
  await home.store.events.append({
    type: 'ledger.key_rotated',
    actor,
    subject: key.keyId,
    data: { keyId: key.keyId, previous, publicKey: publicKeyToBase64(key.publicKey) },
  });
  const sealedAfter = await sealLedger(home, { actor, key });
  return { previous, keyId: key.keyId, sealedBefore, sealedAfter };
}
