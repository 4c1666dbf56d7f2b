import type { ChecklistItem, Criterion, Phase, Plan, Step, Task } from './schema.js';

/** Any node that has an ID in a plan. */
export type PlanNode = Plan | Phase | Task | ChecklistItem | Criterion | Step;

function collectItems(items: ReadonlyArray<ChecklistItem>, out: ChecklistItem[]): ChecklistItem[] {
  for (const item of items) {
    out.push(item);
    if (item.children.length > 0) collectItems(item.children, out);
  }
  return out;
}

/**
 * Every checklist item of `items`, nested ones included, in document order. (Collected by a
 * plain recursive function first: a generator per item made `pulser status` measurably slower.)
 */
export function* flattenItems(items: ReadonlyArray<ChecklistItem>): Generator<ChecklistItem> {
  if (items.length > 0) yield* collectItems(items, []);
}

/** Every task of the plan, in document order (tasks outside phases first). */
export function* allTasks(plan: Plan): Generator<Task> {
  yield* plan.tasks;
  for (const phase of plan.phases) yield* phase.tasks;
}

/** Every checklist item of a phase (its own, its tasks', nested ones). */
export function* phaseItems(phase: Phase): Generator<ChecklistItem> {
  yield* flattenItems(phase.checklist);
  for (const task of phase.tasks) yield* flattenItems(task.checklist);
}

/** Every checklist item of the document, wherever it stands. */
export function* allItems(plan: Plan): Generator<ChecklistItem> {
  yield* flattenItems(plan.checklist);
  for (const task of plan.tasks) yield* flattenItems(task.checklist);
  for (const phase of plan.phases) yield* phaseItems(phase);
}

/** Every step of a phase (its own and its tasks'). */
export function* phaseSteps(phase: Phase): Generator<Step> {
  yield* phase.steps;
  for (const task of phase.tasks) yield* task.steps;
}

/** Every step of the plan. */
export function* allSteps(plan: Plan): Generator<Step> {
  yield* plan.steps;
  for (const task of plan.tasks) yield* task.steps;
  for (const phase of plan.phases) yield* phaseSteps(phase);
}

/** Every criterion of a phase (its own and its tasks'). */
export function* phaseCriteria(phase: Phase): Generator<Criterion> {
  yield* phase.criteria;
  for (const task of phase.tasks) yield* task.criteria;
}

/** Every node with an ID, keyed by ID. */
export function indexPlan(plan: Plan): Map<string, PlanNode> {
  const index = new Map<string, PlanNode>();
  const addTask = (task: Task): void => {
    index.set(task.id, task);
    for (const item of flattenItems(task.checklist)) index.set(item.id, item);
    for (const c of task.criteria) index.set(c.id, c);
    for (const s of task.steps) index.set(s.id, s);
  };
  for (const item of flattenItems(plan.checklist)) index.set(item.id, item);
  for (const c of plan.criteria) index.set(c.id, c);
  for (const s of plan.steps) index.set(s.id, s);
  plan.tasks.forEach(addTask);
  for (const phase of plan.phases) {
    index.set(phase.id, phase);
    for (const item of flattenItems(phase.checklist)) index.set(item.id, item);
    for (const c of phase.criteria) index.set(c.id, c);
    for (const s of phase.steps) index.set(s.id, s);
    phase.tasks.forEach(addTask);
  }
  return index;
}

/** Checked out of total checkboxes: checklist items, plus the criteria written as checkboxes. */
export function countCheckboxes(
  items: Iterable<{ readonly checked: boolean }>,
  criteria: Iterable<Criterion>,
): { checked: number; total: number } {
  let total = 0;
  let checked = 0;
  for (const i of items) {
    total++;
    if (i.checked) checked++;
  }
  for (const c of criteria) {
    if (c.checked === undefined) continue;
    total++;
    if (c.checked) checked++;
  }
  return { checked, total };
}
