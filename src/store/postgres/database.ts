/**
 * One workspace in a PostgreSQL database: transactions that take the workspace's chain lock,
 * and event appends that extend its hash chain as one total order, whatever the number of
 * connections, processes or machines appending.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';
import { StoreError, isPulserError } from '../../errors/index.js';
import { checkEventInput } from '../../ir/events.js';
import { GENESIS_HASH, eventMac } from '../../util/chain.js';
import type { Clock } from '../clock.js';
import { chainEvent, type ChainKeyState, type EventInput, type StoredEvent } from '../events.js';
import { connectionFailure, errorCode, type PgTarget } from './connection.js';

/** The channel `NOTIFY` wakes listeners on; the payload is `workspace seq`. */
export const EVENTS_CHANNEL = 'pulser_events';

/** A stored event row, as `pg` returns it (`bigint` columns come back as decimal strings). */
export interface PgEventRow {
  seq: string;
  ts: string;
  type: string;
  actor: string;
  subject: string | null;
  data: string;
  prev_hash: string;
  hash: string;
}

/**
 * A `bigint` column as a JavaScript number: PostgreSQL's 64-bit integers arrive as strings, and
 * every one Pulser stores (sequence numbers, epoch milliseconds) must be a safe integer; one that
 * is not is a damaged row, refused rather than rounded.
 */
export function safeInt(value: string | number, what: string): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n)) {
    throw new StoreError(
      `the PostgreSQL store holds ${what} ${String(value)}, beyond the 53-bit integers Pulser reads`,
      { reason: 'damaged', hint: 'run `pulser doctor`' },
    );
  }
  return n;
}

