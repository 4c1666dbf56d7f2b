/**
 * The state of the project a command verifier judges, for flaky detection: a command that fails,
 * then passes after someone fixed the code, is not flaky; one that flips on the same plan and the
 * same code is. In a git work tree the state is the commit, the list of changed and untracked
 * files and the diff of tracked files (Pulser's own `.pulser/` and ignored files excluded); outside
 * git there is no state beyond the plan, and any flip on the same plan counts.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';

const EXCLUDE = ['--', '.', ':(exclude).pulser'];

function git(root: string, args: ReadonlyArray<string>): Buffer | null {
  const r = spawnSync('git', args, {
    cwd: root,
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' },
  });
  return r.status === 0 && r.error === undefined ? r.stdout : null;
}

/**
 * A digest of the project's git state at `root` (commit, changed files, tracked diff), or null
 * when `root` is not in a git work tree or git is not installed.
 *
 * @example
 * const before = projectState(ws.root); // null outside git
 */
export function projectState(root: string): string | null {
  const inside = git(root, ['rev-parse', '--is-inside-work-tree']);
  if (inside === null || inside.toString().trim() !== 'true') return null;
  const head = git(root, ['rev-parse', '--verify', '-q', 'HEAD']);
  const status = git(root, ['status', '--porcelain=v1', '-z', '--untracked-files=all', ...EXCLUDE]);
  const diff = git(root, [
    'diff',
    '--no-ext-diff',
    '--binary',
    ...(head === null ? [] : ['HEAD']),
    ...EXCLUDE,
  ]);
  if (status === null || diff === null) return null;
  const h = createHash('sha256');
  h.update(head ?? 'no commit')
    .update('\0')
    .update(status)
    .update('\0')
    .update(diff);
  // Untracked files are listed by name; their size and time stand for their content.
  for (const entry of status.toString('utf8').split('\0')) {
    if (!entry.startsWith('?? ')) continue;
    try {
      const st = statSync(join(root, entry.slice(3)));
      h.update(`\0${entry}\0${st.size}\0${st.mtimeMs}`);
    } catch {
      // gone since: its name is in the status already
    }
  }
  return h.digest('hex');
}
