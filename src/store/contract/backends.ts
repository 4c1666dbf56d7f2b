/**
 * The store backends the contract suite (`store-contract.test.ts`) runs against, one factory
 * each. A backend joins the suite by adding its factory to {@link storeBackends}.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Clock } from '../clock.js';
import type { Backend, Store } from '../store.js';
import { openPostgresStore } from '../postgres/index.js';
import { dropPgDatabase, freshPgDatabase, pgSkip } from '../postgres/test-helpers.js';
import { openSqliteStore } from '../sqlite/index.js';

/** Parts of the {@link Store} a backend implements (the suite runs the cases of those parts). */
export type StorePart = 'events' | 'plans' | 'runs' | 'auth' | 'claims' | 'ledger' | 'subscribe';

/** How the suite makes, opens and removes a database of one backend. */
export interface StoreBackendFactory {
  readonly name: Backend;
  readonly parts: ReadonlySet<StorePart>;
  /** Null when the backend can run here, else why not (the suite skips it, or fails under CI=true). */
  unavailable(): Promise<string | null>;
  /** Creates a fresh, empty database; returns where it is (text a child process can open). */
  create(): Promise<string>;
  /** Opens a new connection (its own Store) to the database at `location`. */
  open(location: string, options?: { readonly clock?: Clock }): Promise<Store>;
  /** Removes the database (every connection is closed). */
  destroy(location: string): Promise<void>;
}

/** The embedded backend: one SQLite file per database. */
export const sqliteBackend: StoreBackendFactory = {
  name: 'sqlite',
  parts: new Set(['events', 'plans', 'runs', 'auth', 'claims', 'ledger', 'subscribe']),
  unavailable: () => Promise.resolve(null),
  create: () => Promise.resolve(join(mkdtempSync(join(tmpdir(), 'pulser-store-')), 'pulser.db')),
  open: (location, options = {}) =>
    Promise.resolve(
      openSqliteStore(location, options.clock === undefined ? {} : { clock: options.clock }),
    ),
  destroy: (location) => {
    rmSync(dirname(location), { recursive: true, force: true });
    return Promise.resolve();
  },
};

/**
 * The shared backend: one fresh PostgreSQL database per database of the suite, one workspace
 * in it. Its run store waits for the backend-neutral runtime (issue 13), so `runs` is not listed.
 */
export const postgresBackend: StoreBackendFactory = {
  name: 'postgres',
  parts: new Set(['events', 'plans', 'auth', 'claims', 'ledger', 'subscribe']),
  unavailable: async () => {
    const skip = await pgSkip();
    return skip === false ? null : skip;
  },
  create: async () => (await freshPgDatabase()).url,
  open: (location, options = {}) =>
    openPostgresStore(location, {
      workspace: 'contract',
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    }),
  destroy: (location) => dropPgDatabase(location),
};

/** Every backend the contract suite runs against. */
export const storeBackends: StoreBackendFactory[] = [sqliteBackend, postgresBackend];

/** The factory of a backend by name. */
export function storeBackend(name: string): StoreBackendFactory {
  const found = storeBackends.find((b) => b.name === name);
  if (found === undefined) throw new Error(`no store backend named ${JSON.stringify(name)}`);
  return found;
}
