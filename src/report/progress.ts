/**
 * Progress of a compiled plan, as the report shows it: done tasks and checked checkboxes per
 * phase. Pure; the same rules as `pulser status` (an open task whose checklist is all checked
 * counts as done).
 */
import type { ChecklistItem, Criterion, Phase, Plan, Task, TaskStatus } from '../ir/index.js';

/** Done out of total. */
export interface Count {
  readonly done: number;
  readonly total: number;
}

function boxes(items: ReadonlyArray<ChecklistItem>, criteria: ReadonlyArray<Criterion>): Count {
  let done = 0;
  let total = 0;
  const walk = (list: ReadonlyArray<ChecklistItem>): void => {
    for (const i of list) {
      total++;
      if (i.checked) done++;
      walk(i.children);
    }
  };
  walk(items);
  for (const c of criteria) {
    if (c.checked === undefined) continue;
    total++;
    if (c.checked) done++;
  }
  return { done, total };
}

/** A task's status as a person reads it (checklist all checked: done; partly: in progress). */
export function taskState(task: Task): TaskStatus {
  if (task.status !== 'open') return task.status;
  const b = boxes(task.checklist, task.criteria);
  if (b.total > 0 && b.done === b.total) return 'done';
  return b.done > 0 ? 'in_progress' : 'open';
}

function add(a: Count, b: Count): Count {
  return { done: a.done + b.done, total: a.total + b.total };
}

/** Tasks and checkboxes of a phase. */
export function phaseProgress(phase: Phase): { tasks: Count; checkboxes: Count } {
  let checkboxes = boxes(phase.checklist, phase.criteria);
  for (const t of phase.tasks) checkboxes = add(checkboxes, boxes(t.checklist, t.criteria));
  const done = phase.tasks.filter((t) => taskState(t) === 'done').length;
  return { tasks: { done, total: phase.tasks.length }, checkboxes };
}

/** Tasks and checkboxes of a whole plan (phases and what stands outside them). */
export function planProgress(plan: Plan): { tasks: Count; checkboxes: Count } {
  let checkboxes = boxes(plan.checklist, plan.criteria);
  let tasks: Count = { done: 0, total: 0 };
  const addTasks = (list: ReadonlyArray<Task>): void => {
    for (const t of list) checkboxes = add(checkboxes, boxes(t.checklist, t.criteria));
    tasks = add(tasks, {
      done: list.filter((t) => taskState(t) === 'done').length,
      total: list.length,
    });
  };
  addTasks(plan.tasks);
  for (const p of plan.phases) {
    checkboxes = add(checkboxes, boxes(p.checklist, p.criteria));
    addTasks(p.tasks);
  }
  return { tasks, checkboxes };
}
