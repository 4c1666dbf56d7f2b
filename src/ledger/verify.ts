import { GENESIS_HASH, eventDigest, eventDigestRaw, type ChainedEvent } from '../util/chain.js';
import { verifyCheckpoint, type Checkpoint } from './checkpoint.js';
import type { TrustedKeys } from './keys.js';

/** Why a ledger does not verify. */
export type LedgerProblemCode =
  /** The event's seq is not the previous seq + 1: an event was removed, inserted or moved. */
  | 'seq_gap'
  /** The event's prevHash is not the previous event's hash. */
  | 'broken_link'
  /** The event's hash does not match its content: the event was modified. */
  | 'hash_mismatch'
  /** The event has fields of the wrong type and cannot be hashed. */
  | 'event_malformed'
  /** A checkpoint is not well formed. */
  | 'checkpoint_malformed'
  /** A checkpoint is signed by a key that is not trusted. */
  | 'unknown_key'
  /** A checkpoint's signature does not verify. */
  | 'bad_signature'
  /** A checkpoint belongs to another ledger. */
  | 'foreign_checkpoint'
  /** The event at a signed checkpoint's position has another hash: history was rewritten. */
  | 'checkpoint_mismatch'
  /** The ledger ends before a signed checkpoint's position: events were cut off. */
  | 'truncated'
  /** The event's MAC does not verify under the chain key: it was added or changed without the key. */
  | 'unauthenticated';

/** An event as stored: its data as the canonical JSON text its hash covers. */
export interface RawChainedEvent {
  readonly seq: number;
  readonly ts: string;
  readonly type: string;
  readonly actor: string;
  readonly subject: string | null;
  readonly dataJson: string;
  readonly prevHash: string;
  readonly hash: string;
}

/** One finding of {@link verifyLedger}. */
export interface LedgerProblem {
  readonly code: LedgerProblemCode;
  /** The event's seq (or, for checkpoint problems, the checkpoint's seq). */
  readonly seq: number;
  readonly message: string;
}

/** The outcome of verifying a ledger. */
export interface LedgerVerdict {
  /** True when no problem was found. */
  readonly ok: boolean;
  /** Number of events read. */
  readonly count: number;
  /** The last event's seq and hash as stored (seq 0 and the genesis hash when empty). */
  readonly head: { readonly seq: number; readonly hash: string };
  /** The latest checkpoint whose signature verified and whose head matched, or null. */
  readonly lastCheckpoint: Checkpoint | null;
  /** Events after `lastCheckpoint`: their removal could not be detected. */
  readonly unsignedTail: number;
  /** The first problem found while reading events (the first bad event), or null. */
  readonly firstBad: LedgerProblem | null;
  /** Problems found, checkpoint signature problems first, then in ledger order; capped. */
  readonly problems: ReadonlyArray<LedgerProblem>;
  /** Total number of problems, including those past the cap. */
  readonly problemCount: number;
}

/** Options of {@link verifyLedger}. */
export interface VerifyLedgerOptions {
  /** The ledger the checkpoints must belong to. @default the first checkpoint's ledgerId */
  readonly ledgerId?: string;
  /** Most problems kept in the verdict (all are counted). @default 100 */
  readonly maxProblems?: number;
}

/**
 * Incremental ledger verifier: feed events in order with {@link LedgerVerifier.add}, then call
 * {@link LedgerVerifier.finish}. Memory is O(checkpoints + maxProblems), independent of the
 * number of events.
 */
export class LedgerVerifier {
  readonly #checkpoints: Checkpoint[] = [];
  readonly #maxProblems: number;
  readonly #problems: LedgerProblem[] = [];
  #problemCount = 0;
  #firstBad: LedgerProblem | null = null;
  #next = 0;
  #count = 0;
  #prevSeq = 0;
  #prevHash = GENESIS_HASH;
  #lastCheckpoint: Checkpoint | null = null;

