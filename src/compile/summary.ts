/**
 * `summarizePlan`: the counts a person checks first.
 */
import type { Criterion, Phase, PhaseStatus, Plan, Step, Task } from '../ir/index.js';
import { commandsOfStep } from './commands.js';
import {
  allItems,
  allSteps,
  allTasks,
  countCheckboxes,
  phaseCriteria,
  phaseItems,
  phaseSteps,
} from '../ir/walk.js';

/** Checkbox counts. */
export interface CheckboxCount {
  readonly total: number;
  readonly checked: number;
}

/** One phase in a {@link PlanSummary}. */
export interface PhaseSummary {
  readonly id: string;
  readonly title: string;
  readonly status: PhaseStatus;
  readonly tasks: number;
  readonly checkboxes: CheckboxCount;
  readonly criteria: number;
  readonly steps: number;
  /** Command lines the reader is told to run (a step may hold several). */
  readonly commands: number;
}

/** What {@link summarizePlan} returns. */
export interface PlanSummary {
  readonly title: string;
  readonly repairedFrom: Plan['repairedFrom'];
  readonly phases: ReadonlyArray<PhaseSummary>;
  readonly totals: {
    readonly phases: number;
    readonly tasks: number;
    readonly checkboxes: CheckboxCount;
    readonly criteria: number;
    readonly steps: number;
    readonly commands: number;
    readonly owners: ReadonlyArray<string>;
    readonly metricTargets: number;
  };
}

function* allCriteria(plan: Plan): Generator<Criterion> {
  yield* plan.criteria;
  for (const t of plan.tasks) yield* t.criteria;
  for (const p of plan.phases) yield* phaseCriteria(p);
}

function countCommands(steps: Iterable<Step>): number {
  let n = 0;
  for (const s of steps) n += commandsOfStep(s);
  return n;
}

/**
 * How many top-level work items: a sub-task (a `Task 1.1` heading inside the `1. Engine`
 * package, an item under a task) is a step of its parent, not another task.
 */
function countTasks(tasks: Iterable<Task>): number {
  let n = 0;
  for (const t of tasks) if (t.parent === undefined) n++;
  return n;
}

function summarizePhase(p: Phase): PhaseSummary {
  return {
    id: p.id,
    title: p.title,
    status: p.status,
    tasks: countTasks(p.tasks),
    checkboxes: countCheckboxes(phaseItems(p), phaseCriteria(p)),
    criteria: [...phaseCriteria(p)].length,
    steps: [...phaseSteps(p)].length,
    commands: countCommands(phaseSteps(p)),
  };
}

/**
 * Summarize a compiled plan: per phase, its status and counts; in total, every task,
 * checkbox (inside a phase or not), criterion, step, owner and metric target.
 *
 * @example
 * summarizePlan(compilePlan(bytes).plan!).totals.checkboxes; // { total: 27, checked: 0 }
 */
export function summarizePlan(plan: Plan): PlanSummary {
  return {
    title: plan.title,
    repairedFrom: plan.repairedFrom,
    phases: plan.phases.map(summarizePhase),
    totals: {
      phases: plan.phases.length,
      tasks: countTasks(allTasks(plan)),
      checkboxes: countCheckboxes(allItems(plan), allCriteria(plan)),
      criteria: [...allCriteria(plan)].length,
      steps: [...allSteps(plan)].length,
      commands: countCommands(allSteps(plan)),
      owners: plan.owners,
      metricTargets: plan.metrics.length,
    },
  };
}
