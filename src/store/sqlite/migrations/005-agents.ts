import type { Migration } from './types.js';

/**
 * Task claims by agents. One row per claimed task: the primary key is what makes exactly one
 * agent win a claim, and `expires_at` (ms since the epoch) is the lease an agent renews by
 * reporting progress; a claim whose lease has passed is free to take.
 */
export const agents: Migration = {
  version: 5,
  name: 'agents',
  sql: `
    CREATE TABLE task_claims (
      plan_id TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
      task_id TEXT NOT NULL,
      agent TEXT NOT NULL,
      claimed_at INTEGER NOT NULL,
      renewed_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      note TEXT,
      PRIMARY KEY (plan_id, task_id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX task_claims_expiry ON task_claims (expires_at);
    CREATE INDEX task_claims_agent ON task_claims (agent);
  `,
};
