import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { StoreError, isPulserError } from '../../errors/index.js';
import { checkEventInput } from '../../ir/events.js';
import { GENESIS_HASH, eventMac } from '../../util/chain.js';
import type { Clock } from '../clock.js';
import { chainEvent, type ChainKeyState, type EventInput, type StoredEvent } from '../events.js';
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
  /** The open async transaction (see `transaction`): other callers wait until it ends. */
  #open: { readonly ended: Promise<void> } | null = null;
  readonly #inside = new AsyncLocalStorage<{ readonly ended: Promise<void> }>();

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
    if (!this.free) {
      throw new StoreError(
        "a store call ran during another caller's transaction (it must be gated)",
      );
    }
    if (this.db.inTransaction) return this.#open === null ? fn() : this.#savepoint(fn);
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

  /** Runs `fn` in a savepoint of the open async transaction; a throw undoes its writes and events. */
  #savepoint<T>(fn: () => T): T {
    const pending = this.#pending.length;
    const head = this.#head;
    try {
      return this.#run(fn) as T;
    } catch (error) {
      this.#pending.length = pending;
      this.#head = head;
      throw error;
    }
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
    const { stored, dataJson, mac } = chainEvent(last, event, this.isoNow(), this.#chainKey);
    this.#insertEvent.run(
      stored.seq,
      stored.ts,
      stored.type,
      stored.actor,
      stored.subject,
      dataJson,
      stored.prevHash,
      stored.hash,
      mac,
    );
    this.#head = { seq: stored.seq, hash: stored.hash };
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

  /**
   * Whether a call may use the connection now: no async transaction is open, or the caller runs
   * inside it (the transaction's own function and everything it awaits).
   */
  get free(): boolean {
    return this.#open === null || this.#inside.getStore() === this.#open;
  }

  /** Resolves once no async transaction of another caller is open on this connection. */
  async settled(): Promise<void> {
    while (!this.free) await this.#open!.ended;
  }

  /**
   * Runs `fn` (a read or a write of a store method) now when the connection is free, else once
   * the open async transaction has ended, so that nobody sees its uncommitted writes or joins it
   * by accident. A throw becomes a rejection.
   */
  gate<T>(fn: () => T): Promise<T> {
    if (this.free) {
      try {
        return Promise.resolve(fn());
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
    return this.settled().then(() => this.gate(fn));
  }

  /**
   * Runs the async `fn` in one IMMEDIATE transaction that stays open across its awaits: every
   * store call made inside it (through the same store) joins it and commits or rolls back with
   * it; calls from outside wait until it ends. A nested `tx` inside runs in a savepoint, so a
   * failed operation that `fn` catches leaves nothing behind.
   */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#open !== null && this.#inside.getStore() === this.#open) return fn();
    while (this.#open !== null) await this.#open.ended;
    if (this.#damaged !== null) {
      throw new StoreError(
        `the workspace database is damaged (${this.#damaged}); nothing was written`,
        { file: this.path, reason: 'damaged', hint: DAMAGED_HINT },
      );
    }
    let end!: () => void;
    const open = { ended: new Promise<void>((r) => (end = r)) };
    this.#open = open;
    this.#head = null;
    try {
      try {
        this.db.exec('BEGIN IMMEDIATE');
      } catch (error) {
        throw sqliteFailure(error, this.path) ?? error;
      }
      let result: T;
      try {
        result = await this.#inside.run(open, fn);
        this.db.exec('COMMIT');
      } catch (error) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        this.#pending.length = 0;
        const failure = sqliteFailure(error, this.path);
        if (failure?.data.reason === 'damaged') this.#damaged = failure.message;
        throw failure ?? error;
      }
      if (this.#pending.length > 0) {
        const events = this.#pending.splice(0);
        for (const listener of this.#listeners) listener(events);
      }
      return result;
    } finally {
      this.#head = null;
      this.#open = null;
      end();
    }
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

/**
 * `target` with each method gated by `db` (see `SqliteDb.gate`): while an async transaction is
 * open, calls from outside it wait for its end. Async generators (scans) are passed through;
 * they wait page by page themselves.
 */
export function gated<T extends object>(db: SqliteDb, target: T): T {
  const out = Object.create(target) as Record<string, unknown>;
  const proto = Object.getPrototypeOf(target) as object;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const fn = Object.getOwnPropertyDescriptor(proto, name)?.value as unknown;
    if (name === 'constructor' || typeof fn !== 'function') continue;
    const method = fn as (...args: unknown[]) => unknown;
    out[name] =
      method.constructor.name === 'AsyncGeneratorFunction'
        ? (...args: unknown[]) => method.apply(target, args)
        : (...args: unknown[]) =>
            db.free ? method.apply(target, args) : db.gate(() => method.apply(target, args));
  }
  return out as T;
}
