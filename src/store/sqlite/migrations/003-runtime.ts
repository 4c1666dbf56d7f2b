import type { Migration } from './types.js';

/**
 * The durable runtime: sessions, runs, step executions (with their lease and fencing token),
 * dependencies between steps, shared rate-limit buckets, and trust grants bound to a plan's
 * hash and its steps' digests. Partial indexes keep the hot queries (claim, reclaim) small.
 */
export const runtime: Migration = {
  version: 3,
  name: 'runtime',
  sql: `
    CREATE TABLE run_sessions (
      id TEXT PRIMARY KEY,
      title TEXT NOT NULL,
      created_by TEXT NOT NULL,
      created_at TEXT NOT NULL,
      archived_at TEXT
    ) STRICT;

    CREATE TABLE runs (
      id TEXT PRIMARY KEY,
      num INTEGER NOT NULL UNIQUE,
      session_id TEXT NOT NULL REFERENCES run_sessions (id),
      title TEXT NOT NULL,
      intent TEXT,
      lane TEXT NOT NULL,
      target TEXT,
      status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled')),
      requested_by TEXT NOT NULL,
      created_at TEXT NOT NULL,
      started_at TEXT,
      finished_at TEXT,
      open_steps INTEGER NOT NULL,
      waiting_steps INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX runs_session ON runs (session_id, num);
    CREATE INDEX runs_status ON runs (status, num);

    CREATE TABLE run_steps (
      id TEXT PRIMARY KEY,
      run_id TEXT NOT NULL REFERENCES runs (id),
      ord INTEGER NOT NULL,
      title TEXT NOT NULL,
      tool TEXT NOT NULL,
      lane TEXT NOT NULL,
      spec TEXT NOT NULL,
      digest TEXT NOT NULL,
      plan_id TEXT,
      node_id TEXT,
      authority TEXT NOT NULL,
      approval_reason TEXT,
      fallback_of TEXT,
      recovered_by TEXT,
      state TEXT NOT NULL CHECK (state IN ('queued', 'leased', 'running', 'succeeded', 'failed',
        'timed_out', 'cancelled', 'awaiting_approval', 'quarantined', 'skipped')),
      blocked INTEGER NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      retries INTEGER NOT NULL DEFAULT 0,
      max_retries INTEGER NOT NULL,
      lease_losses INTEGER NOT NULL DEFAULT 0,
      run_at INTEGER NOT NULL,
      fence INTEGER NOT NULL DEFAULT 0,
      lease_owner TEXT,
      lease_expires INTEGER,
      exit_code INTEGER,
      signal TEXT,
      error TEXT,
      started_at TEXT,
      finished_at TEXT,
      UNIQUE (run_id, ord)
    ) STRICT;
    CREATE INDEX run_steps_ready ON run_steps (run_at) WHERE state = 'queued' AND blocked = 0;
    CREATE INDEX run_steps_active ON run_steps (lease_expires) WHERE state IN ('leased', 'running');
    CREATE INDEX run_steps_waiting ON run_steps (state) WHERE state IN ('awaiting_approval', 'quarantined');
    CREATE INDEX run_steps_node ON run_steps (plan_id, node_id);

    CREATE TABLE run_step_deps (
      dep_id TEXT NOT NULL,
      step_id TEXT NOT NULL,
      PRIMARY KEY (dep_id, step_id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX run_step_deps_step ON run_step_deps (step_id);

    CREATE TABLE rate_buckets (
      tool TEXT PRIMARY KEY,
      tokens REAL NOT NULL,
      updated_ms INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE trust_grants (
      id INTEGER PRIMARY KEY,
      plan_id TEXT NOT NULL,
      path TEXT NOT NULL,
      sha256 TEXT NOT NULL,
      granted_by TEXT NOT NULL,
      granted_at TEXT NOT NULL,
      revoked_at TEXT,
      revoked_by TEXT
    ) STRICT;
    CREATE INDEX trust_grants_plan ON trust_grants (plan_id);

    CREATE TABLE trusted_items (
      grant_id INTEGER NOT NULL REFERENCES trust_grants (id),
      plan_id TEXT NOT NULL,
      node_id TEXT NOT NULL,
      digest TEXT NOT NULL,
      PRIMARY KEY (plan_id, node_id, digest, grant_id)
    ) STRICT, WITHOUT ROWID;
  `,
};
