import { randomBytes } from 'node:crypto';
import type { EventMac, LedgerStore, RawEvent, StoredCheckpoint } from '../ledger-store.js';
import { safeInt, type PgDb, type PgEventRow } from './database.js';

const BATCH = 8192;

interface CheckpointRow {
  seq: string;
  head: string;
  ts: string;
  keyId: string;
  sig: string;
}

function checkpointFrom(row: CheckpointRow): StoredCheckpoint {
  return {
    seq: safeInt(row.seq, 'checkpoint seq'),
    head: row.head,
    ts: row.ts,
    keyId: row.keyId,
    sig: row.sig,
  };
}

/** The PostgreSQL ledger store: `meta.ledger.id`, `checkpoints`, raw event scans. */
export class PgLedgerStore implements LedgerStore {
  readonly #db: PgDb;

  constructor(db: PgDb) {
    this.#db = db;
  }

  async ledgerId(): Promise<string> {
    const ws = this.#db.workspace;
    const read = async (): Promise<string | undefined> =>
      (
        await this.#db.query<{ value: string }>(
          "SELECT value FROM meta WHERE workspace = $1 AND key = 'ledger.id'",
          [ws],
        )
      ).rows[0]?.value;
    const known = await read();
    if (known !== undefined) return known;
    await this.#db.query(
      "INSERT INTO meta (workspace, key, value) VALUES ($1, 'ledger.id', $2) ON CONFLICT DO NOTHING",
      [ws, `ledger-${randomBytes(8).toString('hex')}`],
    );
    return (await read())!;
  }

  async checkpoints(): Promise<StoredCheckpoint[]> {
    const res = await this.#db.query<CheckpointRow>(
      'SELECT seq, head, ts, key_id AS "keyId", sig FROM checkpoints WHERE workspace = $1 ORDER BY seq',
      [this.#db.workspace],
    );
    return res.rows.map(checkpointFrom);
  }

  async lastCheckpoint(): Promise<StoredCheckpoint | null> {
    const res = await this.#db.query<CheckpointRow>(
      'SELECT seq, head, ts, key_id AS "keyId", sig FROM checkpoints WHERE workspace = $1 ORDER BY seq DESC LIMIT 1',
      [this.#db.workspace],
    );
    return res.rows[0] === undefined ? null : checkpointFrom(res.rows[0]);
  }

  async addCheckpoint(cp: StoredCheckpoint): Promise<boolean> {
    const res = await this.#db.query(
      `INSERT INTO checkpoints (workspace, seq, head, ts, key_id, sig) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (workspace, seq) DO NOTHING`,
      [this.#db.workspace, cp.seq, cp.head, cp.ts, cp.keyId, cp.sig],
    );
    return (res.rowCount ?? 0) > 0;
  }

  async eventMacs(after: number, limit: number): Promise<EventMac[]> {
    const res = await this.#db.query<{ seq: string; hash: string; mac: string | null }>(
      'SELECT seq, hash, mac FROM events WHERE workspace = $1 AND seq > $2 ORDER BY seq LIMIT $3',
      [this.#db.workspace, after, limit],
    );
    return res.rows.map((r) => ({ seq: safeInt(r.seq, 'event seq'), hash: r.hash, mac: r.mac }));
  }

  async *scanRaw(after = Number.MIN_SAFE_INTEGER): AsyncIterable<ReadonlyArray<RawEvent>> {
    let cursor = after;
    for (;;) {
      const res = await this.#db.query<PgEventRow>(
        `SELECT seq, ts, type, actor, subject, data, prev_hash, hash FROM events
         WHERE workspace = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
        [this.#db.workspace, cursor, BATCH],
      );
      const rows = res.rows;
      if (rows.length === 0) return;
      const batch = rows.map((r): RawEvent => ({
        seq: safeInt(r.seq, 'event seq'),
        ts: r.ts,
        type: r.type,
        actor: r.actor,
        subject: r.subject,
        dataJson: r.data,
        prevHash: r.prev_hash,
        hash: r.hash,
      }));
      yield batch;
      cursor = batch[batch.length - 1]!.seq;
      if (rows.length < BATCH) return;
    }
  }
}
