import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkTarget } from '../checks/check.js';
import { planGates } from './gate-views.js';
import { importPlan } from '../plans/import-plan.js';
import { importedProject } from '../test-helpers.js';
import { trustFile } from '../access/trust.js';
import { checkItem, setStatus } from '../plans/write-back.js';

const PLAN = `# Fresh

## Phase 1: Build

**Exit criteria:**

- Builds <!-- verify: command \`true\` -->

### Task 1.1: Compile

- [ ] write it
- [ ] review it

## Phase 2: Ship

**Exit criteria:**

- Tagged <!-- verify: command \`true\` -->

### Task 2.1: Tag

- [ ] tag it
`;

async function gates(ws: Parameters<typeof planGates>[0]): Promise<string[]> {
  const [plan] = await planGates(ws);
  return plan!.gates.map((g) => `${g.phaseId} ${g.status}`);
}

describe('gate freshness follows what the gate depends on', () => {
  it('ticking an item or marking a task done keeps every gate; editing a criterion makes its gate stale', async () => {
    const { ws, root, done } = await importedProject(PLAN);
    try {
      await trustFile(ws, join(root, 'plan.md'), 'cli:ana');
      await checkTarget(ws, undefined, { actor: 'cli:ana' });
      assert.deepEqual(await gates(ws), ['phase-1 pass', 'phase-2 pass']);

      // The document changes (new SHA-256), but nothing any criterion depends on.
      await checkItem(ws, 'phase-1/task-1-1/write-it', 'cli:ana');
      await setStatus(ws, 'phase-1/task-1-1', 'done', 'cli:ana');
      assert.match(readFileSync(join(root, 'plan.md'), 'utf8'), /- \[x\] write it/u);
      assert.deepEqual(await gates(ws), ['phase-1 pass', 'phase-2 pass']);

      // A criterion's command changes: its gate must be checked again; the other stays.
      const edited = readFileSync(join(root, 'plan.md'), 'utf8').replace(
        'Tagged <!-- verify: command `true` -->',
        'Tagged <!-- verify: command `git describe` -->',
      );
      writeFileSync(join(root, 'plan.md'), edited);
      await importPlan(ws, join(root, 'plan.md'), 'cli:ana');
      assert.deepEqual(await gates(ws), ['phase-1 pass', 'phase-2 unchecked']);
    } finally {
      await done();
    }
  });
});
