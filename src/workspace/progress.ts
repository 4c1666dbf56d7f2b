/**
 * Progress of phases and tasks: checked checkboxes and done tasks. Pure.
 */
import type { Phase, Plan, Task, TaskStatus } from '../ir/schema.js';
import { countCheckboxes, flattenItems, phaseCriteria, phaseItems } from '../ir/walk.js';

/** Checked out of total checkboxes. */
export interface CheckboxProgress {
  readonly checked: number;
  readonly total: number;
}

/** Done out of total tasks. */
export interface TaskProgress {
  readonly done: number;
  readonly total: number;
}

/**
 * A task's status as a person reads it: the document's status, except that an open task whose
 * checklist is all checked is done, and partly checked is in progress.
 */
export function taskState(task: Task): TaskStatus {
  if (task.status !== 'open') return task.status;
  const boxes = countCheckboxes(flattenItems(task.checklist), task.criteria);
  if (boxes.total > 0 && boxes.checked === boxes.total) return 'done';
  if (boxes.checked > 0) return 'in_progress';
  return 'open';
}

/** Checkbox progress of a task (its checklist, nested items, checkable criteria). */
export function taskBoxes(task: Task): CheckboxProgress {
  return countCheckboxes(flattenItems(task.checklist), task.criteria);
}

/** Checkbox progress of a phase (its own and its tasks'). */
export function phaseBoxes(phase: Phase): CheckboxProgress {
  return countCheckboxes(phaseItems(phase), phaseCriteria(phase));
}

/** Task progress of a list of tasks. */
export function taskProgress(tasks: ReadonlyArray<Task>): TaskProgress {
  return { done: tasks.filter((t) => taskState(t) === 'done').length, total: tasks.length };
}

/** Checkbox progress of what stands outside every phase. */
export function unphasedBoxes(plan: Plan): CheckboxProgress {
  const items = [
    ...flattenItems(plan.checklist),
    ...plan.tasks.flatMap((t) => [...flattenItems(t.checklist)]),
  ];
  return countCheckboxes(items, [...plan.criteria, ...plan.tasks.flatMap((t) => t.criteria)]);
}

/** Sum of checkbox progresses. */
export function addBoxes(...all: ReadonlyArray<CheckboxProgress>): CheckboxProgress {
  return {
    checked: all.reduce((n, p) => n + p.checked, 0),
    total: all.reduce((n, p) => n + p.total, 0),
  };
}
