import Database from 'better-sqlite3';
import { StoreError } from '../../errors/index.js';
import { canonicalJson } from '../../util/canonical-json.js';
import { GENESIS_HASH, eventDigestRaw } from '../../util/chain.js';
import type { Clock } from '../clock.js';
import type { EventInput, StoredEvent } from '../events.js';
import type { Durability } from '../store.js';
import { migrations } from './migrations/index.js';

/** Options of a SQLite connection. */
export interface SqliteOptions {
  /** `full` survives power loss; `normal` (WAL) survives a process crash. @default 'normal' */
  readonly durability?: Durability;
  /** How long to wait for another process's write lock. @default 5000 */
  readonly busyTimeoutMs?: number;
  readonly clock: Clock;
}

interface EventRow {
  seq: number;
  ts: string;
  type: string;
  actor: string;
  subject: string | null;
  data: string;
  prev_hash: string;
  hash: string;
}

/** Converts a stored row into a StoredEvent. */
export function eventFromRow(row: EventRow): StoredEvent {
  let data: unknown;
  try {
    data = JSON.parse(row.data) as unknown;
  } catch (cause) {
    throw new StoreError(
      `event ${row.seq} of the ledger is damaged: its data is not JSON`,
      { hint: 'run `pulser ledger verify` to see what changed' },
      cause,
    );
  }
  return {
    seq: row.seq,
    ts: row.ts,
    type: row.type,
    actor: row.actor,
    subject: row.subject,
    data,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/**
 * One SQLite connection: pragmas, migrations, synchronous transactions and event appends.
 * Shared by the SQLite implementations of the sub-stores.
 */
export class SqliteDb {
  readonly db: Database.Database;
  readonly clock: Clock;
  readonly #lastEvent: Database.Statement<[], { seq: number; hash: string }>;
  readonly #insertEvent: Database.Statement<
    [number, string, string, string, string | null, string, string, string]
  >;
  readonly #pending: StoredEvent[] = [];
  /**
   * The chain head as of the last event appended in the current transaction: read once per
   * transaction (under its write lock, so no other connection can append meanwhile), then
   * advanced in memory. Cleared when a transaction begins and ends.
   */
  #head: { seq: number; hash: string } | null = null;
  /** One transaction wrapper, made once: runs the function it is given. */
  readonly #run: Database.Transaction<(fn: () => unknown) => unknown>;
  #isoMs = Number.NaN;
  #isoText = '';
  #listeners: Array<(events: ReadonlyArray<StoredEvent>) => void> = [];

  constructor(path: string, options: SqliteOptions) {
    this.clock = options.clock;
    try {
      this.db = new Database(path, { timeout: options.busyTimeoutMs ?? 5000 });
    } catch (cause) {
      throw new StoreError(
        `cannot open the workspace database: ${(cause as Error).message}`,
        { file: path },
        cause,
      );
    }
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.durability === 'full' ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('foreign_keys = ON');
    this.migrate(path);
    this.#run = this.db.transaction((fn: () => unknown) => fn());
    this.#lastEvent = this.db.prepare('SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1');
    this.#insertEvent = this.db.prepare(
      'INSERT INTO events (seq, ts, type, actor, subject, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
  }

  private migrate(path: string): void {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    const applied = new Set(
      this.db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[],
    );
    const newest = Math.max(0, ...applied);
    const known = migrations.at(-1)?.version ?? 0;
    if (newest > known) {
      throw new StoreError(
        `the workspace database is at schema version ${newest}, newer than this Pulser knows (${known})`,
        { file: path, hint: 'upgrade Pulser' },
      );
    }
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      this.db
        .transaction(() => {
          this.db.exec(migration.sql);
          this.db
            .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
            .run(migration.version, migration.name, new Date(this.clock.now()).toISOString());
        })
        .immediate();
    }
  }

  /** Runs `fn` in one IMMEDIATE transaction; events appended inside are published on commit. */
  tx<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    let result: T;
    this.#head = null;
    try {
      result = this.#run.immediate(fn) as T;
    } catch (error) {
      this.#pending.length = 0;
      throw error;
    } finally {
      this.#head = null;
    }
    if (this.#pending.length > 0) {
      const events = this.#pending.splice(0);
      for (const listener of this.#listeners) listener(events);
    }
    return result;
  }

  /** The clock's now as an ISO-8601 timestamp (formatted once per millisecond). */
  isoNow(): string {
    const ms = this.clock.now();
    if (ms !== this.#isoMs) {
      this.#isoText = new Date(ms).toISOString();
      this.#isoMs = ms;
    }
    return this.#isoText;
  }

  /** Appends an event; must be called inside `tx` so it commits with the state change. */
  append(event: EventInput): StoredEvent {
    if (!this.db.inTransaction) throw new StoreError('event appended outside a transaction');
    const last = (this.#head ??= this.#lastEvent.get() ?? { seq: 0, hash: GENESIS_HASH });
    const seq = last.seq + 1;
    const prevHash = last.hash;
    const ts = this.isoNow();
    const data = event.data === undefined ? null : event.data;
    // The stored text is the canonical JSON the hash covers, so verification hashes it as is.
    const dataJson = canonicalJson(data);
    const hash = eventDigestRaw(
      prevHash,
      { seq, ts, type: event.type, actor: event.actor, subject: event.subject },
      dataJson,
    );
    this.#insertEvent.run(
      seq,
      ts,
      event.type,
      event.actor,
      event.subject,
      dataJson,
      prevHash,
      hash,
    );
    this.#head = { seq, hash };
    const stored: StoredEvent = {
      seq,
      ts,
      type: event.type,
      actor: event.actor,
      subject: event.subject,
      data,
      prevHash,
      hash,
    };
    this.#pending.push(stored);
    return stored;
  }

  /** Calls `listener` with the events of each committed transaction of this connection. */
  onCommit(listener: (events: ReadonlyArray<StoredEvent>) => void): () => void {
    this.#listeners.push(listener);
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  /** Closes the connection. */
  close(): void {
    if (this.db.open) this.db.close();
  }
}
