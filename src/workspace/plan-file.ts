/**
 * Reading a plan's file with errors a person can act on, and naming plans.
 */
import { readFileSync, statSync, type Stats } from 'node:fs';
import { userInfo } from 'node:os';
import { basename, isAbsolute, relative, resolve, sep } from 'node:path';
import { InputError, NotFoundError } from '../errors/index.js';

/**
 * The bytes of the plan file at `file`. A missing file, a directory or an empty file is an error
 * that names the file.
 */
export function readPlanFile(file: string, shown: string = file): Uint8Array {
  let stat: Stats;
  try {
    stat = statSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new NotFoundError(`no such file: ${shown}`, { file: shown, hint: 'check the path' });
    }
    throw new InputError(
      `cannot read ${shown}: ${(error as Error).message}`,
      { file: shown },
      error,
    );
  }
  if (!stat.isFile()) {
    throw new InputError(
      stat.isDirectory()
        ? `${shown} is a directory, not a plan file`
        : `${shown} is not a regular file (a device, a pipe or a socket), not a plan file`,
      { hint: 'give the path of a markdown file' },
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new InputError(
      `cannot read ${shown}: ${(error as Error).message}`,
      { file: shown },
      error,
    );
  }
  if (bytes.length === 0) {
    throw new InputError(`${shown} is empty; there is no plan to read`, {
      hint: 'write a markdown plan (headings, tasks, checklists) into it first',
    });
  }
  return bytes;
}

/** `file`'s path relative to the workspace root, with `/` separators. */
export function workspacePath(root: string, file: string): string {
  const abs = isAbsolute(file) ? file : resolve(file);
  const rel = relative(root, abs);
  return (rel === '' ? basename(abs) : rel).split(sep).join('/');
}

/** A plan ID suggested by its file name: `docs/NEXT_STEPS.md` → `next-steps`. */
export function planIdFor(path: string): string {
  const name = basename(path).replace(/\.[^.]*$/u, '');
  const id = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/gu, '-')
    .replace(/^-+|-+$/gu, '')
    .slice(0, 40)
    .replace(/-+$/u, '');
  return id === '' ? 'plan' : id;
}

/** The actor recorded in events caused from this machine's command line. */
export function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli:unknown';
  }
}
