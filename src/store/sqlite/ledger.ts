import { randomBytes } from 'node:crypto';
import type { EventMac, LedgerStore, RawEvent, StoredCheckpoint } from '../ledger-store.js';
import type { SqliteDb } from './database.js';

const BATCH = 8192;
type Row = [number, string, string, string, string | null, string, string, string];

/** The SQLite ledger store: `meta.ledger.id`, the `checkpoints` table, raw event scans. */
export class SqliteLedgerStore implements LedgerStore {
  readonly #db: SqliteDb;

  constructor(db: SqliteDb) {
    this.#db = db;
  }

  ledgerId(): Promise<string> {
    const db = this.#db.db;
    const read = (): string | undefined =>
      (
        db.prepare("SELECT value FROM meta WHERE key = 'ledger.id'").get() as
          { value: string } | undefined
      )?.value;
    const known = read();
    if (known !== undefined) return Promise.resolve(known);
    return Promise.resolve(
      this.#db.tx(() => {
        const again = read();
        if (again !== undefined) return again;
        const id = `ledger-${randomBytes(8).toString('hex')}`;
        db.prepare("INSERT INTO meta (key, value) VALUES ('ledger.id', ?)").run(id);
        return id;
      }),
    );
  }

  checkpoints(): Promise<StoredCheckpoint[]> {
    const rows = this.#db.db
      .prepare('SELECT seq, head, ts, key_id AS keyId, sig FROM checkpoints ORDER BY seq')
      .all() as StoredCheckpoint[];
    return Promise.resolve(rows);
  }

  lastCheckpoint(): Promise<StoredCheckpoint | null> {
    const row = this.#db.db
      .prepare(
        'SELECT seq, head, ts, key_id AS keyId, sig FROM checkpoints ORDER BY seq DESC LIMIT 1',
      )
      .get() as StoredCheckpoint | undefined;
    return Promise.resolve(row ?? null);
  }

  addCheckpoint(cp: StoredCheckpoint): Promise<boolean> {
    const info = this.#db.tx(() =>
      this.#db.db
        .prepare(
          'INSERT INTO checkpoints (seq, head, ts, key_id, sig) VALUES (?, ?, ?, ?, ?) ON CONFLICT (seq) DO NOTHING',
        )
        .run(cp.seq, cp.head, cp.ts, cp.keyId, cp.sig),
    );
    return Promise.resolve(info.changes > 0);
  }

  eventMacs(after: number, limit: number): Promise<EventMac[]> {
    const rows = this.#db.db
      .prepare('SELECT seq, hash, mac FROM events WHERE seq > ? ORDER BY seq LIMIT ?')
      .all(after, limit) as EventMac[];
    return Promise.resolve(rows);
  }

  async *scanRaw(after = Number.MIN_SAFE_INTEGER): AsyncIterable<ReadonlyArray<RawEvent>> {
    const page = this.#db.db
      .prepare(
        'SELECT seq, ts, type, actor, subject, data, prev_hash, hash FROM events WHERE seq > ? ORDER BY seq LIMIT ?',
      )
      .raw(true);
    let cursor = after;
    for (;;) {
      if (!this.#db.free) await this.#db.settled();
      const rows = page.all(cursor, BATCH) as Row[];
      if (rows.length === 0) return;
      const batch = new Array<RawEvent>(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]!;
        batch[i] = {
          seq: r[0],
          ts: r[1],
          type: r[2],
          actor: r[3],
          subject: r[4],
          dataJson: r[5],
          prevHash: r[6],
          hash: r[7],
        };
      }
      yield batch;
      cursor = rows[rows.length - 1]![0];
      if (rows.length < BATCH) return;
      await Promise.resolve();
    }
  }
}
