/**
 * The PostgreSQL schema, as versioned migrations applied once per database under an advisory
 * lock: several processes that start at once wait for each other, and only the first applies.
 *
 * Tenancy: one database holds many workspaces; every table has a `workspace` column that leads
 * its primary key (see docs/team.md, "Workspaces as tenants"). Hashed event fields are `text`,
 * stored exactly as hashed (never `jsonb` or `timestamptz`, which would rewrite the bytes).
 */
import type pg from 'pg';
import { StoreError } from '../../errors/index.js';

/** One versioned schema change, applied once, in order, inside a transaction. */
export interface PgMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Every migration, in version order. Append new ones; never edit a released one. */
export const PG_MIGRATIONS: ReadonlyArray<PgMigration> = [
  {
    version: 1,
    name: 'core',
    sql: `
      CREATE TABLE workspaces (
        workspace text PRIMARY KEY,
        created_at text NOT NULL
      );
      CREATE TABLE meta (
        workspace text NOT NULL REFERENCES workspaces (workspace),
        key text NOT NULL,
        value text NOT NULL,
        PRIMARY KEY (workspace, key)
      );
      CREATE TABLE events (
        workspace text NOT NULL REFERENCES workspaces (workspace),
        seq bigint NOT NULL,
        ts text NOT NULL,
        type text NOT NULL,
        actor text NOT NULL,
        subject text,
        data text NOT NULL,
        prev_hash text NOT NULL,
        hash text NOT NULL,
        mac text,
        PRIMARY KEY (workspace, seq)
      );
      CREATE INDEX events_subject ON events (workspace, subject, seq);
      CREATE INDEX events_type ON events (workspace, type, seq);
      CREATE TABLE checkpoints (
        workspace text NOT NULL REFERENCES workspaces (workspace),
        seq bigint NOT NULL,
        head text NOT NULL,
        ts text NOT NULL,
        key_id text NOT NULL,
        sig text NOT NULL,
        PRIMARY KEY (workspace, seq)
      );
    `,
  },
  {
    version: 2,
    name: 'plans',
    sql: `
      CREATE TABLE plans (
        workspace text NOT NULL REFERENCES workspaces (workspace),
        id text NOT NULL,
        path text NOT NULL,
        sha256 text NOT NULL,
        version integer NOT NULL,
        imported_at text NOT NULL,
        title text NOT NULL,
        ir text NOT NULL,
        PRIMARY KEY (workspace, id),
        UNIQUE (workspace, path)
      );
      CREATE TABLE plan_nodes (
        workspace text NOT NULL,
        plan_id text NOT NULL,
        node_id text NOT NULL,
        kind text NOT NULL,
        title text NOT NULL,
        status text,
        checked smallint,
        line integer,
        PRIMARY KEY (workspace, plan_id, node_id),
        FOREIGN KEY (workspace, plan_id) REFERENCES plans (workspace, id) ON DELETE CASCADE
      );
      CREATE INDEX plan_nodes_node ON plan_nodes (workspace, node_id);
    `,
  },
  {
    version: 3,
    name: 'server',
    sql: `
      CREATE TABLE auth_users (
        workspace text NOT NULL REFERENCES workspaces (workspace),
        name text NOT NULL,
        role text NOT NULL CHECK (role IN ('viewer', 'operator', 'approver', 'admin')),
        created_at text NOT NULL,
        disabled_at text,
        PRIMARY KEY (workspace, name)
      );
      CREATE TABLE auth_tokens (
        id text PRIMARY KEY,
        workspace text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('api', 'login', 'session')),
        token_hash text NOT NULL UNIQUE,
        user_name text NOT NULL,
        label text NOT NULL,
        role text NOT NULL CHECK (role IN ('viewer', 'operator', 'approver', 'admin')),
        csrf_hash text,
        created_at text NOT NULL,
        expires_at text,
        last_used_at text,
        revoked_at text,
        FOREIGN KEY (workspace, user_name) REFERENCES auth_users (workspace, name)
      );
      CREATE INDEX auth_tokens_workspace ON auth_tokens (workspace, kind);
    `,
  },
  {
    version: 4,
    name: 'agents',
    sql: `
      CREATE TABLE task_claims (
        workspace text NOT NULL,
        plan_id text NOT NULL,
        task_id text NOT NULL,
        agent text NOT NULL,
        claimed_at bigint NOT NULL,
        renewed_at bigint NOT NULL,
        expires_at bigint NOT NULL,
        note text,
        PRIMARY KEY (workspace, plan_id, task_id),
        FOREIGN KEY (workspace, plan_id) REFERENCES plans (workspace, id) ON DELETE CASCADE
      );
      CREATE INDEX task_claims_expiry ON task_claims (workspace, expires_at);
    `,
  },
];

/**
 * The advisory lock key migrations hold (an arbitrary constant: "pulser" in ASCII), so that
 * processes that start at once migrate one after the other.
 */
export const MIGRATION_LOCK = 0x70756c736572n.toString();

/** What {@link migrate} did. */
export interface MigrateResult {
  /** Versions this call applied (empty when another process had applied them). */
  readonly applied: number[];
  /** The schema version after the call. */
  readonly version: number;
}

/**
 * Brings the database's `pulser` schema up to the newest migration, holding a session-level
 * advisory lock for the whole check-and-apply, so that concurrent callers apply each migration
 * exactly once. Refuses a database whose schema is newer than this Pulser knows.
 */
export async function migrate(
  pool: pg.Pool,
  migrations: ReadonlyArray<PgMigration> = PG_MIGRATIONS,
): Promise<MigrateResult> {
  const client = await pool.connect();
  const lost = (): void => undefined; // The statement in flight fails with the error.
  client.on('error', lost);
  try {
    await client.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS pulser`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS pulser.schema_migrations (
           version integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL, applied_by integer NOT NULL)`,
      );
      const rows = await client.query<{ version: number }>(
        'SELECT version FROM pulser.schema_migrations',
      );
      const done = new Set(rows.rows.map((r) => r.version));
      const newest = Math.max(0, ...done);
      const known = migrations.at(-1)?.version ?? 0;
      if (newest > known) {
        throw new StoreError(
          `the PostgreSQL schema is at version ${newest}, newer than this Pulser knows (${known})`,
          { hint: 'upgrade Pulser' },
        );
      }
      const applied: number[] = [];
      for (const m of migrations) {
        if (done.has(m.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query('SET LOCAL search_path = pulser');
          await client.query(m.sql);
          await client.query(
            'INSERT INTO pulser.schema_migrations (version, name, applied_at, applied_by) VALUES ($1, $2, $3, pg_backend_pid())',
            [m.version, m.name, new Date().toISOString()],
          );
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
        applied.push(m.version);
      }
      return { applied, version: Math.max(newest, known) };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK]);
    }
  } finally {
    client.off('error', lost);
    client.release();
  }
}
