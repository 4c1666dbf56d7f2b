import { createHmac, hash } from 'node:crypto';
import { canonicalJson, canonicalString as quote } from './canonical-json.js';

/** The `prevHash` of the first event of every ledger: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/** Domain tag that starts every event preimage; a new byte format gets a new tag. */
export const EVENT_DIGEST_TAG = 'pulser.event.v1';

/** The fields of an event that its hash covers. */
export interface ChainedEventInput {
  /** Position in the ledger, starting at 1, without gaps. */
  readonly seq: number;
  /** ISO-8601 UTC timestamp. */
  readonly ts: string;
  readonly type: string;
  readonly actor: string;
  readonly subject: string | null;
  /** JSON data; must be serialisable by `canonicalJson` (use `null` for none). */
  readonly data: unknown;
}

/** An event with its link to the previous event and its own hash. */
export interface ChainedEvent extends ChainedEventInput {
  readonly prevHash: string;
  readonly hash: string;
}

/** A character that is not lowercase hex (a negated class is about twice as fast to test). */
const NOT_HEX = /[^0-9a-f]/;

/**
 * The exact string whose UTF-8 bytes {@link eventDigest} hashes.
 *
 * Contract (version 1, never change it in place):
 *
 * ```text
 * preimage = "pulser.event.v1" LF prevHash LF body
 * prevHash = 64 lowercase hex characters (the previous event's hash, or GENESIS_HASH)
 * body     = canonicalJson({ actor, data, seq, subject, ts, type })
 *          = '{"actor":' J(actor) ',"data":' C(data) ',"seq":' seq ',"subject":' J(subject)
 *            ',"ts":' J(ts) ',"type":' J(type) '}'
 * hash     = lowercase hex of SHA-256(UTF-8(preimage))
 * ```
 *
 * where LF is the byte 0x0A, J is `JSON.stringify` of a string (or `null`), C is RFC 8785
 * canonical JSON (`canonicalJson`), and seq is a positive safe integer in decimal. The tag and
 * the fixed-length prevHash make the split unambiguous; body is self-delimiting JSON, and
 * includes seq so that moving an event to another position changes its hash.
 *
 * @throws TypeError when a field has the wrong type, prevHash is not 64 lowercase hex
 * characters, or data is not canonical-JSON serialisable (`CanonicalJsonError`).
 */
export function eventPreimage(prevHash: string, e: ChainedEventInput): string {
  if (typeof prevHash !== 'string' || prevHash.length !== 64 || NOT_HEX.test(prevHash)) {
    throw new TypeError('event prevHash must be 64 lowercase hex characters');
  }
  if (!Number.isSafeInteger(e.seq) || e.seq < 1) {
    throw new TypeError(`event seq must be a positive integer, got ${String(e.seq)}`);
  }
  if (typeof e.ts !== 'string' || typeof e.type !== 'string' || typeof e.actor !== 'string') {
    throw new TypeError(`event ${e.seq}: ts, type and actor must be strings`);
  }
  if (e.subject !== null && typeof e.subject !== 'string') {
    throw new TypeError(`event ${e.seq}: subject must be a string or null`);
  }
  return preimageOf(prevHash, e, canonicalJson(e.data));
}

function preimageOf(prevHash: string, e: Omit<ChainedEventInput, 'data'>, data: string): string {
  const subject = e.subject === null ? 'null' : quote(e.subject);
  return (
    `${EVENT_DIGEST_TAG}\n${prevHash}\n{"actor":${quote(e.actor)},` +
    `"data":${data},"seq":${e.seq},"subject":${subject},` +
    `"ts":${quote(e.ts)},"type":${quote(e.type)}}`
  );
}

/**
 * {@link eventDigest} of an event whose data is given as its canonical JSON text (as the store
 * writes it), hashing that text byte for byte without parsing it: equal to `eventDigest` when
 * `dataJson === canonicalJson(data)`, and different for any other text. The ledger verifier
 * uses it on stored rows, so any change to the stored bytes is detected, even one that parses
 * to the same value. Field types are not checked here (stored rows are typed by the database).
 */
export function eventDigestRaw(
  prevHash: string,
  e: Omit<ChainedEventInput, 'data'>,
  dataJson: string,
): string {
  return hash('sha256', preimageOf(prevHash, e, dataJson), 'hex');
}

/**
 * The hash of event `e` chained to `prevHash`: lowercase hex SHA-256 over the bytes that
 * {@link eventPreimage} documents. The store calls it inside its append transaction; the
 * ledger verifier recomputes it.
 *
 * @example
 * const hash = eventDigest(GENESIS_HASH, { seq: 1, ts, type: 'plan.imported', actor, subject: null, data: {} });
 */
export function eventDigest(prevHash: string, e: ChainedEventInput): string {
  return hash('sha256', eventPreimage(prevHash, e), 'hex');
}

/** Returns `e` with `prevHash` and `hash` filled in: the next link after `prevHash`. */
export function chainEvent(prevHash: string, e: ChainedEventInput): ChainedEvent {
  return { ...e, prevHash, hash: eventDigest(prevHash, e) };
}

/** Domain tag of every event MAC; a new MAC format gets a new tag. */
export const EVENT_MAC_TAG = 'pulser.event-mac.v1';

/**
 * The secret that authenticates the chain: every event from seq `from` on carries
 * {@link eventMac} of its hash. Events before `from` were written before the workspace had a
 * chain key (an older Pulser) and are covered by signed checkpoints only.
 */
export interface ChainKey {
  /** 32 random bytes, kept in `.pulser/keys/chain.key` (mode 0600) beside the signing key. */
  readonly secret: Buffer;
  /** The first seq that must carry a MAC. */
  readonly from: number;
}

/**
 * The MAC of an event: lowercase hex HMAC-SHA-256 under the chain key of
 * `"pulser.event-mac.v1" LF hash`. The hash covers the event and, through `prevHash`, every
 * event before it, so one valid MAC authenticates the whole chain up to that event; someone
 * who can write the database but cannot read the key cannot make a valid MAC for an added,
 * changed or re-chained event.
 */
export function eventMac(secret: Buffer, eventHash: string): string {
  return createHmac('sha256', secret).update(`${EVENT_MAC_TAG}\n${eventHash}`).digest('hex');
}
