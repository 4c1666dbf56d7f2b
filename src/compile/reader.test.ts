/**
 * The reader on the constructs people write (fixtures written for these tests): phases
 * without the word, nested phases, mentions, task forms, statuses, commands, hints.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allTasks } from '../ir/index.js';
import { commandLines } from './commands.js';
import { summarizePlan } from './index.js';
import { compileText, planOf } from './test-helpers.js';

const titles = (text: string): string[] => planOf(text).phases.map((p) => p.title);
const statuses = (text: string): string[] => planOf(text).phases.map((p) => p.status);

test('Spec Kit tasks: IDs, [P], story tags; checkbox IDs as before; status from the box', () => {
  const plan = planOf(`# Tasks
## Phase 1: Setup
- [x] T001 [P] Create skeleton
- [ ] T002 [US1] Add linter
## Phase 2: Stories
- [ ] T003 [P] [US2] Build the form
`);
  const tasks = [...allTasks(plan)];
  assert.deepEqual(
    tasks.map((t) => [t.id, t.label, t.status]),
    [
      ['phase-1/t001', 'T001', 'done'],
      ['phase-1/t002', 'T002', 'open'],
      ['phase-2/t003', 'T003', 'open'],
    ],
  );
  assert.equal(tasks[0]?.checklist[0]?.id, 'phase-1/t001-p-create-skeleton');
  assert.deepEqual(statuses('## Phase 1\n- [x] T001 a\n- [ ] T002 b\n'), ['in_progress']);
});

test('Kiro: N. is a task, N.M (flat or nested) its steps, _Requirements_ lines are details', () => {
  const s = summarizePlan(
    planOf(`# Plan
## Tasks
- [x] 1. Set up
  - Create files
  - _Requirements: 1.2_
- [x] 1.1 Write config
- [ ] 1.2 Wire CI
- [ ] 2. Build
  - [ ] 2.1 Parse
`),
  );
  assert.equal(s.phases.length, 1);
  assert.equal(s.totals.tasks, 2);
  assert.deepEqual(s.totals.checkboxes, { total: 5, checked: 2 });
  assert.equal(s.phases[0]?.status, 'in_progress');
});

test('status bullets, struck-through items and task tables are tasks with their status', () => {
  const plan = planOf(`# Plan
## Phase 1
- ✅ Shipped the API
- ~~Old login page~~
- ⏳ Docs
## Phase 2
| Task | Owner | Status |
|---|---|---|
| Parser | Ana | Done |
| Printer | Ben | In Progress |
`);
  const [p1, p2] = plan.phases;
  assert.deepEqual(
    p1?.tasks.map((t) => t.status),
    ['done', 'done', 'in_progress'],
  );
  assert.deepEqual(
    p2?.tasks.map((t) => [t.title, t.status]),
    [
      ['Parser', 'done'],
      ['Printer', 'in_progress'],
    ],
  );
  assert.deepEqual(statuses(`## Phase 1\n- ✅ a\n- ✅ b\n`), ['done']);
});

test('phases without the word: Sprint, Week, Day series, Q1 2026, v0.3, M2 —, priority tiers', () => {
  assert.equal(titles('# P\n## Sprint 1\n- [ ] a\n## Sprint 2\n- [ ] b\n').length, 2);
  assert.equal(titles('# P\n## Day 1: Prep\n- [ ] a\n## Day 2: Ship\n- [ ] b\n').length, 2);
  assert.equal(titles('# P\n## 2026 Q1 Milestones\n- a\n## 2026 Q2 Milestones\n- b\n').length, 2);
  assert.equal(titles('# P\n## v0.3\n- a\n## v0.4\n- b\n').length, 2);
  assert.equal(titles('# P\n## M1 — Alpha\n- a\n## M2 — Beta\n- b\n').length, 2);
  assert.deepEqual(
    titles('# P\n## Overview\ntext\n## P0 - Critical\n- a\n## P1 - High\n- b\n## Risks\n- c\n'),
    ['P0 - Critical', 'P1 - High'],
  );
  assert.deepEqual(
    titles('# P\n## High Priority\n- a\n## Nice-to-Have\n- b\n## Known Issues\n- c\n'),
    ['High Priority', 'Nice-to-Have'],
  );
  assert.deepEqual(titles('# P\n## Description\ntext\n## Implementation Plan\n1. a\n2. b\n'), [
    'Implementation Plan',
  ]);
});

test('parent phases count as their leaves; sprints inside a phase are its schedule', () => {
  assert.deepEqual(
    titles('# P\n## Phase 1\n- a\n## Phase 2\n### Phase 2A\n- b\n### Phase 2B\n- c\n'),
    ['Phase 1', 'Phase 2A', 'Phase 2B'],
  );
  assert.deepEqual(
    titles('# P\n## Phase 1\n### Sprint 1\n- [ ] a\n### Sprint 2\n- [ ] b\n## Phase 2\n- [ ] c\n'),
    ['Phase 1', 'Phase 2'],
  );
  assert.deepEqual(
    titles(
      '# P\n## Phase 1\n- a\n## Phase 2\n- b\n## Schedule\n### Week 1\n- a\n### Week 2\n- b\n',
    ),
    ['Phase 1', 'Phase 2'],
  );
});

test('mentions, plurals, the title and changelogs are not phases', () => {
  const plan = planOf(`# Phase 9 plan
## Phases & Verification
text
## Phase 1
- [ ] a
## Phase 2
- [ ] b
## Appendix
### Phase 2 Completion Criteria
- [ ] c
## Changelog
### Version 0.1
- d
`);
  assert.deepEqual(
    plan.phases.map((p) => p.title),
    ['Phase 1', 'Phase 2'],
  );
  assert.equal(plan.phases[1]?.criteria.length, 1, 'the appendix belongs to Phase 2');
});

test('status tags: brackets, full-width parentheses, Status: lines, other languages, colours', () => {
  assert.deepEqual(
    statuses(
      '# P\n## Phase 1 [COMPLETE]\n## Phase 2 （完了）\n## Phase 3\nStatus: In Progress\n## Phase 4 (Zukunft)\n## Fase 5 (EN CURSO)\n',
    ),
    ['done', 'done', 'in_progress', 'deferred', 'in_progress'],
  );
  assert.deepEqual(statuses('# P\n## 🔴 Phase 1\n- a\n## 🟡 Phase 2\n- b\n'), [
    'unknown',
    'unknown',
  ]);
  assert.deepEqual(statuses('# P\n## Phase 1\nSome prose.\n'), ['unknown']);
});

test('an overview table with a status column is each phase’s own marker', () => {
  assert.deepEqual(
    statuses(`# P
| Phase | Status |
|---|---|
| 1 | ✅ Complete |
| 2 | 🔜 Next |
## Phase 1
- [ ] a
## Phase 2
- [ ] b
`),
    ['done', 'open'],
  );
});

test('a hint sets the phase level', () => {
  assert.deepEqual(
    titles('# P\n<!-- pulser: phase-level=3 -->\n## Area\n### One\n- a\n### Two\n- b\n'),
    ['One', 'Two'],
  );
  assert.deepEqual(titles('---\npulser-phase-level: 2\n---\n# P\n## A\n- a\n## B\n- b\n'), [
    'A',
    'B',
  ]);
});

test('commands: shell lines, continuations and heredocs once, no comments, IDs or config', () => {
  assert.equal(commandLines('npm install\n# comment\nnpm test \\\n  --watch\n'), 2);
  assert.equal(commandLines("cat > f <<'EOF'\na\nb\nEOF\nchmod +x f\n"), 2);
  assert.equal(commandLines('T001 [P] Create model\nTask: "do it"\n'), 0);
  assert.equal(commandLines('API_KEY=abc\nDEBUG=true\n'), 0);
  const s = summarizePlan(planOf('# P\n## Phase 1\n```bash\nnpm ci\nnpm test\n```\n'));
  assert.equal(s.totals.commands, 2);
  assert.equal(s.phases[0]?.commands, 2);
});

test('encodings: a BOM before the title', () => {
  const plan = planOf('\ufeff# Title\n## Phase 1\n| Task | Status |\n|---|---|\n| a | Done |\n');
  assert.equal(plan.title, 'Title');
  assert.equal(plan.phases[0]?.tasks[0]?.status, 'done');
});

test('the unrepairable-mojibake warning names every line', () => {
  const bad = 'Ã¢Â€Â';
  const { diagnostics } = compileText(
    `# Plan â€” ok\n## Phase 1\nâœ… done\n${bad}\ntext\n${bad}\n`,
  );
  const d = diagnostics.find((x) => x.code === 'source/mojibake-unrepaired');
  if (d) assert.match(d.message, /lines? \d+(?:, \d+)*/u);
});

test('a title that starts with a word of a non-planning section still holds the phases', () => {
  const plan = planOf(`# Status Board

## Task 1: Stray chore

- [ ] sweep

## Phase 1: Build

### Task 1.1: Compile

- [ ] compile it
`);
  assert.deepEqual(
    plan.phases.map((p) => p.id),
    ['phase-1'],
  );
  assert.deepEqual(
    plan.tasks.map((t) => t.title),
    ['Task 1: Stray chore'],
  );
});
