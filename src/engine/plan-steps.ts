/**
 * From a plan node to the steps of a run: which steps a target holds, in which order, on which
 * lane, and what each waits for. The rules:
 *
 * - a task's steps run one after another, in document order; so do the loose steps of a phase
 *   or of the plan (each such list is a *group*);
 * - a task's first step waits for the last step of every task it depends on (`dependsOn`) that
 *   is in the run; a dependency outside the run must be `done` in the plan (else it is
 *   reported as unmet);
 * - running a whole plan, a phase's groups wait for the previous phase's groups (phases are
 *   sequential), except that `stream` phases run side by side; the plan's loose steps go first;
 * - a step's lane is its own, else its task's, else the run's.
 */
import { UsageError } from '../errors/index.js';
import type { Phase, Plan, Step, Task } from '../ir/schema.js';
import type { NewStep, StepSpec } from '../store/run-store.js';

/** A node a run may target. */
export type RunnableNode = Plan | Phase | Task | Step;

/** What `planRunSteps` returns. */
export interface PlannedSteps {
  readonly steps: ReadonlyArray<NewStep>;
  /** Dependencies outside the run that the plan does not mark done: `taskId → depId`. */
  readonly unmet: ReadonlyArray<{ readonly task: string; readonly dependsOn: string }>;
}

interface Group {
  readonly steps: ReadonlyArray<Step>;
  readonly task: Task | null;
  /** Index of the phase in the plan (-1: the plan itself). */
  readonly phase: number;
}

/** The spec of a plan step, with its provenance; document steps are gated by trust. */
export function specOfStep(
  plan: Plan,
  planId: string,
  planSha256: string,
  step: Step,
  lane: string,
): StepSpec {
  const provenance = { planId, planSha256, nodeId: step.id };
  let fallback: StepSpec | undefined;
  if (step.fallback !== undefined) {
    const target = findStep(plan, step.fallback);
    if (target !== undefined) {
      fallback = {
        title: target.title,
        tool: target.tool,
        input: target.input,
        language: target.language,
        lane: target.lane ?? lane,
        provenance: { planId, planSha256, nodeId: target.id },
        ...(target.timeoutMs === undefined ? {} : { timeoutMs: target.timeoutMs }),
      };
    }
  }
  return {
    title: step.title,
    tool: step.tool,
    input: step.input,
    language: step.language,
    lane,
    approval: 'auto',
    provenance,
    ...(step.timeoutMs === undefined ? {} : { timeoutMs: step.timeoutMs }),
    ...(step.retry === undefined ? {} : { retry: step.retry }),
    ...(fallback === undefined ? {} : { fallback }),
  };
}

function findStep(plan: Plan, id: string): Step | undefined {
  const all = [
    ...plan.steps,
    ...plan.tasks.flatMap((t) => t.steps),
    ...plan.phases.flatMap((p) => [...p.steps, ...p.tasks.flatMap((t) => t.steps)]),
  ];
  return all.find((s) => s.id === id);
}

function groupsOf(plan: Plan, node: RunnableNode): Group[] {
  const phaseIndex = (p: Phase): number => plan.phases.indexOf(p);
  const taskGroups = (tasks: ReadonlyArray<Task>, phase: number): Group[] =>
    tasks.map((t) => ({ steps: t.steps, task: t, phase }));
  switch (node.kind) {
    case 'plan':
      return [
        { steps: plan.steps, task: null, phase: -1 },
        ...taskGroups(plan.tasks, -1),
        ...plan.phases.flatMap((p, i) => [
          { steps: p.steps, task: null, phase: i },
          ...taskGroups(p.tasks, i),
        ]),
      ];
    case 'phase':
      return [
        { steps: node.steps, task: null, phase: phaseIndex(node) },
        ...taskGroups(node.tasks, phaseIndex(node)),
      ];
    case 'task': {
      const phase = plan.phases.findIndex((p) => p.tasks.includes(node));
      const siblings = phase >= 0 ? plan.phases[phase]!.tasks : plan.tasks;
      const children = siblings.filter((t) => t.parent === node.id);
      return [...taskGroups(children, phase), { steps: node.steps, task: node, phase }];
    }
    case 'step':
      return [{ steps: [node], task: null, phase: -1 }];
    default: {
      const never: never = node;
      throw new Error(`not runnable: ${String(never)}`);
    }
  }
}

