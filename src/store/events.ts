import { canonicalJson } from '../util/canonical-json.js';
import { eventDigestRaw, eventMac, type ChainKey } from '../util/chain.js';

/** An event to append: every state change of a workspace is a transaction plus an event. */
export interface EventInput {
  /** Dotted event type: `plan.imported`, `step.succeeded`, `trust.granted`, ... */
  readonly type: string;
  /** Who caused it: `cli:<user>`, `worker:<id>`, `agent:<name>`, `system`. */
  readonly actor: string;
  /** The ID the event is about (a plan, run, step), or null. */
  readonly subject: string | null;
  /** JSON-serialisable details. */
  readonly data: unknown;
}

/** An event as stored: numbered, timestamped and hash-chained to its predecessor. */
export interface StoredEvent extends EventInput {
  readonly seq: number;
  /** ISO-8601 UTC timestamp. */
  readonly ts: string;
  readonly prevHash: string;
  readonly hash: string;
}

/** Which events to read. */
export interface EventQuery {
  /** Only events with `seq > after`. @default 0 */
  readonly after?: number;
  /** At most this many events. @default 1000 */
  readonly limit?: number;
  /** Only these types (exact match or a `prefix.*`). */
  readonly types?: ReadonlyArray<string>;
  /** Only events about this subject. */
  readonly subject?: string;
}

/** The append-only event log of a workspace. */
export interface EventLog {
  /** Appends one event in its own transaction. */
  append(event: EventInput): Promise<StoredEvent>;
  /** Reads events in `seq` order. */
  read(query?: EventQuery): Promise<StoredEvent[]>;
  /** Iterates over every event in `seq` order without holding them all in memory. */
  scan(after?: number): AsyncIterable<StoredEvent>;
  /** The last event's `seq` and `hash` (seq 0 and the genesis hash when empty). */
  head(): Promise<{ seq: number; hash: string }>;
}

/** The chain key a store appends with: none (MACs off), the key, or a key that exists but cannot be read. */
export type ChainKeyState =
  | { readonly kind: 'none' }
  | { readonly kind: 'key'; readonly key: ChainKey; readonly file: string }
  | { readonly kind: 'unavailable'; readonly file: string; readonly reason: string };

/** Event types after which a step may have become claimable (what `onWork` subscribers hear). */
export const WORK_EVENTS: ReadonlySet<string> = new Set([
  'run.created',
  'step.queued',
  'step.approved',
  'step.succeeded',
  'step.skipped',
  'trust.granted',
]);

/** The next link of the chain, as every backend stores it (see {@link chainEvent}). */
export interface ChainLink {
  readonly stored: StoredEvent;
  /** The canonical JSON of the data: the stored text, which the hash covers as is. */
  readonly dataJson: string;
  /** The chain key's MAC of the hash, or null without a key. */
  readonly mac: string | null;
}

/** Chains `event` after `last` at time `ts`: the one definition of a link for every backend. */
export function chainEvent(
  last: { readonly seq: number; readonly hash: string },
  event: EventInput,
  ts: string,
  key: ChainKeyState,
): ChainLink {
  const seq = last.seq + 1;
  const data = event.data === undefined ? null : event.data;
  const dataJson = canonicalJson(data);
  const head = { seq, ts, type: event.type, actor: event.actor, subject: event.subject };
  const hash = eventDigestRaw(last.hash, head, dataJson);
  return {
    stored: { ...head, data, prevHash: last.hash, hash },
    dataJson,
    mac: key.kind === 'key' ? eventMac(key.key.secret, hash) : null,
  };
}
