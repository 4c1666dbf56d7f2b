/**
 * Closing the loop from "the steps ran" to "the plan says done". A task is *complete* when it
 * is not done in its plan, it has steps, the latest execution of each of them ran the command
 * the plan holds now and succeeded (a skipped step or a fallback that stood in does not count),
 * and every criterion of its own has a current passing verdict. What happens then is the
 * project's policy (`completion` in `.pulser/config.json`): `auto` marks it done in the
 * markdown, `propose` offers it for one click (Runboard, `pulser next`), `off` does neither.
 * Marking it done is a write-back (`plan.written`) followed by `task.completed`, which records
 * the evidence: the run, the steps and the verdicts.
 */
import { StateError, UsageError } from '../../errors/index.js';
import type { Task } from '../../ir/index.js';
import { allTasks } from '../../ir/walk.js';
import type { StoredPlan } from '../../store/plan-store.js';
import { mayMarkDone } from '../agents/agent-gate.js';
import type { Workspace } from '../open.js';
import { resolveNode } from '../resolve.js';
import { stepEvidence } from './task-evidence.js';
import { setStatus, type WriteResult } from '../plans/write-back.js';

/** A task that may be marked done, with why. */
export interface Completion {
  readonly planId: string;
  readonly taskId: string;
  readonly title: string;
  /** The run of its latest successful steps (the newest when they ran in several). */
  readonly runId: string;
  readonly steps: ReadonlyArray<string>;
  /** Its own criteria (each has a current passing verdict). */
  readonly criteria: ReadonlyArray<string>;
  /** Marks it done: `pulser set-status planId:taskId done`. */
  readonly command: string;
}

async function completionOf(
  ws: Workspace,
  stored: StoredPlan,
  task: Task,
): Promise<Completion | string> {
  if (task.status === 'done') return 'it is already done';
  const evidence = await stepEvidence(ws, stored, task);
  if (typeof evidence === 'string') return evidence;
  const gate = await mayMarkDone(ws, { stored, node: task });
  if (!gate.allowed) return `its criteria do not all pass: ${gate.blocking.join('; ')}`;
  return {
    planId: stored.id,
    taskId: task.id,
    title: task.title,
    runId: evidence.runId,
    steps: evidence.steps,
    criteria: task.criteria.map((c) => c.id),
    command: `pulser set-status ${stored.id}:${task.id} done`,
  };
}

/**
 * Tasks that may be marked done now (see the module comment), in plan and document order.
 *
 * @example
 * for (const c of await completions(ws)) console.log(c.command);
 */
export async function completions(ws: Workspace, planId?: string): Promise<Completion[]> {
  const plans =
    planId === undefined
      ? await ws.store.plans.list()
      : [await ws.store.plans.get(planId)].filter((p) => p !== null);
  const out: Completion[] = [];
  for (const stored of plans) {
    for (const task of allTasks(stored.plan)) {
      if (task.status === 'done' || task.steps.length === 0) continue;
      const c = await completionOf(ws, stored, task);
      if (typeof c !== 'string') out.push(c);
    }
  }
  return out;
}

/**
 * Marks a complete task done in its plan (a write-back) and records `task.completed` with the
 * evidence; refuses, saying why, when the task is not complete.
 *
 * @example
 * await completeTask(ws, 'demo:task-1', 'user:ana');
 */
export async function completeTask(
  ws: Workspace,
  ref: string,
  actor: string,
  how: 'auto' | 'accepted' = 'accepted',
): Promise<WriteResult & { readonly completion: Completion }> {
  const { stored, node } = await resolveNode(ws, ref);
  if (node.kind !== 'task') {
    throw new UsageError(`${ref} is a ${node.kind}, not a task`, {
      hint: 'only a task is completed from its steps; set a phase with `pulser set-status`',
    });
  }
  const c = await completionOf(ws, stored, node);
  if (typeof c === 'string') {
    throw new StateError(`${stored.id}:${node.id} is not complete: ${c}`, {
      hint: `run it (\`pulser run ${stored.id}:${node.id}\`) and check it (\`pulser check ${stored.id}:${node.id}\`), or set its status by hand (\`pulser set-status ${stored.id}:${node.id} done\`)`,
    });
  }
  const written = await setStatus(ws, `${stored.id}:${node.id}`, 'done', actor);
  await ws.store.events.append({
    type: 'task.completed',
    actor,
    subject: node.id,
    data: { ...c, policy: how, version: written.version },
  });
  return { ...written, completion: c };
}

/**
 * Applies the workspace's completion policy after runs ended: with `auto`, marks every complete
 * task done (as `actor`); with `propose`, lists them; with `off`, does nothing. A task whose
 * write-back fails (the file changed meanwhile) stays proposed.
 */
export async function closeLoop(
  ws: Workspace,
  actor: string,
  planId?: string,
): Promise<{ readonly completed: Completion[]; readonly proposed: Completion[] }> {
  const policy = ws.config.completion;
  if (policy === 'off') return { completed: [], proposed: [] };
  const found = await completions(ws, planId);
  if (policy === 'propose') return { completed: [], proposed: found };
  const completed: Completion[] = [];
  const proposed: Completion[] = [];
  for (const c of found) {
    try {
      await completeTask(ws, `${c.planId}:${c.taskId}`, actor, 'auto');
      completed.push(c);
    } catch {
      proposed.push(c);
    }
  }
  return { completed, proposed };
}
