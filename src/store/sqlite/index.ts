import { systemClock, type Clock } from '../clock.js';
import type { PlanStore } from '../plan-store.js';
import type { RunStore } from '../run-store.js';
import type { Durability, Store } from '../store.js';
import type { AuthStore } from '../auth-store.js';
import type { ClaimStore } from '../claim-store.js';
import { SqliteAuthStore } from './auth.js';
import { SqliteClaimStore } from './claims.js';
import { SqliteDb } from './database.js';
import { SqliteEventLog } from './event-log.js';
import { SqliteLedgerStore } from './ledger.js';
import { SqlitePlanStore } from './plans.js';
import { SqliteRunStore } from './runs.js';

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

  constructor(db: SqliteDb) {
    this.db = db;
    this.events = new SqliteEventLog(db);
    this.plans = new SqlitePlanStore(db);
    this.runs = new SqliteRunStore(db);
    this.auth = new SqliteAuthStore(db);
    this.claims = new SqliteClaimStore(db);
    this.ledger = new SqliteLedgerStore(db);
  }

  integrityCheck(): Promise<string[]> {
    const rows = this.db.db.pragma('integrity_check') as Array<{ integrity_check: string }>;
    const problems = rows.map((r) => r.integrity_check).filter((r) => r !== 'ok');
    return Promise.resolve(problems);
  }

  close(): Promise<void> {
    this.db.close();
    return Promise.resolve();
  }
}
