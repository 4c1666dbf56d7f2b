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
 * A workspace's persistent state. Backend-neutral and async: the engine, the CLI and the server
 * see only this interface; only `store/sqlite` and `store/postgres` touch a database driver.
 * Every mutating operation is one transaction that also appends its event(s).
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
  /** Runs the backend's integrity check; returns problems found (empty when healthy). */
  integrityCheck(): Promise<string[]>;
  /** Checks the state tables against the events that recorded them (see `pulser doctor`). */
  checkState(): Promise<StateFinding[]>;
  /** Closes the connection(s). */
  close(): Promise<void>;
}

/** How hard the store syncs to disk. */
export type Durability = 'full' | 'normal';
