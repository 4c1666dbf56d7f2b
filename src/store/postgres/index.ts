import { StoreError } from '../../errors/index.js';
import type { AuthStore } from '../auth-store.js';
import type { ClaimStore } from '../claim-store.js';
import { systemClock, type Clock } from '../clock.js';
import type { PlanStore } from '../plan-store.js';
import type { RunStore } from '../run-store.js';
import type { StateFinding, Store, StoreSubscriber, StoreTx, SubscribeOptions } from '../store.js';
import { PgAuthStore } from './auth.js';
import { PgClaimStore } from './claims.js';
import {
  connectionFailure,
  createPool,
  describeTarget,
  probe,
  parseDatabaseUrl,
  type PgTarget,
} from './connection.js';
import { PgDb } from './database.js';
import { PgEventLog } from './event-log.js';
import { PgLedgerStore } from './ledger.js';
import { PgNotifier } from './notifier.js';
import { PG_MIGRATIONS, migrate } from './migrations.js';
import { PgPlanStore } from './plans.js';

export { describeTarget, hasPassword, parseDatabaseUrl, withoutPassword } from './connection.js';
export type { PgTarget } from './connection.js';
export { listenForEvents, type EventWakeups } from './notify.js';

/** A workspace name usable as a tenant: letters, digits, `.`, `_` and `-`, at most 100. */
const WORKSPACE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Options of the PostgreSQL store. */
export interface PostgresStoreOptions {
  /** The workspace (tenant) this store reads and writes. */
  readonly workspace: string;
  /** @default the system clock */
  readonly clock?: Clock;
  /** Most connections this process opens. @default 4 */
  readonly maxConnections?: number;
  /** How long to wait to connect. @default 5000 */
  readonly connectTimeoutMs?: number;
}

/**
 * The run store of a PostgreSQL workspace until runs exist on PostgreSQL: every call is a clear
 * error saying so (plans, the ledger, claims and tokens work).
 */
function runsNotAvailable(target: PgTarget): RunStore {
  const refuse = (): never => {
    throw new StoreError(
      `runs on PostgreSQL are not available yet (this workspace is stored in ${describeTarget(target)}); plans, the ledger, task claims and tokens are`,
      { reason: 'unsupported', hint: 'run steps in a workspace on SQLite; see docs/team.md' },
    );
  };
  return new Proxy({} as RunStore, {
    get: (_target, prop) => (typeof prop === 'symbol' || prop === 'then' ? undefined : refuse),
  });
}

/**
 * Connects to `url`, migrates the schema (once, whoever else starts at the same time),
 * registers the workspace and returns its store.
 * @throws StoreError naming the host and the database when it cannot be used.
 * @example const store = await openPostgresStore('postgres://pulser@db/pulser', { workspace: 'web' });
 */
export async function openPostgresStore(
  url: string,
  options: PostgresStoreOptions,
): Promise<PostgresStore> {
  const target = parseDatabaseUrl(url);
  if (!WORKSPACE_NAME.test(options.workspace)) {
    throw new StoreError(
      `invalid workspace name ${JSON.stringify(options.workspace)} for PostgreSQL: use letters, digits, '.', '_' and '-' (at most 100)`,
    );
  }
  await probe(url, target, options.connectTimeoutMs);
  const pool = createPool(
    url,
    options.maxConnections === undefined ? {} : { max: options.maxConnections },
  );
  const clock = options.clock ?? systemClock;
  try {
    await migrate(pool);
    await pool.query(
      'INSERT INTO workspaces (workspace, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING',
      [options.workspace, new Date(clock.now()).toISOString()],
    );
  } catch (error) {
    await pool.end().catch(() => undefined);
    if (error instanceof StoreError) throw error;
    throw connectionFailure(error, target);
  }
  return new PostgresStore(new PgDb(pool, options.workspace, clock, target), url);
}

/** A workspace stored in a shared PostgreSQL database. */
export class PostgresStore implements Store {
  readonly backend = 'postgres' as const;
  readonly db: PgDb;
  readonly events: PgEventLog;
  readonly plans: PlanStore;
  readonly runs: RunStore;
  readonly auth: AuthStore;
  readonly claims: ClaimStore;
  readonly ledger: PgLedgerStore;
  readonly #notifier: PgNotifier;

  constructor(db: PgDb, url: string) {
    this.db = db;
    this.#notifier = new PgNotifier(db, url);
    this.events = new PgEventLog(db);
    this.plans = new PgPlanStore(db);
    this.runs = runsNotAvailable(db.target);
    this.auth = new PgAuthStore(db);
    this.claims = new PgClaimStore(db);
    this.ledger = new PgLedgerStore(db);
  }

  /** The schema version and a gap-free event sequence of this workspace. */
  async integrityCheck(): Promise<string[]> {
    const problems: string[] = [];
    const version = await this.db.query<{ v: number | null }>(
      'SELECT max(version) AS v FROM schema_migrations',
    );
    const known = PG_MIGRATIONS.at(-1)!.version;
    if (version.rows[0]?.v !== known) {
      problems.push(`schema version ${String(version.rows[0]?.v)}, expected ${known}`);
    }
    const seqs = await this.db.query<{ n: string; lo: string | null; hi: string | null }>(
      'SELECT count(*) AS n, min(seq) AS lo, max(seq) AS hi FROM events WHERE workspace = $1',
      [this.db.workspace],
    );
    const { n, lo, hi } = seqs.rows[0]!;
    if (Number(n) > 0 && (lo !== '1' || hi !== n)) {
      problems.push(`events ${lo}..${hi} are ${n} rows: the sequence has gaps`);
    }
    return problems;
  }

  /** Every plan row against its last `plan.imported` event. */
  async checkState(): Promise<StateFinding[]> {
    const res = await this.db.query<{
      id: string;
      path: string;
      sha256: string;
      version: number;
      data: string | null;
    }>(
      `SELECT p.id, p.path, p.sha256, p.version, e.data FROM plans p
       LEFT JOIN LATERAL (SELECT data FROM events e WHERE e.workspace = p.workspace
         AND e.subject = p.id AND e.type = 'plan.imported' ORDER BY seq DESC LIMIT 1) e ON true
       WHERE p.workspace = $1 ORDER BY p.id COLLATE "C"`,
      [this.db.workspace],
    );
    const findings: StateFinding[] = [];
    for (const p of res.rows) {
      if (p.data === null) {
        findings.push({
          table: 'plans',
          row: p.id,
          message: 'no plan.imported event records this plan',
        });
        continue;
      }
      let data: { sha256?: unknown; version?: unknown; path?: unknown } = {};
      try {
        data = JSON.parse(p.data) as typeof data;
      } catch {
        continue; // A damaged event is the ledger check's finding.
      }
      if (data.sha256 !== p.sha256 || data.version !== p.version || data.path !== p.path) {
        findings.push({
          table: 'plans',
          row: p.id,
          message: `says version ${p.version} of ${p.path}, but the last plan.imported event says version ${String(data.version)} of ${String(data.path)}`,
        });
      }
    }
    return findings;
  }

  /**
   * One transaction holding the workspace's write lock: every call `fn` makes through `tx`
   * (or through this store, in its async context) joins it, and all commit together or none do.
   */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.db.tx(() => fn(this));
  }

  subscribe(subscriber: StoreSubscriber, options?: SubscribeOptions): () => void {
    return this.#notifier.subscribe(subscriber, options);
  }

  async close(): Promise<void> {
    await this.#notifier.close();
    await this.db.pool.end();
  }
}
