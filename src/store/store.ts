import type { AuthStore } from './auth-store.js';
import type { ClaimStore } from './claim-store.js';
import type { EventLog } from './events.js';
import type { LedgerStore } from './ledger-store.js';
import type { PlanStore } from './plan-store.js';
import type { RunStore } from './run-store.js';

/** A state row that disagrees with the events, or cannot be read. */
export interface StateFinding {
  readonly table: string;
  readonly row: string;
  readonly message: string;
}

/** Which database backs a store. */
export type Backend = 'sqlite' | 'postgres';

/**
 * The sub-stores bound to one transaction: every call through them reads the transaction's own
 * writes, and commits or rolls back with it.
 */
export type StoreTx = Pick<Store, 'events' | 'plans' | 'runs' | 'auth' | 'claims' | 'ledger'>;

/**
 * What a subscriber hears (both are hints: read the log or claim to learn what happened).
 * Called on commits of this store and, within a few milliseconds, of other connections and
 * processes on the same database.
 */
export interface StoreSubscriber {
  /** Events were committed; `head` is the highest `seq` known now. */
  onEvents?(head: number): void;
  /** A step may have become claimable (new, re-queued, approved or unblocked). */
  onWork?(): void;
}

/** Options of {@link Store.subscribe}. */
export interface SubscribeOptions {
  /**
   * How often the database is polled for other processes' commits, as a fallback to the
   * backend's wake-up (SQLite: a watch on its write-ahead log). @default 50
   */
  readonly pollMs?: number;
}

/**
 * A workspace's persistent state. Backend-neutral and async: the engine, the CLI and the server
 * see only this interface; only `store/sqlite` and `store/postgres` touch a database driver.
 * Every mutating operation is one transaction that also appends its event(s). The contract
 * (isolation, claims, retries, ID allocation, subscriptions) is written down in `docs/store.md`
 * and checked against every backend by `store/contract`.
 */
export interface Store {
  readonly backend: Backend;
  readonly events: EventLog;
  readonly plans: PlanStore;
  readonly runs: RunStore;
  readonly auth: AuthStore;
  /** Task claims by agents (leased). */
  readonly claims: ClaimStore;
  /** The ledger's identity, signed checkpoints and raw event scans. */
  readonly ledger: LedgerStore;
  /**
   * Runs `fn` in one serialisable write transaction: the operations it makes through `tx` see
   * each other's writes, and all of them (with their events) commit together, or none do when
   * `fn` throws. Others never see a part of it; their calls wait or retry until it ends. Do not
   * keep it open across slow work (it holds the write lock). An error whose `retryable` is true
   * (a conflict with a concurrent writer, a busy database) means nothing was written: run the
   * whole transaction again.
   */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /** Calls `subscriber` on new events and new work until the returned function is called. */
  subscribe(subscriber: StoreSubscriber, options?: SubscribeOptions): () => void;
  /** Runs the backend's integrity check; returns problems found (empty when healthy). */
  integrityCheck(): Promise<string[]>;
  /** Checks the state tables against the events that recorded them (see `pulser doctor`). */
  checkState(): Promise<StateFinding[]>;
  /** Closes the connection(s). */
  close(): Promise<void>;
}

/** How hard the store syncs to disk. */
export type Durability = 'full' | 'normal';
