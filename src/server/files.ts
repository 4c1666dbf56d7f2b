/**
 * Files of a workspace the API may name: paths are resolved inside the project folder (never
 * outside it, never into `.pulser/`, never through a symlink that leaves it).
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { NotFoundError } from '../errors/index.js';
import { WORKSPACE_DIR } from '../workspace/open.js';
import { HttpError } from './errors.js';

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/** The absolute path of workspace-relative `path`; 400 when it leaves the workspace. */
export function resolveWorkspaceFile(root: string, path: string): string {
  const refused = new HttpError(
    400,
    'E_PATH',
    `path ${JSON.stringify(path)} is outside the workspace`,
    'give a path relative to the project folder, such as docs/PLAN.md',
  );
  if (path.includes('\0') || isAbsolute(path) || /^[a-zA-Z]:/u.test(path)) throw refused;
  const realRoot = realpathSync(root);
  const abs = resolve(realRoot, path);
  if (!inside(realRoot, abs)) throw refused;
  let real: string;
  try {
    real = realpathSync(abs);
  } catch {
    throw new NotFoundError(`no file ${path} in the workspace`);
  }
  if (!inside(realRoot, real)) throw refused;
  const first = relative(realRoot, real).split(sep)[0];
  if (first === WORKSPACE_DIR) throw refused;
  if (!statSync(real).isFile()) throw new NotFoundError(`${path} is not a file`);
  return real;
}

const SKIP = new Set(['node_modules', '.git', WORKSPACE_DIR, 'dist', 'build', 'coverage']);

/** Markdown files of the project (at most `max`, three folders deep), for the import picker. */
export function listMarkdownFiles(root: string, max = 200): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (found.length >= max) return;
      if (e.isDirectory()) {
        if (depth < 3 && !SKIP.has(e.name) && !e.name.startsWith('.'))
          walk(join(dir, e.name), depth + 1);
      } else if (e.isFile() && /\.(md|markdown|txt)$/iu.test(e.name)) {
        found.push(relative(root, join(dir, e.name)).split(sep).join('/'));
      }
    }
  };
  walk(root, 0);
  return found;
}
