/**
 * Which items are a phase's tasks and which are their steps, criteria or commands (fixtures
 * written for these tests): groupings, metadata headings, task tables, task trees in code,
 * sub-tasks, non-work sections, IDs, criteria vocabulary and commands told to run.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commandLines, inlineCommands, isCommandSpan, openQuoteAfter } from './commands.js';
import { summarizePlan } from './index.js';
import { planOf } from './test-helpers.js';
import { isPaletteName } from './steps-attach.js';
import { boldIsGrouping, headingIsTask, treeTasks } from './work-items.js';
import { EXTERNAL_ID_RE } from './patterns.js';

const summary = (text: string) => summarizePlan(planOf(text));
const phaseTasks = (text: string): number[] => summary(text).phases.map((p) => p.tasks);

test('a bold line that only names the list below it is a grouping; its checkboxes are tasks', () => {
  const doc = `# Plan
## Phase 1: Storage
**1.1 Buckets**
- [ ] 1.1.1 Create the bucket
- [ ] 1.1.2 Set the lifecycle rule

**1.2 Backups**
- [x] 1.2.1 Nightly dump
`;
  assert.deepEqual(phaseTasks(doc), [3]);
  assert.equal(boldIsGrouping('**1.1 Buckets**', '- [ ] a'), true);
  // Metadata keeps a bold line one task; so does prose after it.
  assert.equal(boldIsGrouping('**1.1 Buckets** (2 hours)', '- [ ] a'), false);
  assert.equal(boldIsGrouping('**Task 4: Buckets**', '- [ ] a'), false);
  assert.equal(boldIsGrouping('**1.1 Buckets**', 'Create them by hand.'), false);
  assert.deepEqual(
    phaseTasks('# P\n## Phase 1\n**Bucket work** (2 hours)\n- [ ] a\n- [ ] b\n'),
    [1],
  );
});

test('a sub-heading with task metadata lines is one task; its numbered details are not tasks', () => {
  const doc = `# Job
## Subtasks
### 7.1. Add the endpoint
**Status:** pending
**Dependencies:** None

Details:

1. GET /a returns the list
2. GET /b returns one item

### 7.2. Draw the chart
**Status:** pending
**Dependencies:** 7.1
`;
  assert.deepEqual(phaseTasks(doc), [2]);
  const own = { items: 2, checkboxes: 0, rows: 0, fences: 0, paragraphs: 3, meta: 1 };
  assert.equal(headingIsTask('7.1. Add the endpoint', own), true);
  assert.equal(headingIsTask('Database work', { ...own, meta: 0 }), false);
  // A numbered sub-heading over code alone is a grouping; an hour budget makes a task.
  assert.equal(
    headingIsTask('2.1 Config', { ...own, items: 0, meta: 0, paragraphs: 1, fences: 1 }),
    false,
  );
  assert.equal(headingIsTask('Fix the build (Hours 1-4)', undefined), true);
  assert.equal(headingIsTask('Sprint 1 (Week 1)', undefined), false);
});

test('a table with a Task, Hours or Priority column lists work, one task a row', () => {
  const doc = `# Roadmap
## Stage 1: Backend
| Week | Task | Hours | Priority |
|------|------|-------|----------|
| 1 | Set up the server | 10h | High |
| 2 | Write the models | 12h | Low |
`;
  assert.deepEqual(phaseTasks(doc), [2]);
});

test('a task tree drawn in a code block gives one task per first-level entry and no step', () => {
  const tree = `# 1.1 Plan\n├── [ ] Pick the stack\n│   └── [ ] Compare two\n└── [x] Write the brief\n`;
  assert.deepEqual(
    treeTasks(tree).map((t) => [t.text, t.checked, t.index]),
    [
      ['Pick the stack', false, 1],
      ['Write the brief', true, 3],
    ],
  );
  assert.deepEqual(treeTasks('├── src\n└── README.md\n'), [], 'a file tree is no task tree');
  const s = summary(`# Plan\n## Phase 1\n\`\`\`bash\n${tree}\`\`\`\n`);
  assert.equal(s.phases[0]?.tasks, 2);
  assert.equal(s.totals.steps, 0);
  assert.deepEqual(s.totals.checkboxes, { total: 0, checked: 0 });
});

test('sub-tasks are steps of their parent in the counts; the IR keeps them with their parent', () => {
  const doc = `# Todo
## P0 - Critical
### 1. Recommendations (8h)
#### Task 1.1: Scoring (3h)
- write it
#### Task 1.2: Ranking (5h)
### 2. Level test (8h)
`;
  assert.deepEqual(phaseTasks(doc), [2]);
  const tasks = planOf(doc).phases[0]?.tasks ?? [];
  assert.equal(tasks.length, 4);
  assert.equal(tasks.filter((t) => t.parent !== undefined).length, 2);
});

test('non-work sections end an inherited Tasks section; the title is no task; IDs glued to a name are files', () => {
  const doc = `# OPS-12 Rework the mailer
## Tasks
### Phase 1: Base
- [ ] a
### Critical Dependencies
- A queue server
- A mail provider
### Key Risks
- Bounces
`;
  const s = summary(doc);
  assert.equal(s.totals.tasks, 1);
  assert.equal(s.title, 'OPS-12 Rework the mailer');
  assert.equal(EXTERNAL_ID_RE.exec('DOC-01-guide.md - the guide'), null);
  assert.equal(EXTERNAL_ID_RE.exec('DOC-01 - the guide')?.[1], 'DOC-01');
});

test('criteria: "complete when" sections, criteria in Chinese and Korean; task IDs stay tasks', () => {
  const doc = `# Plan
## Phase 1: Search
- [ ] a
### Phase 1 - COMPLETED WHEN:
- [ ] Search answers under 200 ms
- [ ] Prices update
## Phase 2: 前端
### 验收标准
- [ ] 页面可用
## Phase 3: 검색
**완료 기준**:
- 색인 완료
## Phase 4: Polish
### Final Validation
- [ ] T050 Run the full suite
- [ ] T051 Update the guide
`;
  const s = summary(doc);
  assert.deepEqual(
    s.phases.map((p) => [p.tasks, p.criteria]),
    [
      [1, 2],
      [0, 1],
      [0, 1],
      [2, 0],
    ],
  );
});

test('commands: spans the reader is told to run, quoted arguments over lines, dispatch lines', () => {
  assert.equal(isCommandSpan('npm install left-pad'), true);
  assert.equal(isCommandSpan('./scripts/deploy.sh'), true);
  assert.equal(isCommandSpan('make'), false);
  assert.equal(isCommandSpan('useState()'), false);
  assert.deepEqual(inlineCommands('Run npm test now', ['npm test']), ['npm test']);
  assert.deepEqual(inlineCommands('Install: npm i x', ['npm i x']), ['npm i x']);
  assert.deepEqual(inlineCommands('build check (dotnet build)', ['dotnet build']), [
    'dotnet build',
  ]);
  assert.deepEqual(
    inlineCommands('npm test is slow', ['npm test']),
    [],
    'a span the line starts with',
  );
  assert.deepEqual(inlineCommands('Build command: npm run build', ['npm run build']), []);
  assert.deepEqual(inlineCommands('We use git log for history', ['git log']), []);
  assert.equal(openQuoteAfter(`curl -d '{`, undefined), "'");
  assert.equal(openQuoteAfter(`}'`, "'"), undefined);
  assert.equal(openQuoteAfter(`echo "it's" # don't`, undefined), undefined);
  assert.equal(commandLines(`curl -X POST x \\\n  -d '{\n    "a": 1\n  }'\n\n# note\nls\n`), 2);
  assert.equal(commandLines('Task agent "Check the parser"\nTask agent "Check the lexer"\n'), 0);
  const s = summary(`# Plan
## Phase 1
1. Install: \`npm install left-pad\`
2. Run \`npm test\` and check the output
3. \`npm run lint\` is what CI calls
`);
  assert.equal(s.phases[0]?.commands, 2);
});

test('one blocked task does not block a phase whose other work can go on', () => {
  const doc = (third: string): string => `# Roadmap
## Milestone 1
| Task | Status |
|------|--------|
| Invite | Planned |
| Roles | Planned |
| Feed | ${third} |
`;
  assert.equal(summary(doc('Blocked')).phases[0]?.status, 'open');
  assert.equal(
    summary(doc('Blocked').replace(/Planned/gu, 'Blocked')).phases[0]?.status,
    'blocked',
  );
  assert.equal(summary(doc('Done')).phases[0]?.status, 'in_progress');
});

test('a bold name over numbered lines that continue a list: each line is a task', () => {
  const doc = `# Plan
## Phase 1
**Day 1: Setup**
1. Open the account
2. Get a key

**Day 2: Wiring**
3. Add the client
4. Add the flag
`;
  const plan = planOf(doc);
  assert.deepEqual(
    plan.phases[0]?.tasks.map((t) => [t.title, t.pos?.line]),
    [
      ['Open the account', 4],
      ['Get a key', 5],
      ['Add the client', 8],
      ['Add the flag', 9],
    ],
  );
});

test('commands: a check that starts with a command and says it must succeed; palette names are not shell', () => {
  assert.deepEqual(
    inlineCommands('[ ] docker compose up lint executes successfully', ['docker compose up lint']),
    ['docker compose up lint'],
  );
  assert.deepEqual(inlineCommands('npm test passes', ['npm test']), ['npm test']);
  assert.deepEqual(inlineCommands('npm test is slow', ['npm test']), []);
  assert.equal(isPaletteName('AHK: Install Dependencies'), true);
  assert.equal(isPaletteName('Show Package Usage'), true);
  assert.equal(isPaletteName('npm install'), false);
  assert.equal(isPaletteName('Get-ChildItem -Path .'), false);
  const s = summary(`# Plan
## Phase 1
**Commands:**
- \`AHK: Install Dependencies\`
- \`npm ci\`
### Done when
- [ ] \`npm test\` passes
`);
  assert.equal(s.phases[0]?.commands, 2);
});
