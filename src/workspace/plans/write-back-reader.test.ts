import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { allTasks } from '../../ir/index.js';
import { importPlan } from './import-plan.js';
import { checkItem, setStatus } from './write-back.js';
import { tempWorkspace } from '../test-helpers.js';

const SPEC_KIT = `# Tasks: Demo

## Phase 1: Setup

- [ ] T001 [P] Create the project skeleton
- [ ] T002 [US1] Add the linter

## Phase 2: Build

- [ ] 1. Write the parser
- [ ] 1.1 Tokenize the input
- [ ] 2. Write the printer
`;

async function withPlan(
  text: string,
  body: (
    ctx: Awaited<ReturnType<typeof importPlan>>,
    file: string,
    ws: Awaited<ReturnType<typeof tempWorkspace>>['ws'],
  ) => Promise<void>,
): Promise<void> {
  const { ws, root, done } = await tempWorkspace();
  try {
    const file = join(root, 'plan.md');
    writeFileSync(file, text);
    await body(await importPlan(ws, file, 'test'), file, ws);
  } finally {
    await done();
  }
}

/** The one line that differs, or fails. */
function onlyChangedLine(before: string, after: string): [string, string] {
  const a = before.split('\n');
  const b = after.split('\n');
  assert.equal(a.length, b.length);
  const diff = a.flatMap((line, i) =>
    line === b[i] ? [] : ([[line, b[i] ?? '']] as [string, string][]),
  );
  assert.equal(diff.length, 1, JSON.stringify(diff));
  return diff[0] as [string, string];
}

describe('write-back on what the reader understands', () => {
  it('setting a Spec Kit task done checks its box, byte-identical elsewhere', async () => {
    await withPlan(SPEC_KIT, async ({ stored }, file, ws) => {
      const t002 = [...allTasks(stored.plan)].find((t) => t.label === 'T002');
      assert.ok(t002);
      await setStatus(ws, t002.id, 'done', 'test');
      const [was, now] = onlyChangedLine(SPEC_KIT, readFileSync(file, 'utf8'));
      assert.equal(was, '- [ ] T002 [US1] Add the linter');
      assert.equal(now, '- [x] T002 [US1] Add the linter');
    });
  });

  it('checking a Kiro sub-item (a flat 1.1 step) edits only its box', async () => {
    await withPlan(SPEC_KIT, async ({ stored }, file, ws) => {
      const task = [...allTasks(stored.plan)].find((t) => t.label === '1');
      const step = task?.checklist[0]?.children[0];
      assert.equal(step?.text, '1.1 Tokenize the input');
      await checkItem(ws, step.id, 'test');
      const [, now] = onlyChangedLine(SPEC_KIT, readFileSync(file, 'utf8'));
      assert.equal(now, '- [x] 1.1 Tokenize the input');
    });
  });

  it('setting the status of a task-table row edits its status cell only', async () => {
    const table = `# Plan

## Phase 1: Build

| ID | Task | Owner | Status |
|----|------|-------|--------|
| 1.1 | Write the parser | Ana | ⏳ Pending |
| 1.2 | Write the printer | Ben | ✅ Done |
`;
    await withPlan(table, async ({ stored }, file, ws) => {
      const task = [...allTasks(stored.plan)].find((t) => t.label === '1.1');
      assert.equal(task?.status, 'open');
      await setStatus(ws, task.id, 'done', 'test');
      const [was, now] = onlyChangedLine(table, readFileSync(file, 'utf8'));
      assert.equal(was, '| 1.1 | Write the parser | Ana | ⏳ Pending |');
      assert.match(now, /^\| 1\.1 \| Write the parser \| Ana \| .*(?:Done|✅).* \|$/u);
    });
  });
});
