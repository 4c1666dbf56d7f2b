/**
 * Helpers of the workspace tests: temp project folders with a real SQLite workspace.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openWorkspace, type Workspace } from './open.js';

/** The folder of the seed plans (`../shared/seeds` from the repo root). */
export const SEED_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/seeds');

/** Paths of every seed plan. */
export function seedFiles(): string[] {
  return readdirSync(SEED_DIR)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((f) => join(SEED_DIR, f));
}

/** A fresh project folder. */
export function tempProject(): string {
  return mkdtempSync(join(tmpdir(), 'pulser-ws-'));
}

/** Opens (creating) a workspace in a fresh folder; `done` closes it and removes the folder. */
export async function tempWorkspace(): Promise<{
  ws: Workspace;
  root: string;
  done: () => Promise<void>;
}> {
  const root = tempProject();
  const ws = await openWorkspace({ root, create: true, env: {} });
  return {
    ws,
    root,
    done: async () => {
      await ws.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
