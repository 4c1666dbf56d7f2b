import { systemClock, type Clock } from '../clock.js';
import type { PlanStore } from '../plan-store.js';
import type { RunStore } from '../run-store.js';
import type {
  Durability,
  StateFinding,
  Store,
  StoreSubscriber,
  StoreTx,
  SubscribeOptions,
} from '../store.js';
import type { AuthStore } from '../auth-store.js';
import type { ClaimStore } from '../claim-store.js';
import { SqliteAuthStore } from './auth.js';
import { SqliteClaimStore } from './claims.js';
import { SqliteDb, gated } from './database.js';
import { SqliteEventLog } from './event-log.js';
import { SqliteLedgerStore } from './ledger.js';
import { SqlitePlanStore } from './plans.js';
import { SqliteRunStore } from './runs.js';
import { checkLines, sqliteFailure } from './failure.js';
import { SqliteNotifier } from './notifier.js';
import { checkStateTables } from './state-check.js';

/** Options of the embedded SQLite store. */
export interface SqliteStoreOptions {
  /** `normal` (WAL, the default) survives a process crash; `full` also survives power loss. */
  readonly durability?: Durability;
  /** @default 5000 */
  readonly busyTimeoutMs?: number;
  /** @default the system clock */
  readonly clock?: Clock;
}

/**
 * Opens (creating and migrating when needed) the SQLite store at `path`.
 * @example const store = openSqliteStore('.pulser/pulser.db');
 */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  return new SqliteStore(
    new SqliteDb(path, {
      clock: options.clock ?? systemClock,
      ...(options.durability === undefined ? {} : { durability: options.durability }),
      ...(options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs }),
    }),
  );
}

/** The embedded store: one SQLite file. */
export class SqliteStore implements Store {
  readonly backend = 'sqlite' as const;
  readonly db: SqliteDb;
  readonly events: SqliteEventLog;
  readonly plans: PlanStore;
  readonly runs: RunStore;
  readonly auth: AuthStore;
  readonly claims: ClaimStore;
  readonly ledger: SqliteLedgerStore;
  readonly #notifier: SqliteNotifier;

  constructor(db: SqliteDb) {
    this.db = db;
    this.#notifier = new SqliteNotifier(db);
    // Every method waits while another caller's async transaction is open (see `transaction`).
    this.events = gated(db, new SqliteEventLog(db));
    this.plans = gated(db, new SqlitePlanStore(db));
    this.runs = gated(db, new SqliteRunStore(db));
    this.auth = gated(db, new SqliteAuthStore(db));
    this.claims = gated(db, new SqliteClaimStore(db));
    this.ledger = gated(db, new SqliteLedgerStore(db));
  }

  /**
   * One IMMEDIATE transaction held across `fn`'s awaits (SQLite has one writer per file: other
   * connections wait for it, up to the busy timeout); this store's other callers wait too.
   */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.db.transaction(() => fn(this));
  }

  subscribe(subscriber: StoreSubscriber, options?: SubscribeOptions): () => void {
    return this.#notifier.subscribe(subscriber, options);
  }

  integrityCheck(): Promise<string[]> {
    return this.db.gate(() => this.#integrityCheck());
  }

  #integrityCheck(): string[] {
    let problems: string[];
    try {
      const rows = this.db.db.pragma('integrity_check') as Array<{ integrity_check: string }>;
      problems = checkLines(rows.map((r) => r.integrity_check));
    } catch (error) {
      const failure = sqliteFailure(error, this.db.path);
      if (failure?.data.reason !== 'damaged') throw failure ?? error;
      problems = [(error as Error).message];
    }
    // Record the verdict: a damaged file refuses writes (here and in every later process).
    if (problems.length > 0) this.db.markDamaged(problems[0]!);
    else this.db.clearDamaged();
    return problems;
  }

  checkState(): Promise<StateFinding[]> {
    return this.db.gate(() => checkStateTables(this.db));
  }

  close(): Promise<void> {
    return this.db.gate(() => {
      this.#notifier.close();
      this.db.close();
    });
  }
}
