/**
 * Backups of the embedded store: SQLite's online backup API (through better-sqlite3), which
 * copies a consistent snapshot page by page while other connections (workers) keep writing,
 * and the checks a backup file must pass before it replaces a workspace's database.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { ConflictError, InputError } from '../../errors/index.js';
import { GENESIS_HASH } from '../../util/chain.js';
import type { SqliteStore } from './index.js';

/** What a backup holds. */
export interface BackupInfo {
  /** The schema version (highest applied migration). */
  readonly schemaVersion: number;
  /** The last event's seq and hash (seq 0 and the genesis hash when empty). */
  readonly head: { readonly seq: number; readonly hash: string };
  readonly plans: number;
}

/**
 * Reads what a backup file holds, after SQLite's `quick_check`.
 * @throws InputError when `file` is missing, not a SQLite database, damaged, or not Pulser's.
 */
export function inspectBackup(file: string): BackupInfo {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new InputError(`cannot read the backup: ${(error as Error).message}`, { file });
  }
  try {
    const check = db.pragma('quick_check', { simple: true }) as string;
    if (check !== 'ok') throw new Error(`it is damaged (${check})`);
    const version = db.prepare('SELECT max(version) FROM schema_migrations').pluck().get() as
      number | null;
    const head = db.prepare('SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1').get() as
      { seq: number; hash: string } | undefined;
    const plans = db.prepare('SELECT count(*) FROM plans').pluck().get() as number;
    return { schemaVersion: version ?? 0, head: head ?? { seq: 0, hash: GENESIS_HASH }, plans };
  } catch (error) {
    const message = (error as Error).message;
    throw new InputError(
      /no such table|not a database/.test(message)
        ? 'not a Pulser backup (no Pulser tables in it)'
        : `not a usable Pulser backup: ${message}`,
      { file },
    );
  } finally {
    db.close();
  }
}

/**
 * Writes a consistent copy of the store's database to `file` with SQLite's online backup (safe
 * while workers write: they are not stopped, and the copy is one point in time), checks it,
 * then moves it into place. Refuses to overwrite a file.
 */
export async function backupSqlite(store: SqliteStore, file: string): Promise<BackupInfo> {
  if (existsSync(file)) {
    throw new ConflictError(`${file} already exists`, { hint: 'choose a new file name' });
  }
  const tmp = `${file}.${process.pid}.partial`;
  try {
    await store.db.db.backup(tmp);
    const info = inspectBackup(tmp);
    renameSync(tmp, file);
    return info;
  } finally {
    rmSync(tmp, { force: true });
    rmSync(`${tmp}-wal`, { force: true });
    rmSync(`${tmp}-shm`, { force: true });
  }
}

/** What a restore did. */
export interface RestoreResult {
  /** Where the replaced database was moved (null when there was none). */
  readonly aside: string | null;
  readonly info: BackupInfo;
}

/**
 * Replaces the database at `dbPath` by the backup `file` (checked first). The current database
 * and its `-wal`/`-shm` files are moved aside to `<dbPath>.before-restore-<time>`, never
 * deleted. The caller makes sure nothing has the database open.
 */
export async function restoreSqlite(
  dbPath: string,
  file: string,
  now: Date,
): Promise<RestoreResult> {
  const info = inspectBackup(file);
  const tmp = `${dbPath}.restoring`;
  const clean = (): void => {
    for (const ext of ['', '-wal', '-shm']) rmSync(`${tmp}${ext}`, { force: true });
  };
  clean();
  const source = new Database(file, { readonly: true, fileMustExist: true });
  try {
    // Through the backup API, so that a backup with its own WAL file is copied whole.
    await source.backup(tmp);
  } catch (error) {
    clean();
    throw error;
  } finally {
    source.close();
  }
  let aside: string | null = null;
  if (existsSync(dbPath)) {
    aside = `${dbPath}.before-restore-${now.toISOString().replace(/[:.]/g, '-')}`;
    renameSync(dbPath, aside);
    for (const ext of ['-wal', '-shm']) {
      if (existsSync(`${dbPath}${ext}`)) renameSync(`${dbPath}${ext}`, `${aside}${ext}`);
    }
  }
  renameSync(tmp, dbPath);
  clean();
  return { aside, info };
}
