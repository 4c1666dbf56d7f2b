/**
 * Files the CLI writes for a person (`--out`): the path is checked before any work is done (so
 * that a typo does not cost a report recorded for nothing), and every failure is one line
 * naming the path and what to do.
 */
import { accessSync, constants, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from '../errors/index.js';

function failure(path: string, error: NodeJS.ErrnoException): InputError {
  const dir = dirname(resolve(path));
  switch (error.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new InputError(`cannot write ${path}: the folder ${dir} does not exist`, {
        hint: `create it first (mkdir -p ${JSON.stringify(dir)}), or give another --out path`,
      });
    case 'EISDIR':
      return new InputError(`cannot write ${path}: it is a folder`, {
        hint: 'give --out a file name inside it',
      });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new InputError(`cannot write ${path}: permission denied`, {
        hint: 'give an --out path in a folder you can write',
      });
    case 'ENOSPC':
      return new InputError(`cannot write ${path}: the disk is full`, {
        hint: 'free space on that disk, or give an --out path on another one',
      });
    default:
      return new InputError(`cannot write ${path}: ${error.message}`, {
        hint: 'give another --out path',
      });
  }
}

/** Throws a one-line error unless `path` names a file that can be written (checked up front). */
export function checkOutFile(path: string): void {
  try {
    if (statSync(path).isDirectory()) {
      throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    }
    accessSync(path, constants.W_OK);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code !== 'ENOENT') throw failure(path, e);
    try {
      const dir = dirname(resolve(path));
      if (!statSync(dir).isDirectory()) throw Object.assign(new Error(''), { code: 'ENOTDIR' });
      accessSync(dir, constants.W_OK);
    } catch (inner) {
      throw failure(path, inner as NodeJS.ErrnoException);
    }
  }
}

/** Writes `text` to `path`; a failure is a one-line error naming the path and what to do. */
export function writeOutFile(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw failure(path, error as NodeJS.ErrnoException);
  }
}
