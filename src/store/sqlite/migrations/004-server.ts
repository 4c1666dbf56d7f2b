import type { Migration } from './types.js';

/**
 * Users, API tokens (only a SHA-256 of each secret is stored), one-time login tokens and browser
 * sessions. Every row names its workspace (the tenant), so that a shared store can hold many.
 */
export const server: Migration = {
  version: 4,
  name: 'server',
  sql: `
    CREATE TABLE auth_users (
      workspace TEXT NOT NULL,
      name TEXT NOT NULL,
      role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'approver', 'admin')),
      created_at TEXT NOT NULL,
      disabled_at TEXT,
      PRIMARY KEY (workspace, name)
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE auth_tokens (
      id TEXT PRIMARY KEY,
      workspace TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('api', 'login', 'session')),
      token_hash TEXT NOT NULL UNIQUE,
      user_name TEXT NOT NULL,
      label TEXT NOT NULL,
      role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'approver', 'admin')),
      csrf_hash TEXT,
      created_at TEXT NOT NULL,
      expires_at TEXT,
      last_used_at TEXT,
      revoked_at TEXT,
      FOREIGN KEY (workspace, user_name) REFERENCES auth_users (workspace, name)
    ) STRICT;
    CREATE INDEX auth_tokens_workspace ON auth_tokens (workspace, kind);
  `,
};
