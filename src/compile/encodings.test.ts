import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allTasks } from '../ir/index.js';
import { planOf } from './test-helpers.js';

const PLAN = `# Garden shed

## Phase 1: Foundation ✅
| Task | Status |
|---|---|
| Level the ground | done |
| Pour the slab | done |

## Phase 2: Walls
- [x] Cut the studs
- [ ] Raise the frame

## Phase 3: Roof
- [ ] Fit the rafters
`;

test('\\r\\r\\n line ends read like \\n: tables hold, lines are where an editor shows them', () => {
  const lf = planOf(PLAN);
  const doubled = planOf(PLAN.replace(/\n/gu, '\r\r\n'));
  const shape = (p: typeof lf): unknown => ({
    title: p.title,
    phases: p.phases.map((ph) => [ph.title, ph.status, ph.pos.line, ph.tasks.length]),
    tasks: [...allTasks(p)].map((t) => [t.title, t.status, t.pos.line, t.pos.column]),
  });
  assert.deepEqual(shape(doubled), shape(lf));
  assert.equal(lf.phases[0]?.tasks.length, 2, 'the table rows are tasks');
  assert.equal(doubled.phases[1]?.pos.line, 9);
});
