/**
 * The last net of the CLI: an error from the operating system or SQLite that no layer turned
 * into a Pulser error still becomes one line naming the file and what to do, instead of
 * "unexpected error ... please report this".
 */
import { InputError, NotFoundError, StoreError, type PulserError } from './index.js';

interface SystemError {
  readonly code?: unknown;
  readonly path?: unknown;
  readonly syscall?: unknown;
  readonly message: string;
}

const FILE_ERRORS: Readonly<Record<string, readonly [string, string]>> = {
  ENOENT: ['no such file or folder', 'check the path'],
  ENOTDIR: ['a part of the path is not a folder', 'check the path'],
  EISDIR: ['it is a folder', 'give the path of a file'],
  EACCES: ['permission denied', 'check the permissions of the file and its folder'],
  EPERM: ['operation not permitted', 'check the permissions of the file and its folder'],
  EROFS: ['the file system is read-only', 'use a writable folder'],
  ENOSPC: ['the disk is full', 'free space on that disk, then run the command again'],
  EDQUOT: ['the disk quota is exceeded', 'free space, then run the command again'],
  EMFILE: ['too many open files', 'raise the open-file limit (ulimit -n), then run again'],
};

const SQLITE_ERRORS: Readonly<Record<string, readonly [string, string]>> = {
  SQLITE_FULL: [
    'the disk is full: cannot write the workspace database',
    'free space on the disk that holds .pulser/, then run the command again',
  ],
  SQLITE_READONLY: [
    'the workspace database is read-only',
    'make .pulser/pulser.db and its folder writable for this user',
  ],
  SQLITE_CORRUPT: [
    'the workspace database is damaged',
    'run `pulser doctor` to see what is damaged and what to do',
  ],
  SQLITE_NOTADB: [
    'the workspace database is not a SQLite file',
    'run `pulser doctor` to see what is damaged and what to do',
  ],
  SQLITE_IOERR: [
    'disk I/O error on the workspace database',
    'check the disk: is it full or failing? (`df`, `dmesg`)',
  ],
  SQLITE_BUSY: [
    'the workspace database is locked by another process',
    'wait for the other Pulser command to finish, then run this one again',
  ],
  SQLITE_CANTOPEN: [
    'cannot open the workspace database',
    'check that .pulser/ exists and is readable and writable',
  ],
};

/** A Pulser error for an operating-system or SQLite error, or undefined when it is neither. */
export function explainSystemError(error: unknown): PulserError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as SystemError;
  if (typeof e.code !== 'string') return undefined;
  if (e.code.startsWith('SQLITE_')) {
    const base = e.code.split('_').slice(0, 2).join('_');
    const known = SQLITE_ERRORS[base];
    if (known === undefined) return undefined;
    return new StoreError(`${known[0]} (${e.message})`, { hint: known[1] }, error);
  }
  const known = FILE_ERRORS[e.code];
  if (known === undefined) return undefined;
  const where = typeof e.path === 'string' ? e.path : undefined;
  const message = `${where === undefined ? `cannot ${typeof e.syscall === 'string' ? e.syscall : 'do that'}` : `cannot use ${where}`}: ${known[0]}`;
  const data = { hint: known[1] };
  return e.code === 'ENOENT'
    ? new NotFoundError(message, data)
    : new InputError(message, data, error);
}

/** Why a file operation failed, in words (`no such file or folder`), or the error's message. */
export function fileErrorReason(error: unknown): string {
  const code = (error as SystemError | null)?.code;
  const known = typeof code === 'string' ? FILE_ERRORS[code] : undefined;
  return known?.[0] ?? (error instanceof Error ? error.message : String(error));
}
