import type { Migration } from './types.js';

/**
 * Imported plans: the current IR of each plan, and a flat snapshot of its nodes (one row per
 * ID) so that a node can be found, and its state compared, without parsing every plan.
 */
export const plans: Migration = {
  version: 2,
  name: 'plans',
  sql: `
    CREATE TABLE plans (
      id TEXT PRIMARY KEY,
      path TEXT NOT NULL UNIQUE,
      sha256 TEXT NOT NULL,
      version INTEGER NOT NULL,
      imported_at TEXT NOT NULL,
      title TEXT NOT NULL,
      ir TEXT NOT NULL
    ) STRICT;

    CREATE TABLE plan_nodes (
      plan_id TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
      node_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      title TEXT NOT NULL,
      status TEXT,
      checked INTEGER,
      line INTEGER,
      PRIMARY KEY (plan_id, node_id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX plan_nodes_node ON plan_nodes (node_id);
  `,
};
