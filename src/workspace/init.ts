/**
 * `pulser init`: make a folder a Pulser project. Creates the workspace (`.pulser/`), keeps it
 * out of git (`.gitignore`), and finds the plan to start with: a plan document already in the
 * folder (adopted: imported, never trusted) or the bundled starter plan written as `PLAN.md`.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConflictError, UsageError } from '../errors/index.js';
import { shellCommand } from '../util/shell-quote.js';
import { WORKSPACE_DIR } from './open.js';

/** File names `pulser init` adopts, in order of preference (matched case-insensitively). */
export const ADOPTABLE = ['ROADMAP.md', 'PLAN.md', 'NEXT_STEPS.md', 'tasks.md'] as const;

/** Where the starter plan is written. */
export const STARTER_FILE = 'PLAN.md';

/** The bundled examples folder (`examples/` of the installed package). */
export const EXAMPLES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../examples');

/** What to start the project with. */
export type InitChoice =
  | { readonly kind: 'adopt'; readonly file: string }
  | { readonly kind: 'starter' }
  | { readonly kind: 'none' };

/** Plan documents already in `root` that `pulser init` can adopt, in order of preference. */
export function adoptableFiles(root: string): string[] {
  const names = readdirSync(root);
  const found: string[] = [];
  for (const wanted of ADOPTABLE) {
    const name = names.find((n) => n.toLowerCase() === wanted.toLowerCase());
    if (name !== undefined && !found.includes(name)) found.push(name);
  }
  return found;
}

/** The text of a bundled example (`starter.md`, `launch.md`, ...). */
export function bundledExample(name: string): Buffer {
  return readFileSync(join(EXAMPLES_DIR, name));
}

/** Writes the starter plan to `root/PLAN.md`; refuses to overwrite a file. Returns its path. */
export function writeStarter(root: string): string {
  const file = join(root, STARTER_FILE);
  if (existsSync(file)) {
    throw new ConflictError(`${STARTER_FILE} already exists in ${root}`, {
      hint: `adopt it instead: ${shellCommand('pulser', 'init', '--adopt', STARTER_FILE)}`,
    });
  }
  writeFileSync(file, bundledExample('starter.md'), { flag: 'wx' });
  return file;
}

const IGNORED = /^\/?\.pulser\/?\s*$/mu;

/**
 * Makes git ignore the workspace folder: adds `.pulser/` to `root/.gitignore` (created when
 * missing) unless a line already ignores it. Keeps the file's line endings. Returns what it did.
 */
export function ignoreWorkspace(root: string): 'created' | 'added' | 'present' {
  const file = join(root, '.gitignore');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    writeFileSync(file, `${WORKSPACE_DIR}/\n`);
    return 'created';
  }
  if (IGNORED.test(text)) return 'present';
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const sep = text === '' || text.endsWith('\n') ? '' : eol;
  writeFileSync(file, `${text}${sep}${WORKSPACE_DIR}/${eol}`);
  return 'added';
}

/**
 * Decides what `pulser init` starts with, from the flags and the folder's content. `ask` is
 * called only when nothing was chosen by a flag and a person is there to answer (a TTY).
 */
export async function chooseStart(
  root: string,
  flags: { readonly adopt?: string; readonly starter?: boolean; readonly empty?: boolean },
  ask: ((question: string) => Promise<boolean>) | null,
): Promise<InitChoice> {
  const given = [flags.adopt !== undefined, flags.starter === true, flags.empty === true];
  if (given.filter(Boolean).length > 1)
    throw new UsageError('choose one of --adopt FILE, --starter and --empty');
  if (flags.adopt !== undefined) {
    const file = resolve(root, flags.adopt);
    if (!existsSync(file)) throw new UsageError(`no such file: ${flags.adopt}`);
    return { kind: 'adopt', file };
  }
  if (flags.starter === true) return { kind: 'starter' };
  if (flags.empty === true) return { kind: 'none' };
  const found = adoptableFiles(root);
  if (found.length > 1 && ask === null) {
    throw new UsageError(`several plans in ${root}: ${found.join(', ')}`, {
      hint: `choose one: ${shellCommand('pulser', 'init', '--adopt', found[0] ?? '')} (or --empty)`,
    });
  }
  for (const name of found) {
    if (ask === null || (await ask(`Import ${name} as this project's plan?`)))
      return { kind: 'adopt', file: join(root, name) };
  }
  if (found.length > 0) return { kind: 'none' };
  if (existsSync(join(root, STARTER_FILE))) return { kind: 'none' };
  if (ask === null || (await ask(`Write a starter plan to ${STARTER_FILE}?`)))
    return { kind: 'starter' };
  return { kind: 'none' };
}

/** The file name shown for `file` (relative to `root` when inside it). */
export function shownName(root: string, file: string): string {
  return resolve(dirname(file)) === resolve(root) ? basename(file) : file;
}
