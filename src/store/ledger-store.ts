/**
 * What the ledger needs from a store: the ledger's identity, its signed checkpoints, and a fast
 * scan of the hash-chained event rows exactly as stored (the data column as its stored text).
 */

/** A signed checkpoint as stored (the ledger id is the store's {@link LedgerStore.ledgerId}). */
export interface StoredCheckpoint {
  /** Sequence number of the event whose hash is `head`. */
  readonly seq: number;
  readonly head: string;
  /** ISO-8601 UTC time of signing. */
  readonly ts: string;
  readonly keyId: string;
  /** Ed25519 signature, standard base64. */
  readonly sig: string;
}

/** One event row exactly as stored: `dataJson` is the stored text of the data column. */
export interface RawEvent {
  readonly seq: number;
  readonly ts: string;
  readonly type: string;
  readonly actor: string;
  readonly subject: string | null;
  /** The canonical JSON text the store wrote (its hash covers these very bytes). */
  readonly dataJson: string;
  readonly prevHash: string;
  readonly hash: string;
}

/** An event's seq, hash and MAC (null when written without a chain key). */
export interface EventMac {
  readonly seq: number;
  readonly hash: string;
  readonly mac: string | null;
}

/** Persistence of the ledger's identity and checkpoints, and raw reads of the event chain. */
export interface LedgerStore {
  /** The ledger's stable ID, created (random) on first use. */
  ledgerId(): Promise<string>;
  /** Every stored checkpoint, by seq. */
  checkpoints(): Promise<StoredCheckpoint[]>;
  /** The checkpoint with the highest seq, or null. */
  lastCheckpoint(): Promise<StoredCheckpoint | null>;
  /** Stores a checkpoint; false when one with this seq and signature is already stored. */
  addCheckpoint(checkpoint: StoredCheckpoint): Promise<boolean>;
  /** Iterates over the event rows in stored order (by seq), in batches. */
  scanRaw(after?: number): AsyncIterable<ReadonlyArray<RawEvent>>;
  /** The seq, hash and MAC of up to `limit` events with seq > `after`, by seq. */
  eventMacs(after: number, limit: number): Promise<EventMac[]>;
}
