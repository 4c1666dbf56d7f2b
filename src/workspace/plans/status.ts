/**
 * `planStatus` and `nextTasks`: what a person asks of an imported plan first. Kept free of the
 * compiler and of Zod so that `pulser status` starts fast.
 */
import type { Estimate, PhaseStatus, Plan, Task, TaskStatus } from '../../ir/schema.js';
import type { StoredPlan } from '../../store/plan-store.js';
import type { Workspace } from '../open.js';
import {
  addBoxes,
  phaseBoxes,
  taskBoxes,
  taskProgress,
  taskState,
  unphasedBoxes,
  type CheckboxProgress,
  type TaskProgress,
} from '../progress.js';

/** Progress of one phase. */
export interface PhaseStatusEntry {
  readonly id: string;
  readonly title: string;
  /** The status the document states (`unknown` when it says nothing). */
  readonly status: PhaseStatus;
  readonly checkboxes: CheckboxProgress;
  readonly tasks: TaskProgress;
}

/** Status of one imported plan. */
export interface PlanStatusEntry {
  readonly id: string;
  readonly title: string;
  readonly path: string;
  readonly version: number;
  readonly importedAt: string;
  readonly repairedFrom: Plan['repairedFrom'];
  readonly phases: ReadonlyArray<PhaseStatusEntry>;
  /** Tasks and checkboxes that stand outside every phase, or null when there are none. */
  readonly unphased: { readonly checkboxes: CheckboxProgress; readonly tasks: TaskProgress } | null;
  readonly totals: { readonly checkboxes: CheckboxProgress; readonly tasks: TaskProgress };
}

/** Status of every imported plan. */
export interface StatusReport {
  readonly plans: ReadonlyArray<PlanStatusEntry>;
}

/** Status of one stored plan. */
export function statusOf(stored: StoredPlan): PlanStatusEntry {
  const plan = stored.plan;
  const phases = plan.phases.map((p) => ({
    id: p.id,
    title: p.title,
    status: p.status,
    checkboxes: phaseBoxes(p),
    tasks: taskProgress(p.tasks),
  }));
  const outside = { checkboxes: unphasedBoxes(plan), tasks: taskProgress(plan.tasks) };
  const allTasks = [...plan.tasks, ...plan.phases.flatMap((p) => p.tasks)];
  return {
    id: stored.id,
    title: plan.title,
    path: stored.path,
    version: stored.version,
    importedAt: stored.importedAt,
    repairedFrom: plan.repairedFrom,
    phases,
    unphased: outside.checkboxes.total + outside.tasks.total > 0 ? outside : null,
    totals: {
      checkboxes: addBoxes(outside.checkboxes, ...phases.map((p) => p.checkboxes)),
      tasks: taskProgress(allTasks),
    },
  };
}

/**
 * Progress of every imported plan, per phase: checked/total checkboxes and done/total tasks.
 *
 * @example
 * for (const p of (await planStatus(ws)).plans) console.log(p.title, p.totals.tasks);
 */
export async function planStatus(ws: Workspace): Promise<StatusReport> {
  return { plans: (await ws.store.plans.list()).map(statusOf) };
}

/** A task that can be started now. */
export interface ReadyTask {
  readonly planId: string;
  readonly phaseId: string | null;
  readonly phaseTitle: string | null;
  readonly id: string;
  readonly title: string;
  readonly label: string | null;
  readonly status: TaskStatus;
  readonly owners: ReadonlyArray<string>;
  readonly estimate: Estimate | null;
  readonly priority: string | null;
  readonly checkboxes: CheckboxProgress;
}

const CLOSED_PHASES: ReadonlySet<PhaseStatus> = new Set(['done', 'deferred', 'blocked']);

function readyIn(planId: string, plan: Plan): ReadyTask[] {
  const groups = [
    { phase: null, tasks: plan.tasks },
    ...plan.phases.map((p) => ({ phase: p, tasks: p.tasks })),
  ];
  const all = groups.flatMap((g) => g.tasks);
  const state = new Map(all.map((t) => [t.id, taskState(t)] as const));
  const openChildren = new Set(
    all.filter((t) => t.parent !== undefined && state.get(t.id) !== 'done').map((t) => t.parent),
  );
  const ready = (t: Task): boolean => {
    const s = state.get(t.id);
    if (s !== 'open' && s !== 'in_progress') return false;
    if (openChildren.has(t.id)) return false;
    return t.dependsOn.every((d) => (state.get(d) ?? 'done') === 'done');
  };
  const out: ReadyTask[] = [];
  for (const { phase, tasks } of groups) {
    if (phase !== null && CLOSED_PHASES.has(phase.status)) continue;
    for (const t of tasks.filter(ready)) {
      out.push({
        planId,
        phaseId: phase?.id ?? null,
        phaseTitle: phase?.title ?? null,
        id: t.id,
        title: t.title,
        label: t.label ?? null,
        status: state.get(t.id) ?? t.status,
        owners: t.owners,
        estimate: t.estimate ?? null,
        priority: t.priority ?? null,
        checkboxes: taskBoxes(t),
      });
    }
  }
  return out;
}

/**
 * Tasks ready to start, in document order: not done, deferred or blocked, every dependency
 * done, no open sub-task, in a phase that is not closed.
 *
 * @example
 * const [first] = await nextTasks(ws);
 */
export async function nextTasks(ws: Workspace): Promise<ReadyTask[]> {
  return (await ws.store.plans.list()).flatMap((s) => readyIn(s.id, s.plan));
}
