/**
 * A plan's task dependency graph (what is done, running, waiting for a person, blocked and
 * ready, with dependencies by title) and one task's history across runs: its step executions
 * and the events recorded about it.
 */
import { NotFoundError } from '../../errors/index.js';
import type { Plan, Task } from '../../ir/schema.js';
import type { StoredEvent } from '../../store/events.js';
import type { RunRecord, StepRecord } from '../../store/run-store.js';
import { taskState } from '../progress.js';
import type { Workspace } from '../open.js';

/** A task's state in the graph: the document's status joined with its latest steps. */
export type GraphState =
  'done' | 'running' | 'waiting' | 'failed' | 'blocked' | 'ready' | 'deferred';

/** A task of the graph. */
export interface GraphNode {
  readonly id: string;
  readonly title: string;
  readonly phaseId: string | null;
  readonly phaseTitle: string | null;
  /** The document's status (open, in_progress, done, blocked, deferred). */
  readonly status: string;
  readonly state: GraphState;
  /** Why it is blocked or waiting, in words. */
  readonly why: string | null;
  readonly dependsOn: ReadonlyArray<{ readonly id: string; readonly title: string }>;
  /** The run of its latest step, when its steps ran. */
  readonly runId: string | null;
}

/** A plan's task graph. */
export interface TaskGraph {
  readonly planId: string;
  readonly title: string;
  readonly nodes: ReadonlyArray<GraphNode>;
}

function tasksOf(
  plan: Plan,
): Array<{ task: Task; phaseId: string | null; phaseTitle: string | null }> {
  return [
    ...plan.tasks.map((task) => ({ task, phaseId: null, phaseTitle: null })),
    ...plan.phases.flatMap((p) =>
      p.tasks.map((task) => ({ task, phaseId: p.id, phaseTitle: p.title })),
    ),
  ];
}

async function storedPlan(ws: Workspace, planId: string) {
  const stored = await ws.store.plans.get(planId);
  if (stored === null) {
    throw new NotFoundError(`no plan ${planId}`, { hint: 'list plans with GET /plans' });
  }
  return stored;
}

const ACTIVE = new Set(['queued', 'leased', 'running']);
const PERSON = new Set(['awaiting_approval', 'quarantined']);
const BAD = new Set(['failed', 'timed_out', 'cancelled']);

/** The task dependency graph of a plan. */
export async function taskGraph(ws: Workspace, planId: string): Promise<TaskGraph> {
  const stored = await storedPlan(ws, planId);
  const all = tasksOf(stored.plan);
  const titles = new Map(all.map(({ task }) => [task.id, task.title]));
  const states = new Map(all.map(({ task }) => [task.id, taskState(task)]));
  // A run's steps are the plan's step nodes; each belongs to a task.
  const taskOfStep = new Map(all.flatMap(({ task }) => task.steps.map((s) => [s.id, task.id])));
  const latest = await ws.store.runs.latestStepsOf(stored.id, [...taskOfStep.keys()]);
  // The latest execution of each step decides what the task is doing now.
  const byNode = new Map<string, StepRecord[]>();
  for (const s of latest) {
    const task = s.nodeId === null ? undefined : taskOfStep.get(s.nodeId);
    if (task === undefined) continue;
    const list = byNode.get(task) ?? [];
    list.push(s);
    byNode.set(task, list);
  }
  const openChildren = new Set(
    all
      .filter(({ task }) => task.parent !== undefined && states.get(task.id) !== 'done')
      .map(({ task }) => task.parent),
  );
  const nodes = all.map(({ task, phaseId, phaseTitle }): GraphNode => {
    const status = states.get(task.id) ?? task.status;
    const steps = byNode.get(task.id) ?? [];
    const unmet = task.dependsOn.filter((d) => (states.get(d) ?? 'done') !== 'done');
    let state: GraphState;
    let why: string | null = null;
    if (status === 'done') state = 'done';
    else if (status === 'deferred') state = 'deferred';
    else if (steps.some((s) => PERSON.has(s.state))) {
      state = 'waiting';
      why = steps.some((s) => s.state === 'quarantined')
        ? 'a step is quarantined: a person retries, skips or aborts it'
        : 'a step waits for an approval';
    } else if (steps.some((s) => ACTIVE.has(s.state))) state = 'running';
    else if (status === 'blocked') {
      state = 'blocked';
      why = 'marked blocked in the plan';
    } else if (unmet.length > 0) {
      state = 'blocked';
      why = `waits for ${unmet.map((d) => titles.get(d) ?? d).join(', ')}`;
    } else if (openChildren.has(task.id)) {
      state = 'blocked';
      why = 'has sub-tasks not done';
    } else if (steps.some((s) => BAD.has(s.state))) {
      state = 'failed';
      why = 'its latest steps failed';
    } else {
      state = 'ready';
      if (
        steps.length > 0 &&
        steps.every((s) => s.state === 'succeeded' || s.state === 'skipped')
      ) {
        why = steps.some((s) => s.state === 'skipped')
          ? 'its steps ended, some skipped: not done in the plan'
          : 'its steps succeeded: not marked done in the plan yet';
      }
    }
    return {
      id: task.id,
      title: task.title,
      phaseId,
      phaseTitle,
      status,
      state,
      why,
      dependsOn: task.dependsOn.map((d) => ({ id: d, title: titles.get(d) ?? d })),
      runId: steps[0]?.runId ?? null,
    };
  });
  return { planId: stored.id, title: stored.plan.title, nodes };
}

