import type { Plan } from '../ir/schema.js';
import { allItems, allSteps, allTasks } from '../ir/walk.js';

/**
 * One row of a plan's node snapshot: plan ID, node ID, kind, title, status, checked (1/0/null)
 * and line. The same rows as the SQLite store's `plan_nodes` (see `sqlite/plans.ts`).
 */
export type PlanNodeValues = [string, string, string, string, string | null, number | null, number];

/** The node snapshot of a plan, in the order the stores write it (first ID wins). */
export function* planNodeRows(planId: string, plan: Plan): Generator<PlanNodeValues> {
  for (const p of plan.phases) yield [planId, p.id, 'phase', p.title, p.status, null, p.pos.line];
  for (const t of allTasks(plan)) {
    yield [planId, t.id, 'task', t.title, t.status, null, t.pos.line];
    for (const c of t.criteria) yield criterionRow(planId, c);
  }
  for (const i of allItems(plan)) {
    yield [planId, i.id, 'item', i.text, null, i.checked ? 1 : 0, i.pos.line];
  }
  for (const c of plan.criteria) yield criterionRow(planId, c);
  for (const p of plan.phases) for (const c of p.criteria) yield criterionRow(planId, c);
  for (const s of allSteps(plan)) yield [planId, s.id, 'step', s.title, null, null, s.pos.line];
  for (const m of plan.metrics) yield [planId, m.id, 'metric', m.name, null, null, m.pos.line];
  for (const d of plan.decisions) yield [planId, d.id, 'decision', d.title, null, null, d.pos.line];
}

function criterionRow(planId: string, c: Plan['criteria'][number]): PlanNodeValues {
  const checked = c.checked === undefined ? null : c.checked ? 1 : 0;
  return [planId, c.id, 'criterion', c.text, c.status ?? null, checked, c.pos.line];
}
