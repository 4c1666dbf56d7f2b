import { GENESIS_HASH } from '../../util/chain.js';
import type { EventInput, EventLog, EventQuery, StoredEvent } from '../events.js';
import { eventFromRow, type SqliteDb } from './database.js';

type Row = Parameters<typeof eventFromRow>[0];

/** The SQLite event log. */
export class SqliteEventLog implements EventLog {
  readonly #db: SqliteDb;

  constructor(db: SqliteDb) {
    this.#db = db;
  }

  append(event: EventInput): Promise<StoredEvent> {
    return Promise.resolve(this.#db.tx(() => this.#db.append(event)));
  }

  read(query: EventQuery = {}): Promise<StoredEvent[]> {
    const where: string[] = ['seq > ?'];
    const params: Array<string | number> = [query.after ?? 0];
    if (query.subject !== undefined) {
      where.push('subject = ?');
      params.push(query.subject);
    }
    if (query.types !== undefined && query.types.length > 0) {
      const ors = query.types.map((t) => {
        if (t.endsWith('.*')) {
          params.push(`${t.slice(0, -1)}%`);
          return 'type LIKE ?';
        }
        params.push(t);
        return 'type = ?';
      });
      where.push(`(${ors.join(' OR ')})`);
    }
    params.push(query.limit ?? 1000);
    const rows = this.#db.db
      .prepare(`SELECT * FROM events WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ?`)
      .all(...params) as Row[];
    return Promise.resolve(rows.map(eventFromRow));
  }

  async *scan(after = 0): AsyncIterable<StoredEvent> {
    const page = this.#db.db.prepare('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT 5000');
    let cursor = after;
    for (;;) {
      if (!this.#db.free) await this.#db.settled();
      const rows = page.all(cursor) as Row[];
      if (rows.length === 0) return;
      for (const row of rows) yield eventFromRow(row);
      cursor = rows[rows.length - 1]!.seq;
      await Promise.resolve();
    }
  }

  head(): Promise<{ seq: number; hash: string }> {
    const row = this.#db.db
      .prepare('SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1')
      .get() as { seq: number; hash: string } | undefined;
    return Promise.resolve(row ?? { seq: 0, hash: GENESIS_HASH });
  }
}
