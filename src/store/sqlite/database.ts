import { existsSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { StoreError, isPulserError } from '../../errors/index.js';
import { checkEventInput } from '../../ir/events.js';
import { canonicalJson } from '../../util/canonical-json.js';
import { GENESIS_HASH, eventDigestRaw, eventMac } from '../../util/chain.js';
import type { Clock } from '../clock.js';
import type { ChainKeyState, EventInput, StoredEvent } from '../events.js';
import { DAMAGED_HINT, checkLines, damagedMarker, markDamaged, sqliteFailure } from './failure.js';
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

/**
 * Parses a JSON column of a state row; damaged text becomes a store error that names the table,
 * the row and the column, and says to run `pulser doctor`.
 */
export function parseStored<T>(table: string, id: string, column: string, text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new StoreError(
      `the workspace database is damaged: ${table} row ${JSON.stringify(id)} has a ${column} that is not JSON`,
      { table, row: id, field: column, reason: 'damaged', hint: DAMAGED_HINT },
      cause,
    );
  }
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
  /** The database file. */
  readonly path: string;
  readonly #lastEvent: Database.Statement<[], { seq: number; hash: string; mac: string | null }>;
  readonly #insertEvent: Database.Statement<
    [number, string, string, string, string | null, string, string, string, string | null]
  >;
  #chainKey: ChainKeyState = { kind: 'none' };
  /** Why writes are refused (the database is known to be damaged), or null. */
  #damaged: string | null = null;
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
    this.path = path;
    try {
      this.db = new Database(path, { timeout: options.busyTimeoutMs ?? 5000 });
    } catch (cause) {
      throw (
        sqliteFailure(cause, path) ??
        new StoreError(
          `cannot open the workspace database: ${(cause as Error).message}`,
          { file: path },
          cause,
        )
      );
    }
    try {
      this.#checkKnownDamage();
      this.db.pragma('journal_mode = WAL');
      this.db.pragma(`synchronous = ${options.durability === 'full' ? 'FULL' : 'NORMAL'}`);
      this.db.pragma('foreign_keys = ON');
      this.migrate(path);
      this.#run = this.db.transaction((fn: () => unknown) => fn());
      this.#lastEvent = this.db.prepare(
        'SELECT seq, hash, mac FROM events ORDER BY seq DESC LIMIT 1',
      );
      this.#insertEvent = this.db.prepare(
        'INSERT INTO events (seq, ts, type, actor, subject, data, prev_hash, hash, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      );
    } catch (error) {
      this.db.close();
      if (isPulserError(error)) throw error;
      throw sqliteFailure(error, path) ?? error;
    }
  }

  /**
   * When an earlier process recorded damage (the marker file beside the database), runs
   * `PRAGMA quick_check`: a healthy file clears the marker; a damaged one refuses every write.
   */
  #checkKnownDamage(): void {
    const marker = damagedMarker(this.path);
    if (!existsSync(marker)) return;
    const rows = this.db.pragma('quick_check') as Array<{ quick_check: string }>;
    const problems = checkLines(rows.map((r) => r.quick_check));
    if (problems.length === 0) rmSync(marker, { force: true });
    else this.#damaged = problems[0]!;
  }

  /** Why writes are refused because the file is damaged, or null when it is not known to be. */
  get damaged(): string | null {
    return this.#damaged;
  }

  /** Records that the file is damaged (by `pulser doctor`, or after SQLITE_CORRUPT). */
  markDamaged(reason: string): void {
    this.#damaged = reason;
    markDamaged(this.path, reason);
  }

  /** Forgets recorded damage after a full check found the file healthy. */
  clearDamaged(): void {
    this.#damaged = null;
    rmSync(damagedMarker(this.path), { force: true });
  }

  /**
   * Sets the key that authenticates appended events (see `eventMac`): with a key, every append
   * first checks that the chain's head is authentic, and MACs the new event; when the key
   * exists but cannot be read, appends are refused.
   */
  setChainKey(state: ChainKeyState): void {
    this.#chainKey = state;
  }

  /** The chain key this connection appends with. */
  get chainKey(): ChainKeyState {
    return this.#chainKey;
  }

  /** The last event's seq and hash, read now. */
  headNow(): { seq: number; hash: string } {
    const row = this.#lastEvent.get();
    return row === undefined ? { seq: 0, hash: GENESIS_HASH } : { seq: row.seq, hash: row.hash };
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
    if (this.#damaged !== null) {
      throw new StoreError(
        `the workspace database is damaged (${this.#damaged}); nothing was written`,
        { file: this.path, reason: 'damaged', hint: DAMAGED_HINT },
      );
    }
    let result: T;
    this.#head = null;
    try {
      result = this.#run.immediate(fn) as T;
    } catch (error) {
      this.#pending.length = 0;
      const failure = sqliteFailure(error, this.path);
      if (failure?.data.reason === 'damaged') this.#damaged = failure.message;
      throw failure ?? error;
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
    checkEventInput(event);
    const last = (this.#head ??= this.#authenticHead());
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
    const key = this.#chainKey;
    this.#insertEvent.run(
      seq,
      ts,
      event.type,
      event.actor,
      event.subject,
      dataJson,
      prevHash,
      hash,
      key.kind === 'key' ? eventMac(key.key.secret, hash) : null,
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

  /**
   * The head to chain the next event to, read once per transaction. With a chain key, an
   * unauthenticated head (an event added or changed by someone without the key) is refused,
   * so that no authentic event is ever chained onto a forged one.
   */
  #authenticHead(): { seq: number; hash: string } {
    const row = this.#lastEvent.get();
    const head = row === undefined ? { seq: 0, hash: GENESIS_HASH } : row;
    const state = this.#chainKey;
    if (state.kind === 'none') return head;
    if (state.kind === 'unavailable') {
      throw new StoreError(`cannot write: the ledger key cannot be read (${state.reason})`, {
        file: state.file,
        hint: 'run Pulser as the user who owns .pulser/keys (only they can add to the ledger)',
      });
    }
    const { from, secret } = state.key;
    if (head.seq < from - 1) {
      throw new StoreError(
        `the ledger ends at event ${head.seq}, but it had reached event ${from - 1} when its key was made: events were removed; nothing was written`,
        { file: this.path, reason: 'ledger', hint: DAMAGED_HINT },
      );
    }
    if (head.seq >= from && (row?.mac ?? null) !== eventMac(secret, head.hash)) {
      throw new StoreError(
        `the ledger's last event ${head.seq} is not authenticated by the ledger key: it was added or changed outside Pulser; nothing was written`,
        { file: this.path, reason: 'ledger', hint: DAMAGED_HINT },
      );
    }
    return head;
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
