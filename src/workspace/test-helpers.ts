/**
 * Helpers of the workspace tests: temp project folders with a real SQLite workspace.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLES_DIR, sharedPath } from '../util/test-helpers.js';
import { importPlan } from './plans/import-plan.js';
import { openWorkspace, type Workspace } from './open.js';

/** Paths of every seed plan (`../shared/seeds`: gate the test with `skipWithoutShared`). */
export function seedFiles(): string[] {
  const dir = sharedPath('seeds');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((f) => join(dir, f));
}

/** Paths of every example plan in `examples/` and `examples/edge/`. */
export function exampleFiles(): string[] {
  return [EXAMPLES_DIR, join(EXAMPLES_DIR, 'edge')].flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.md') && f !== 'README.md')
      .sort()
      .map((f) => join(dir, f)),
  );
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

/** A plan with two phases; task 1.2 holds the phase's exit criterion (agent and MCP tests). */
export const LAUNCH_PLAN = `# Launch Plan

## Phase 1: Foundation

### Task 1.1: Set up CI @ANA (2 hours)

- [x] Add the workflow
- [ ] Cache dependencies

### Task 1.2: Write docs @BEN (1 day)

- [ ] Quick start

**Exit criteria:**

- [ ] CI is green on main

## Phase 2: Release

### Task 2.1: Tag v1 @ANA

- [ ] Push the tag
`;

/**
 * A fresh project holding `plan.md` (and `pulser.verifiers.json` when `sidecar` is given),
 * imported into a new workspace; `done` closes it and removes the folder.
 */
export async function importedProject(
  plan: string,
  sidecar?: unknown,
): Promise<{ root: string; ws: Workspace; done: () => Promise<void> }> {
  const root = tempProject();
  writeFileSync(join(root, 'plan.md'), plan);
  if (sidecar !== undefined)
    writeFileSync(join(root, 'pulser.verifiers.json'), JSON.stringify(sidecar));
  const ws = await openWorkspace({ root, create: true, env: {} });
  await importPlan(ws, join(root, 'plan.md'), 'cli:test');
  return {
    root,
    ws,
    done: async () => {
      await ws.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
