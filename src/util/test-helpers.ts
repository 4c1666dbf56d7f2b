/**
 * The one gate of every test that reads the team's shared corpus (`../shared/` beside the
 * repository). Without it, such a test is skipped with one line saying why; with `CI=true` a
 * missing corpus is an error, so CI never passes by skipping.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';

/** The shared corpus folder: `../shared` next to the repository root (tests run from `dist/`). */
export const SHARED_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared');

/** A path inside the shared corpus, e.g. `sharedPath('seeds')`. */
export function sharedPath(...parts: string[]): string {
  return join(SHARED_DIR, ...parts);
}

/**
 * The `skip` option of a `describe`/`test` that reads `sharedPath(...parts)`: `false` when it
 * exists, else the reason. Throws when it is missing and `CI=true`.
 */
export function skipWithoutShared(...parts: string[]): string | false {
  const path = sharedPath(...parts);
  if (existsSync(path)) return false;
  if (process.env.CI === 'true')
    throw new Error(`CI=true but ${path} is missing: the shared-corpus tests must run in CI`);
  return `needs ../shared/${parts.join('/')} (the team's shared corpus), absent here`;
}

/**
 * `test` for a file whose tests all read `sharedPath(...parts)`: node:test's own `test` when it
 * exists; otherwise one skipped test saying why stands for the whole file.
 */
export function sharedTest(...parts: string[]): typeof test {
  const skip = skipWithoutShared(...parts);
  if (skip === false) return test;
  void test(`tests reading ../shared/${parts.join('/')}`, { skip }, () => undefined);
  const none = (): Promise<void> => Promise.resolve();
  return Object.assign(none, test);
}

/** The repository's own example plans (`examples/`), which every test may read. */
export const EXAMPLES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../examples');

/** A path inside `examples/`, e.g. `examplePath('launch.md')`. */
export function examplePath(...parts: string[]): string {
  return join(EXAMPLES_DIR, ...parts);
}

/** The browser the browser tests drive: Debian's Chromium, never a downloaded one. */
export const CHROMIUM = '/usr/bin/chromium';

/** The `skip` option of a browser test: a message when Chromium is missing (never on CI). */
export const browserSkip: string | false =
  !existsSync(CHROMIUM) && process.env.CI !== 'true'
    ? `${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) to run the browser tests`
    : false;

/** Launches headless Chromium with the project's flags; fails on CI when it is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (.ci/run installs it)`);
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The user ID of `nobody`, whom root-run tests use to meet real permission errors. */
export const NOBODY = 65534;

/**
 * The `skip` option of a test that runs `bin` as `nobody` (only when the tests run as root):
 * a message when `nobody` cannot run it, e.g. a folder above the checkout is not readable by
 * others (`mktemp -d` makes such folders).
 */
export function nobodySkip(bin: string): string | false {
  if (process.getuid?.() !== 0) return false;
  const r = spawnSync(process.execPath, [bin, '--version'], { uid: NOBODY, gid: NOBODY });
  return r.status === 0
    ? false
    : `the user nobody cannot run ${bin}: a folder above the checkout is not readable by others`;
}

/** The `pulser` executable of this checkout (tests run from `dist/`). */
export const PULSER_BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/pulser.js');

/** How a `pulser` process ended and what it printed. */
export interface PulserRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link pulserWith}. */
export interface PulserOptions {
  /** Added to the environment (after `PULSER_WORKSPACE` and `PULSER_DEBUG`, which it may override). */
  readonly env?: Readonly<Record<string, string>>;
  /** Given on stdin (default: an empty stdin). */
  readonly input?: string;
  /** Killed after this long. @default 120_000 */
  readonly timeoutMs?: number;
}

/**
 * Runs the real CLI in `cwd` with `args` and waits for it. `cwd` is also its workspace
 * (`PULSER_WORKSPACE`), and `PULSER_DEBUG` is cleared so that errors print as users see them.
 */
export function pulserWith(
  cwd: string,
  args: ReadonlyArray<string>,
  options: PulserOptions = {},
): PulserRun {
  const r = spawnSync(process.execPath, [PULSER_BIN, ...args], {
    cwd,
    encoding: 'utf8',
    input: options.input ?? '',
    timeout: options.timeoutMs ?? 120_000,
    env: { ...process.env, PULSER_WORKSPACE: cwd, PULSER_DEBUG: '', ...options.env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `pulser ...args` in the workspace `root`: `pulser(dir, 'status', '--json')`. See {@link pulserWith}. */
export function pulser(root: string, ...args: string[]): PulserRun {
  return pulserWith(root, args);
}

/** A temp folder holding `plan.md` (`text`), imported by the real CLI; `done` removes the folder. */
export function importedPlan(text: string): { readonly root: string; readonly done: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'pulser-cli-'));
  writeFileSync(join(root, 'plan.md'), text);
  const r = pulser(root, 'import', 'plan.md');
  if (r.code !== 0) throw new Error(`import failed: ${r.stderr}`);
  return { root, done: () => rmSync(root, { recursive: true, force: true }) };
}
