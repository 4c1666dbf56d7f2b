import { systemClock, type Clock } from '../clock.js';
import type { PlanStore } from '../plan-store.js';
import type { RunStore } from '../run-store.js';
import type { Durability, StateFinding, Store } from '../store.js';
import type { AuthStore } from '../auth-store.js';
import type { ClaimStore } from '../claim-store.js';
import { SqliteAuthStore } from './auth.js';
import { SqliteClaimStore } from './claims.js';
import { SqliteDb } from './database.js';
import { SqliteEventLog } from './event-log.js';
import { SqliteLedgerStore } from './ledger.js';
import { SqlitePlanStore } from './plans.js';
import { SqliteRunStore } from './runs.js';
import { checkLines, sqliteFailure } from './failure.js';
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
    return Promise.resolve(problems);
  }

  checkState(): Promise<StateFinding[]> {
    return Promise.resolve(checkStateTables(this.db));
  }

  close(): Promise<void> {
    this.db.close();
    return Promise.resolve();
  }
}
