/**
 * `pulser backup` / `pulser restore` for the embedded store: a consistent copy of the SQLite
 * database taken while workers run (SQLite's online backup), and its restore, refused while a
 * worker runs on the workspace (unless forced).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConflictError, UsageError } from '../errors/index.js';
import {
  backupSqlite,
  restoreSqlite,
  type BackupInfo,
  type RestoreResult,
} from '../store/sqlite/backup.js';
import { SqliteStore } from '../store/sqlite/index.js';
import { loadConfig, readEnv } from './config.js';
import { CHECKPOINTS_FILE } from './ledger/ledger.js';
import type { Workspace } from './open.js';
import { runningWorkers } from './runs/worker-presence.js';

export type { BackupInfo, RestoreResult } from '../store/sqlite/backup.js';

function sharedDatabase(what: string): UsageError {
  return new UsageError(
    `${what} is for the embedded SQLite store; this workspace is in PostgreSQL: use pg_dump`,
  );
}

/** Writes a consistent copy of the workspace's database to `file` (a new file). */
export async function backupWorkspace(ws: Workspace, file: string): Promise<BackupInfo> {
  if (!(ws.store instanceof SqliteStore)) throw sharedDatabase('pulser backup');
  return backupSqlite(ws.store, resolve(file));
}

/** What `restoreWorkspace` did, and what the ledger's checkpoint file says beyond it. */
export interface RestoreOutcome extends RestoreResult {
  /** The highest event `checkpoints.jsonl` signs past the restored head, or null. */
  readonly signedPast: number | null;
}

function lastSignedSeq(dir: string): number {
  let text: string;
  try {
    text = readFileSync(join(dir, CHECKPOINTS_FILE), 'utf8');
  } catch {
    return 0;
  }
  let max = 0;
  for (const line of text.split('\n')) {
    try {
      const seq = (JSON.parse(line) as { seq?: unknown }).seq;
      if (typeof seq === 'number' && seq > max) max = seq;
    } catch {
      // Not a checkpoint line: `ledger verify` reports it.
    }
  }
  return max;
}

/**
 * Replaces the database of the workspace at `root` by the backup `file`. Refused while a worker
 * runs on it (its presence file names a live process) unless `force`; the replaced database is
 * moved aside, never deleted. The caller must not have the workspace open.
 */
export async function restoreWorkspace(
  root: string,
  file: string,
  force: boolean,
): Promise<RestoreOutcome> {
  const dir = join(root, '.pulser');
  if (loadConfig(dir, readEnv()).database !== null) throw sharedDatabase('pulser restore');
  const workers = runningWorkers(dir);
  if (workers.length > 0 && !force) {
    const names = workers.map((w) => `${w.actor} (pid ${w.pid})`).join(', ');
    throw new ConflictError(
      `${workers.length === 1 ? 'a worker runs' : `${workers.length} workers run`} on this workspace: ${names}; nothing was restored`,
      { hint: 'stop the worker(s) first (Ctrl+C or kill PID), or pass --force' },
    );
  }
  const result = await restoreSqlite(join(dir, 'pulser.db'), resolve(file), new Date());
  const signed = lastSignedSeq(dir);
  return { ...result, signedPast: signed > result.info.head.seq ? signed : null };
}