  constructor(
    checkpoints: Iterable<Checkpoint>,
    trustedKeys: TrustedKeys,
    options: VerifyLedgerOptions = {},
  ) {
    this.#maxProblems = options.maxProblems ?? 100;
    let ledgerId = options.ledgerId;
    for (const cp of checkpoints) {
      const check = verifyCheckpoint(cp, trustedKeys);
      const seq = typeof cp.seq === 'number' ? cp.seq : 0;
      if (!check.ok) {
        this.#report({ code: check.code, seq, message: check.message }, false);
        continue;
      }
      ledgerId ??= cp.ledgerId;
      if (cp.ledgerId !== ledgerId) {
        this.#report(
          {
            code: 'foreign_checkpoint',
            seq,
            message: `checkpoint ${seq} belongs to ledger ${JSON.stringify(cp.ledgerId)}, not ${JSON.stringify(ledgerId)}`,
          },
          false,
        );
        continue;
      }
      this.#checkpoints.push(cp);
    }
    this.#checkpoints.sort((a, b) => a.seq - b.seq);
  }

  /**
   * Checks the next event of the ledger given as stored, its data as the stored JSON text: the
   * hash covers that text byte for byte, so any change to it is detected without parsing it.
   * Field types are trusted to the database (a typed row); use {@link add} for parsed events.
   */
  addRaw(e: RawChainedEvent): void {
    const position = ++this.#count;
    const seq = e.seq;
    if (seq !== this.#prevSeq + 1) this.#seqGap(position, seq);
    if (e.prevHash !== this.#prevHash) {
      this.#report({
        code: 'broken_link',
        seq,
        message: `event ${seq} does not link to the hash of the event before it`,
      });
    }
    if (eventDigestRaw(e.prevHash, e, e.dataJson) !== e.hash) {
      this.#report({
        code: 'hash_mismatch',
        seq,
        message: `event ${seq} does not match its hash: its content was changed`,
      });
    }
    this.#matchCheckpoints(position, e.hash, seq);
    this.#prevSeq = seq;
    this.#prevHash = e.hash;
  }

  #seqGap(position: number, seq: unknown): void {
    this.#report({
      code: 'seq_gap',
      seq: Number.isSafeInteger(seq) ? (seq as number) : position,
      message:
        position === 1
          ? `the ledger starts at event ${String(seq)}, not 1`
          : `event ${String(seq)} follows event ${this.#prevSeq}: an event was removed, inserted or moved`,
    });
  }

  /** Checks the next event of the ledger. */
  add(e: ChainedEvent): void {
    const position = ++this.#count;
    if (typeof e !== 'object' || e === null) {
      this.#report({
        code: 'event_malformed',
        seq: position,
        message: `event ${position} is not an object`,
      });
      this.#prevSeq = position;
      this.#prevHash = '';
      return;
    }
    const seq = Number.isSafeInteger(e.seq) ? e.seq : position;
    if (e.seq !== this.#prevSeq + 1) this.#seqGap(position, e.seq);
    if (e.prevHash !== this.#prevHash) {
      this.#report({
        code: 'broken_link',
        seq,
        message: `event ${seq} does not link to the hash of the event before it`,
      });
    }
    let digest: string | undefined;
    try {
      digest = eventDigest(e.prevHash, e);
    } catch (error) {
      this.#report({
        code: 'event_malformed',
        seq,
        message: `event ${seq} cannot be hashed: ${(error as Error).message}`,
      });
    }
    if (digest !== undefined && digest !== e.hash) {
      this.#report({
        code: 'hash_mismatch',
        seq,
        message: `event ${seq} does not match its hash: its content was changed`,
      });
    }
    this.#matchCheckpoints(position, e.hash, seq);
    this.#prevSeq = seq;
    this.#prevHash = e.hash;
  }

  /** Records a problem found outside the chain itself (such as an unauthenticated event). */
  addProblem(problem: LedgerProblem): void {
    const before = this.#firstBad;
    this.#report(problem);
    if (before !== null && problem.seq < before.seq) this.#firstBad = problem;
  }

  /** The first problem found in the events so far, or null. */
  get firstBad(): LedgerProblem | null {
    return this.#firstBad;
  }

  /** Finishes verification after the last event and returns the verdict. */
  finish(): LedgerVerdict {
    const checkpoints = this.#checkpoints;
    for (; this.#next < checkpoints.length; this.#next++) {
      const cp = checkpoints[this.#next]!;
      this.#report({
        code: 'truncated',
        seq: cp.seq,
        message: `checkpoint ${cp.seq} (signed by ${cp.keyId}) covers ${cp.seq} events, but the ledger has ${this.#count}: events were cut off`,
      });
    }
    const lastSeq = this.#lastCheckpoint?.seq ?? 0;
    return {
      ok: this.#problemCount === 0,
      count: this.#count,
      head: { seq: this.#prevSeq, hash: this.#prevHash },
      lastCheckpoint: this.#lastCheckpoint,
      unsignedTail: Math.max(0, this.#count - lastSeq),
      firstBad: this.#firstBad,
      problems: this.#problems,
      problemCount: this.#problemCount,
    };
  }

  #matchCheckpoints(position: number, hash: string, seq: number): void {
    const checkpoints = this.#checkpoints;
    while (this.#next < checkpoints.length && checkpoints[this.#next]!.seq <= position) {
      const cp = checkpoints[this.#next++]!;
      if (cp.seq === position && cp.head === hash) {
        this.#lastCheckpoint = cp;
        continue;
      }
      this.#report({
        code: 'checkpoint_mismatch',
        seq,
        message: `event ${seq} at position ${cp.seq} does not have the head signed by checkpoint ${cp.seq} (key ${cp.keyId}): the history was rewritten`,
      });
    }
  }

  #report(problem: LedgerProblem, isEvent = true): void {
    this.#problemCount++;
    if (isEvent && this.#firstBad === null) this.#firstBad = problem;
    if (this.#problems.length < this.#maxProblems) this.#problems.push(problem);
  }
}

/**
 * Verifies a ledger in one pass: every event's seq, link and hash, and every checkpoint's
 * signature and head. Detects any modified, removed, reordered or inserted event, and
 * truncation before the last signed checkpoint. Returns a verdict; never throws for a bad ledger.
 *
 * @example
 * const verdict = verifyLedger(events, checkpoints, await keyring.trustedKeys());
 * if (!verdict.ok) console.error(verdict.firstBad?.message);
 */
export function verifyLedger(
  events: Iterable<ChainedEvent>,
  checkpoints: Iterable<Checkpoint>,
  trustedKeys: TrustedKeys,
  options: VerifyLedgerOptions = {},
): LedgerVerdict {
  const verifier = new LedgerVerifier(checkpoints, trustedKeys, options);
  for (const e of events) verifier.add(e);
  return verifier.finish();
}

/** {@link verifyLedger} over an async stream of events, such as the store's `scan()`. */
export async function verifyLedgerAsync(
  events: AsyncIterable<ChainedEvent> | Iterable<ChainedEvent>,
  checkpoints: Iterable<Checkpoint>,
  trustedKeys: TrustedKeys,
  options: VerifyLedgerOptions = {},
): Promise<LedgerVerdict> {
  const verifier = new LedgerVerifier(checkpoints, trustedKeys, options);
  for await (const e of events) verifier.add(e);
  return verifier.finish();
}
