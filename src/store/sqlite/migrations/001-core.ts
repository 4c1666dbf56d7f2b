import type { Migration } from './types.js';

/** Workspace metadata, the event log and ledger checkpoints. */
export const core: Migration = {
  version: 1,
  name: 'core',
  sql: `
    CREATE TABLE meta (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL
    ) STRICT;

    CREATE TABLE events (
      seq INTEGER PRIMARY KEY,
      ts TEXT NOT NULL,
      type TEXT NOT NULL,
      actor TEXT NOT NULL,
      subject TEXT,
      data TEXT NOT NULL,
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL
    ) STRICT;
    CREATE INDEX events_subject ON events (subject, seq);
    CREATE INDEX events_type ON events (type, seq);

    CREATE TABLE checkpoints (
      seq INTEGER PRIMARY KEY,
      head TEXT NOT NULL,
      ts TEXT NOT NULL,
      key_id TEXT NOT NULL,
      sig TEXT NOT NULL
    ) STRICT;
  `,
};