function taskStatus(plan: Plan, id: string): string | undefined {
  const all = [...plan.tasks, ...plan.phases.flatMap((p) => p.tasks)];
  return all.find((t) => t.id === id)?.status;
}

/** Groups in an order where every group comes after the groups it waits for (stable). */
function topoOrder(groups: ReadonlyArray<Group>, deps: Map<Group, Set<Group>>): Group[] {
  const out: Group[] = [];
  const state = new Map<Group, 'visiting' | 'done'>();
  const visit = (g: Group, path: Group[]): void => {
    const s = state.get(g);
    if (s === 'done') return;
    if (s === 'visiting') {
      const names = [...path, g].map((x) => x.task?.id ?? 'steps').join(' -> ');
      throw new UsageError(`tasks depend on each other in a cycle: ${names}`, {
        hint: 'fix the dependencies in the plan, or run the tasks one at a time',
      });
    }
    state.set(g, 'visiting');
    for (const d of deps.get(g) ?? []) visit(d, [...path, g]);
    state.set(g, 'done');
    out.push(g);
  };
  for (const g of groups) visit(g, []);
  return out;
}

/**
 * The steps of a run of `node`, with their order and dependencies.
 * @example const { steps } = planRunSteps(stored.plan, stored.id, stored.sha256, phase, 'main');
 */
export function planRunSteps(
  plan: Plan,
  planId: string,
  planSha256: string,
  node: RunnableNode,
  runLane: string,
  taskOfStep: Task | null = null,
): PlannedSteps {
  const groups = groupsOf(plan, node).filter((g) => g.steps.length > 0);
  const byTask = new Map<string, Group>();
  for (const g of groups) if (g.task !== null) byTask.set(g.task.id, g);
  const unmet: Array<{ task: string; dependsOn: string }> = [];
  const deps = new Map<Group, Set<Group>>();
  for (const g of groups) {
    const set = new Set<Group>();
    for (const dep of g.task?.dependsOn ?? []) {
      const other = byTask.get(dep);
      if (other !== undefined && other !== g) set.add(other);
      else if (other === undefined && taskStatus(plan, dep) !== 'done') {
        unmet.push({ task: g.task!.id, dependsOn: dep });
      }
    }
    if (node.kind === 'plan' && g.phase >= 0 && plan.phases[g.phase]?.phaseKind !== 'stream') {
      const prev = previousPhase(groups, g.phase);
      for (const other of groups) {
        if (other.phase === -1 || (other.phase === prev && prev >= 0)) {
          if (plan.phases[other.phase]?.phaseKind !== 'stream') set.add(other);
        }
      }
    }
    deps.set(g, set);
  }
  const steps: NewStep[] = [];
  const last = new Map<Group, number>();
  for (const g of topoOrder(groups, deps)) {
    g.steps.forEach((s, i) => {
      const lane = s.lane ?? g.task?.lane ?? taskOfStep?.lane ?? runLane;
      const spec = specOfStep(plan, planId, planSha256, s, lane);
      const index = steps.length;
      const after =
        i === 0
          ? [...(deps.get(g) ?? [])].map((d) => last.get(d)!).sort((a, b) => a - b)
          : [index - 1];
      steps.push({ spec, lane, after });
      last.set(g, index);
    });
  }
  return { steps, unmet };
}

/** The nearest earlier phase index that has steps in the run, or -1. */
function previousPhase(groups: ReadonlyArray<Group>, phase: number): number {
  let best = -1;
  for (const g of groups) if (g.phase < phase && g.phase > best) best = g.phase;
  return best;
}
