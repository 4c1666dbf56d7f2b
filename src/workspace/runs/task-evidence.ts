/**
 * Whether a task's work ran: the latest execution of each of its steps ran the command the plan
 * holds now and succeeded. A skipped step, or a failure a fallback stood in for, does not count.
 */
import type { Task } from '../../ir/index.js';
import { planRunSteps } from '../../engine/plan-steps.js';
import type { StoredPlan } from '../../store/plan-store.js';
import { specDigest } from '../../store/authority.js';
import type { Workspace } from '../open.js';

/**
 * Whether the task's steps all succeeded at their current commands: the run and step IDs, or
 * why not ("its step phase-1/task-2/step-1 is failed (run-ab12.3)").
 */
export async function stepEvidence(
  ws: Workspace,
  stored: StoredPlan,
  task: Task,
): Promise<{ readonly runId: string; readonly steps: ReadonlyArray<string> } | string> {
  const planned = planRunSteps(stored.plan, stored.id, stored.sha256, task, 'main', task).steps;
  if (planned.length === 0) return 'it has no steps';
  const nodes = planned.map((s) => s.spec.provenance!.nodeId);
  const latest = new Map(
    (await ws.store.runs.latestStepsOf(stored.id, nodes)).map((s) => [s.nodeId, s]),
  );
  const ids: string[] = [];
  let runId = '';
  let newest = -1;
  for (const [i, p] of planned.entries()) {
    const ran = latest.get(nodes[i]!);
    if (ran === undefined) return `its step ${nodes[i]} has not run`;
    if (ran.digest !== specDigest(p.spec))
      return `its step ${nodes[i]} has not run since its command changed`;
    if (ran.state !== 'succeeded')
      return `its step ${nodes[i]} is ${ran.state.replace('_', ' ')} (${ran.id})`;
    ids.push(ran.id);
    const at = Date.parse(ran.finishedAt ?? '');
    if (at > newest) {
      newest = at;
      runId = ran.runId;
    }
  }
  return { runId, steps: ids };
}
