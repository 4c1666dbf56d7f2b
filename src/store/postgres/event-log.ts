import type { EventInput, EventLog, EventQuery, StoredEvent } from '../events.js';
import { eventFromRow, type PgDb, type PgEventRow } from './database.js';

const COLUMNS = 'seq, ts, type, actor, subject, data, prev_hash, hash';

/** The PostgreSQL event log of one workspace. */
export class PgEventLog implements EventLog {
  readonly #db: PgDb;

  constructor(db: PgDb) {
    this.#db = db;
  }

  append(event: EventInput): Promise<StoredEvent> {
    return this.#db.tx((tx) => tx.append(event));
  }

  async read(query: EventQuery = {}): Promise<StoredEvent[]> {
    const params: unknown[] = [this.#db.workspace, query.after ?? 0];
    const where: string[] = ['workspace = $1', 'seq > $2'];
    if (query.subject !== undefined) {
      params.push(query.subject);
      where.push(`subject = $${params.length}`);
    }
    if (query.types !== undefined && query.types.length > 0) {
      const ors = query.types.map((t) => {
        params.push(t.endsWith('.*') ? t.slice(0, -1) : t);
        return t.endsWith('.*')
          ? `starts_with(type, $${params.length})`
          : `type = $${params.length}`;
      });
      where.push(`(${ors.join(' OR ')})`);
    }
    params.push(query.limit ?? 1000);
    const res = await this.#db.query<PgEventRow>(
      `SELECT ${COLUMNS} FROM events WHERE ${where.join(' AND ')} ORDER BY seq LIMIT $${params.length}`,
      params,
    );
    return res.rows.map(eventFromRow);
  }

  async *scan(after = 0): AsyncIterable<StoredEvent> {
    let cursor = after;
    for (;;) {
      const res = await this.#db.query<PgEventRow>(
        `SELECT ${COLUMNS} FROM events WHERE workspace = $1 AND seq > $2 ORDER BY seq LIMIT 5000`,
        [this.#db.workspace, cursor],
      );
      if (res.rows.length === 0) return;
      let last = cursor;
      for (const row of res.rows) {
        const event = eventFromRow(row);
        last = event.seq;
        yield event;
      }
      cursor = last;
    }
  }

  head(): Promise<{ seq: number; hash: string }> {
    return this.#db.head();
  }
}