/** One execution of a task's step, with its run. */
export interface TaskExecution {
  readonly run: Pick<RunRecord, 'id' | 'title' | 'status' | 'requestedBy' | 'createdAt'>;
  readonly step: Pick<
    StepRecord,
    'id' | 'title' | 'state' | 'attempts' | 'exitCode' | 'error' | 'startedAt' | 'finishedAt'
  >;
}

/** A task's history across runs. */
export interface TaskHistory {
  readonly planId: string;
  readonly planTitle: string;
  readonly id: string;
  readonly title: string;
  readonly status: string;
  /** Executions of its steps, newest run first. */
  readonly executions: ReadonlyArray<TaskExecution>;
  /** Events recorded about it (completions, claims, progress, write-backs), oldest first. */
  readonly events: ReadonlyArray<Pick<StoredEvent, 'seq' | 'ts' | 'type' | 'actor' | 'data'>>;
}

/** Runs read for a task's history. */
const HISTORY_RUNS = 1000;

/** The history of task `nodeId` of plan `planId`. */
export async function taskHistory(
  ws: Workspace,
  planId: string,
  nodeId: string,
): Promise<TaskHistory> {
  const stored = await storedPlan(ws, planId);
  const found = tasksOf(stored.plan).find(({ task }) => task.id === nodeId);
  if (found === undefined) {
    throw new NotFoundError(`no task ${nodeId} in plan ${stored.id}`, {
      hint: 'the plan page lists its tasks',
    });
  }
  const executions: TaskExecution[] = [];
  const stepIds = new Set(found.task.steps.map((s) => s.id));
  const runs = await ws.store.runs.listRuns({ archived: true, limit: HISTORY_RUNS });
  for (const run of stepIds.size === 0 ? [] : runs) {
    if (run.target === null || run.target.planId !== stored.id) continue;
    for (const s of await ws.store.runs.listSteps(run.id)) {
      if (s.planId !== stored.id || s.nodeId === null || !stepIds.has(s.nodeId)) continue;
      executions.push({
        run: {
          id: run.id,
          title: run.title,
          status: run.status,
          requestedBy: run.requestedBy,
          createdAt: run.createdAt,
        },
        step: {
          id: s.id,
          title: s.title,
          state: s.state,
          attempts: s.attempts,
          exitCode: s.exitCode,
          error: s.error,
          startedAt: s.startedAt,
          finishedAt: s.finishedAt,
        },
      });
    }
  }
  const about = await ws.store.events.read({ subject: nodeId, limit: 10_000 });
  const written = await ws.store.events.read({
    types: ['plan.written'],
    subject: stored.id,
    limit: 10_000,
  });
  const events = [
    ...about.filter((e) => {
      const p = (e.data as { planId?: unknown } | null)?.planId;
      return p === undefined || p === stored.id;
    }),
    ...written.filter((e) => (e.data as { nodeId?: unknown } | null)?.nodeId === nodeId),
  ]
    .sort((a, b) => a.seq - b.seq)
    .map(({ seq, ts, type, actor, data }) => ({ seq, ts, type, actor, data }));
  return {
    planId: stored.id,
    planTitle: stored.plan.title,
    id: nodeId,
    title: found.task.title,
    status: taskState(found.task),
    executions,
    events,
  };
}