/** Converts a stored row into a StoredEvent. */
export function eventFromRow(row: PgEventRow): StoredEvent {
  const seq = safeInt(row.seq, 'event seq');
  let data: unknown;
  try {
    data = JSON.parse(row.data) as unknown;
  } catch (cause) {
    throw new StoreError(
      `event ${seq} of the ledger is damaged: its data is not JSON`,
      { hint: 'run `pulser ledger verify` to see what changed' },
      cause,
    );
  }
  return {
    seq,
    ts: row.ts,
    type: row.type,
    actor: row.actor,
    subject: row.subject,
    data,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** A transaction on one connection, with the workspace's chain lock held. */
export interface PgTx {
  /** Runs a statement in the transaction. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params?: ReadonlyArray<unknown>,
  ): Promise<pg.QueryResult<R>>;
  /** Appends an event to the workspace's chain; commits with the transaction. */
  append(event: EventInput): Promise<StoredEvent>;
}

/** The transaction a call is running in: its client, the chain head it holds and its events. */
interface OpenTx {
  head: { seq: number; hash: string } | null;
  readonly pending: StoredEvent[];
  tx: PgTx;
}

/**
 * A workspace (tenant) of a PostgreSQL database, shared by the PostgreSQL sub-stores.
 */
export class PgDb {
  readonly pool: pg.Pool;
  readonly workspace: string;
  readonly clock: Clock;
  readonly target: PgTarget;
  #chainKey: ChainKeyState = { kind: 'none' };
  readonly #open = new AsyncLocalStorage<OpenTx>();
  #savepoints = 0;
  #listeners: Array<(events: ReadonlyArray<StoredEvent>) => void> = [];

  constructor(pool: pg.Pool, workspace: string, clock: Clock, target: PgTarget) {
    this.pool = pool;
    this.workspace = workspace;
    this.clock = clock;
    this.target = target;
  }

  /** Sets the key that authenticates appended events (same rules as the SQLite store). */
  setChainKey(state: ChainKeyState): void {
    this.#chainKey = state;
  }

  /** The chain key this store appends with. */
  get chainKey(): ChainKeyState {
    return this.#chainKey;
  }

  /** Runs one read statement outside a transaction; failures name the database. */
  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params: ReadonlyArray<unknown> = [],
  ): Promise<pg.QueryResult<R>> {
    // Inside a transaction (`Store.transaction`), reads see its own writes.
    const open = this.#open.getStore();
    if (open !== undefined) return open.tx.query<R>(sql, params);
    try {
      return await this.pool.query<R>(sql, params as unknown[]);
    } catch (error) {
      throw this.#failure(error);
    }
  }

  #failure(error: unknown): Error {
    if (isPulserError(error)) return error;
    const code = errorCode(error);
    const message = error instanceof Error ? error.message : String(error);
    // Losing the server is a one-line store error; a statement's own error (a bug) is itself.
    const lost =
      code === undefined
        ? /connection terminated|timeout exceeded|connection ended|not queryable/i.test(message)
        : /^E[A-Z]+$/.test(code) || /^(08|57|53|3D|28)/.test(code);
    return lost ? connectionFailure(error, this.target) : (error as Error);
  }

  /** The clock's now as an ISO-8601 timestamp. */
  isoNow(): string {
    return new Date(this.clock.now()).toISOString();
  }

  /**
   * Runs `fn` in one transaction that first takes the workspace's chain lock (its row in
   * `workspaces`, `FOR UPDATE`): writes of one workspace are serialised, like SQLite's
   * `BEGIN IMMEDIATE`, so that the chain head read and the insert of every appended event are
   * one total order; other workspaces are not blocked. Events appended are published (to
   * {@link onCommit} listeners, and by `NOTIFY`) on commit.
   */
  async tx<T>(fn: (tx: PgTx) => Promise<T>): Promise<T> {
    // A call made inside an open transaction (see `Store.transaction`) joins it, in a savepoint
    // so that its own failure undoes only its own writes.
    const open = this.#open.getStore();
    if (open !== undefined) return this.#nested(open, fn);
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw this.#failure(error);
    }
    const pending: StoredEvent[] = [];
    let broken = false;
    // A connection lost mid-transaction fails the statement in flight (and so this call); the
    // client's own 'error' event must not end the process.
    const lost = (): void => {
      broken = true;
    };
    client.on('error', lost);
    try {
      await client.query('BEGIN');
      const locked = await client.query(
        'SELECT 1 FROM workspaces WHERE workspace = $1 FOR UPDATE',
        [this.workspace],
      );
      if (locked.rowCount !== 1) {
        throw new StoreError(
          `workspace ${JSON.stringify(this.workspace)} is not in the PostgreSQL database`,
        );
      }
      const open: OpenTx = { head: null, pending, tx: null as unknown as PgTx };
      const tx: PgTx = {
        query: (sql, params = []) => client.query(sql, params as unknown[]),
        append: async (event) => {
          checkEventInput(event);
          open.head ??= await this.#authenticHead(client);
          const stored = await this.#insert(client, open.head, event);
          open.head = { seq: stored.seq, hash: stored.hash };
          pending.push(stored);
          return stored;
        },
      };
      open.tx = tx;
      const result = await this.#open.run(open, () => fn(tx));
      if (pending.length > 0) {
        await client.query('SELECT pg_notify($1, $2)', [
          EVENTS_CHANNEL,
          `${this.workspace} ${pending.at(-1)!.seq}`,
        ]);
      }
      await client.query('COMMIT');
      if (pending.length > 0) for (const listener of this.#listeners) listener(pending);
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw this.#failure(error);
    } finally {
      client.off('error', lost);
      client.release(broken);
    }
  }

  async #nested<T>(open: OpenTx, fn: (tx: PgTx) => Promise<T>): Promise<T> {
    const name = `pulser_sp_${++this.#savepoints}`;
    const { head, pending } = open;
    const appended = pending.length;
    await open.tx.query(`SAVEPOINT ${name}`);
    try {
      const result = await fn(open.tx);
      await open.tx.query(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (error) {
      await open.tx.query(`ROLLBACK TO SAVEPOINT ${name}`);
      open.head = head;
      pending.length = appended;
      throw error;
    }
  }

  async #insert(
    client: pg.PoolClient,
    last: { seq: number; hash: string },
    event: EventInput,
  ): Promise<StoredEvent> {
    const { stored, dataJson, mac } = chainEvent(last, event, this.isoNow(), this.#chainKey);
    await client.query(
      `INSERT INTO events (workspace, seq, ts, type, actor, subject, data, prev_hash, hash, mac)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        this.workspace,
        stored.seq,
        stored.ts,
        stored.type,
        stored.actor,
        stored.subject,
        dataJson,
        stored.prevHash,
        stored.hash,
        mac,
      ],
    );
    return stored;
  }

  /**
   * The head to chain the next event to, read under the chain lock. With a chain key, an
   * unauthenticated head is refused (as in the SQLite store).
   */
  async #authenticHead(client: pg.PoolClient): Promise<{ seq: number; hash: string }> {
    const res = await client.query<{ seq: string; hash: string; mac: string | null }>(
      'SELECT seq, hash, mac FROM events WHERE workspace = $1 ORDER BY seq DESC LIMIT 1',
      [this.workspace],
    );
    const row = res.rows[0];
    const head =
      row === undefined
        ? { seq: 0, hash: GENESIS_HASH }
        : { seq: safeInt(row.seq, 'event seq'), hash: row.hash };
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
        { reason: 'ledger', hint: 'run `pulser ledger verify`' },
      );
    }
    if (head.seq >= from && (row?.mac ?? null) !== eventMac(secret, head.hash)) {
      throw new StoreError(
        `the ledger's last event ${head.seq} is not authenticated by the ledger key: it was added or changed outside Pulser, or by a writer without this key; nothing was written`,
        {
          reason: 'ledger',
          hint: 'every writer of a shared ledger needs the same .pulser/keys/chain.key',
        },
      );
    }
    return head;
  }

  /** The last event's seq and hash, read now. */
  async head(): Promise<{ seq: number; hash: string }> {
    const res = await this.query<{ seq: string; hash: string }>(
      'SELECT seq, hash FROM events WHERE workspace = $1 ORDER BY seq DESC LIMIT 1',
      [this.workspace],
    );
    const row = res.rows[0];
    return row === undefined
      ? { seq: 0, hash: GENESIS_HASH }
      : { seq: safeInt(row.seq, 'event seq'), hash: row.hash };
  }

  /** Calls `listener` with the events of each transaction this store commits. */
  onCommit(listener: (events: ReadonlyArray<StoredEvent>) => void): () => void {
    this.#listeners.push(listener);
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }
}
