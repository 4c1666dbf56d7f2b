/**
 * SQLite failures a person can act on (a full disk, a read-only or damaged file, a lock held
 * too long) turned into one-line store errors that name the database file and say what to do.
 */
import { statfsSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { StoreError } from '../../errors/index.js';

/** The file beside the database that records known damage (see {@link damagedMarker}). */
export function damagedMarker(dbPath: string): string {
  return `${dbPath}.damaged`;
}

/** Hint of every error about a damaged database. */
export const DAMAGED_HINT =
  'run `pulser doctor` to see what is damaged and what to do (your markdown plans are the source and can be re-imported)';

function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/** True when the disk holding `path` has (almost) no space left for this user. */
export function diskFull(path: string): boolean {
  try {
    const s = statfsSync(dirname(path));
    return s.bavail * s.bsize < 64 * 1024;
  } catch {
    return false;
  }
}

/** A full disk (or a database grown to its size limit) at `dbPath`. */
export function diskFullError(dbPath: string, cause?: unknown): StoreError {
  return new StoreError(
    'the disk is full: cannot write the workspace database',
    {
      file: dbPath,
      reason: 'disk_full',
      hint: 'free space on that disk, then run the command again',
    },
    cause,
  );
}

/**
 * The store error for a SQLite failure on the database at `dbPath`, or undefined when `error`
 * is not one a person can act on. Damage is also recorded in {@link damagedMarker}, so that
 * the next process refuses to write until `pulser doctor` finds the file healthy.
 */
export function sqliteFailure(error: unknown, dbPath: string): StoreError | undefined {
  const code = sqliteCode(error);
  if (code === undefined) return undefined;
  const detail = (error as Error).message;
  if (code === 'SQLITE_FULL') return diskFullError(dbPath, error);
  if (code.startsWith('SQLITE_READONLY')) {
    return new StoreError(
      `the workspace database is read-only (${detail})`,
      {
        file: dbPath,
        reason: 'read_only',
        hint: 'make the file and its folder writable for this user, or run Pulser as the user who owns them',
      },
      error,
    );
  }
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    markDamaged(dbPath, `${code}: ${detail}`);
    return new StoreError(
      `the workspace database is damaged (${detail})`,
      { file: dbPath, reason: 'damaged', hint: DAMAGED_HINT },
      error,
    );
  }
  if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN') {
    if (diskFull(dbPath)) return diskFullError(dbPath, error);
    return new StoreError(
      `cannot ${code === 'SQLITE_CANTOPEN' ? 'open' : 'read or write'} the workspace database (${detail})`,
      {
        file: dbPath,
        reason: 'io',
        hint: 'check that the folder exists and is writable, and that the disk is not full or failing (`df`, `dmesg`)',
      },
      error,
    );
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new StoreError(
      'the workspace database is locked by another process',
      {
        file: dbPath,
        reason: 'busy',
        hint: 'wait for the other Pulser command to finish, then run this one again',
      },
      error,
      true,
    );
  }
  return undefined;
}

/** Records that the database at `dbPath` is damaged (best effort: the disk may be the problem). */
export function markDamaged(dbPath: string, reason: string): void {
  try {
    writeFileSync(damagedMarker(dbPath), `${new Date().toISOString()} ${reason}\n`, { flag: 'a' });
  } catch {
    // Nothing more to do: the error that led here is reported to the person anyway.
  }
}

/** The problems of an `integrity_check` or `quick_check` result, one line each (none when `ok`). */
export function checkLines(rows: ReadonlyArray<string>): string[] {
  return rows
    .flatMap((r) => r.split('\n'))
    .map((l) => l.trim())
    .filter((l) => l !== '' && l !== 'ok' && !l.startsWith('*** in database'));
}
