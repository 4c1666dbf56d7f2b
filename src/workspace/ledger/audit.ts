/**
 * The audit view of the ledger: its events newest first, filtered by type (exact or a `prefix.`),
 * actor and time range, a page at a time. Steps' output is not an audit event: it is left out
 * unless `step.output` itself is asked for.
 */
import type { StoredEvent } from '../../store/events.js';
import type { Workspace } from '../open.js';

/** Filters and page of {@link auditEvents}. */
export interface AuditQuery {
  /** Types: exact (`step.skipped`) or prefixes ending in a dot (`trust.`). */
  readonly types?: ReadonlyArray<string>;
  /** Substring of the actor (`user:ana`, `worker:`). */
  readonly actor?: string;
  /** Only events at or after this time (ISO-8601). */
  readonly since?: string;
  /** Only events before this time (ISO-8601). */
  readonly until?: string;
  /** Only events with `seq` below this (the cursor of the next page). */
  readonly before?: number;
  /** @default 50 */
  readonly limit?: number;
}

/** An event as the audit page shows it. */
export type AuditEvent = Pick<StoredEvent, 'seq' | 'ts' | 'type' | 'actor' | 'subject' | 'data'>;

/** A page of the audit view. */
export interface AuditPage {
  readonly events: ReadonlyArray<AuditEvent>;
  /** The cursor of the next (older) page, or null at the first event. */
  readonly before: number | null;
  /** Events in the ledger (all types). */
  readonly total: number;
}

/** Events read at a time: a page's worth first, more while a sparse filter finds few. */
const MAX_CHUNK = 2000;
/** Events read per request at most: a sparse filter returns a shorter page and a cursor. */
const MAX_SCANNED = 100_000;

function matches(e: StoredEvent, q: AuditQuery, since: number, until: number): boolean {
  const types = q.types ?? [];
  if (e.type === 'step.output' && !types.includes('step.output')) return false;
  if (
    types.length > 0 &&
    !types.some((t) => (t.endsWith('.') ? e.type.startsWith(t) : e.type === t))
  ) {
    return false;
  }
  if (q.actor !== undefined && !e.actor.includes(q.actor)) return false;
  const at = Date.parse(e.ts);
  return at >= since && at < until;
}

/** A page of the ledger's events, newest first. */
export async function auditEvents(ws: Workspace, q: AuditQuery = {}): Promise<AuditPage> {
  const limit = q.limit ?? 50;
  const since = q.since === undefined ? -Infinity : Date.parse(q.since);
  const until = q.until === undefined ? Infinity : Date.parse(q.until);
  const head = (await ws.store.events.head()).seq;
  const types = q.types ?? [];
  // The store filters by type too (`prefix.*` for a prefix); `matches` decides exactly.
  const storeTypes = types.map((t) => (t.endsWith('.') ? `${t}*` : t));
  let hi = Math.min(q.before ?? head + 1, head + 1);
  const out: AuditEvent[] = [];
  let scanned = 0;
  let chunkSize = Math.min(MAX_CHUNK, limit * 2);
  while (hi > 1 && out.length < limit && scanned < MAX_SCANNED) {
    const lo = Math.max(1, hi - chunkSize);
    chunkSize = Math.min(MAX_CHUNK, chunkSize * 2);
    scanned += hi - lo;
    const chunk = (
      await ws.store.events.read({
        after: lo - 1,
        limit: hi - lo,
        ...(storeTypes.length === 0 ? {} : { types: storeTypes }),
      })
    ).filter((e) => e.seq < hi);
    let next = lo;
    for (let i = chunk.length - 1; i >= 0; i--) {
      const e = chunk[i]!;
      // Sequences and times grow together: past `since`, nothing older can match.
      if (Date.parse(e.ts) < since) {
        next = 1;
        break;
      }
      if (!matches(e, q, since, until)) continue;
      const { seq, ts, type, actor, subject, data } = e;
      out.push({ seq, ts, type, actor, subject, data });
      if (out.length === limit) {
        next = seq;
        break;
      }
    }
    hi = next;
  }
  return { events: out, before: hi > 1 ? hi : null, total: head };
}
