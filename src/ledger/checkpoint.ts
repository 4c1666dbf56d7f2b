import { InputError } from '../errors/index.js';
import { canonicalJson } from '../util/canonical-json.js';
import { signBytes, verifyBytes, type SigningKey, type TrustedKeys } from './keys.js';

/** The domain tag inside every checkpoint statement. */
export const CHECKPOINT_TYPE = 'pulser.checkpoint.v1';

/** What a checkpoint claims: ledger `ledgerId` had `head` as the hash of event `seq`. */
export interface CheckpointClaim {
  /** The ledger (workspace) the checkpoint belongs to. */
  readonly ledgerId: string;
  /** Sequence number of the event the head belongs to (at least 1). */
  readonly seq: number;
  /** The hash of event `seq`. */
  readonly head: string;
  /** ISO-8601 UTC time of signing. */
  readonly ts: string;
}

/** A signed checkpoint of a ledger head. */
export interface Checkpoint extends CheckpointClaim {
  /** Key id of the signing key. */
  readonly keyId: string;
  /** Ed25519 signature over {@link checkpointStatement}, standard base64. */
  readonly sig: string;
}

/** Why a checkpoint does not verify. */
export type CheckpointProblemCode = 'checkpoint_malformed' | 'unknown_key' | 'bad_signature';

/** The result of verifying one checkpoint's signature. */
export type CheckpointCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: CheckpointProblemCode; readonly message: string };

/**
 * The bytes a checkpoint signature covers: UTF-8 of
 * `canonicalJson({ head, ledger, seq, ts, type: "pulser.checkpoint.v1" })`. The key id is not
 * signed; it only selects the key.
 */
export function checkpointStatement(claim: CheckpointClaim): Buffer {
  return Buffer.from(
    canonicalJson({
      head: claim.head,
      ledger: claim.ledgerId,
      seq: claim.seq,
      ts: claim.ts,
      type: CHECKPOINT_TYPE,
    }),
    'utf8',
  );
}

/**
 * Signs a checkpoint of `claim` with `key`.
 *
 * @example
 * const cp = signCheckpoint({ ledgerId: 'ws-1', seq: head.seq, head: head.hash, ts }, key);
 */
export function signCheckpoint(claim: CheckpointClaim, key: SigningKey): Checkpoint {
  const problem = malformed(claim);
  if (problem !== undefined) throw new InputError(`cannot sign checkpoint: ${problem}`);
  const sig = signBytes(key, checkpointStatement(claim)).toString('base64');
  return {
    ledgerId: claim.ledgerId,
    seq: claim.seq,
    head: claim.head,
    ts: claim.ts,
    keyId: key.keyId,
    sig,
  };
}

/** Checks a checkpoint's shape and signature against `trustedKeys`; never throws. */
export function verifyCheckpoint(
  checkpoint: Checkpoint,
  trustedKeys: TrustedKeys,
): CheckpointCheck {
  const problem = malformed(checkpoint);
  if (problem !== undefined) return { ok: false, code: 'checkpoint_malformed', message: problem };
  const publicKey = trustedKeys.get(checkpoint.keyId);
  if (publicKey === undefined) {
    return {
      ok: false,
      code: 'unknown_key',
      message: `checkpoint ${checkpoint.seq} is signed by key ${checkpoint.keyId}, which is not trusted`,
    };
  }
  const sig = Buffer.from(checkpoint.sig, 'base64');
  if (
    sig.toString('base64') !== checkpoint.sig ||
    !verifyBytes(publicKey, checkpointStatement(checkpoint), sig)
  ) {
    return {
      ok: false,
      code: 'bad_signature',
      message: `checkpoint ${checkpoint.seq}: the signature by key ${checkpoint.keyId} does not verify`,
    };
  }
  return { ok: true };
}

function malformed(c: Partial<Checkpoint>): string | undefined {
  if (typeof c.ledgerId !== 'string' || c.ledgerId === '')
    return 'ledgerId must be a non-empty string';
  if (typeof c.seq !== 'number' || !Number.isSafeInteger(c.seq) || c.seq < 1) {
    return 'seq must be a positive integer';
  }
  if (typeof c.head !== 'string' || !/^[0-9a-f]{64}$/.test(c.head)) {
    return 'head must be 64 lowercase hex characters';
  }
  if (typeof c.ts !== 'string') return 'ts must be a string';
  if ('keyId' in c && typeof c.keyId !== 'string') return 'keyId must be a string';
  if ('sig' in c && typeof c.sig !== 'string') return 'sig must be a string';
  return undefined;
}
