/**
 * What an agent may change in a plan, under the same rules as the CLI and the Runboard, plus
 * its own: never a task another agent holds, never a criterion (criteria are verified or signed
 * off, not ticked by the agent doing the work), never "done" while the gate fails per the
 * ledger (`agent-gate.ts`).
 */
import { StateError, UsageError } from '../../errors/index.js';
import type { TaskStatus } from '../../ir/schema.js';
import { mayMarkDone } from './agent-gate.js';
import { assertNotClaimedByOther } from '../runs/claims.js';
import type { Workspace } from '../open.js';
import { resolveNode } from '../resolve.js';
import { checkItem, setStatus, uncheckItem, type WriteResult } from '../plans/write-back.js';

/** What an agent's write did, and whether it ended the agent's claim. */
export interface AgentWriteResult extends WriteResult {
  /** True when the write released the agent's claim on the task (it is done or deferred). */
  readonly released: boolean;
}

/**
 * Sets the status of task or phase `ref` for `agent`. Refused (StateError) when another agent
 * holds the task, or when `status` is `done` and {@link mayMarkDone} says no. Marking a task
 * done or deferred releases the agent's claim on it.
 *
 * @example
 * await agentSetStatus(ws, 'lift-sys-62', 'done', 'agent:claude');
 */
export async function agentSetStatus(
  ws: Workspace,
  ref: string,
  status: TaskStatus,
  agent: string,
): Promise<AgentWriteResult> {
  const { stored, node } = await resolveNode(ws, ref);
  if (node.kind !== 'task' && node.kind !== 'phase') {
    throw new UsageError(`${ref} is a ${node.kind}, not a task or phase`, {
      hint: node.kind === 'item' ? 'use pulser_check_item for checklist items' : 'give a task ID',
    });
  }
  if (node.kind === 'task') await assertNotClaimedByOther(ws, stored.id, node.id, agent);
  if (status === 'done') {
    const verdict = await mayMarkDone(ws, { stored, node });
    if (!verdict.allowed) {
      throw new StateError(
        `cannot mark ${node.kind} ${node.id} done: its gate fails (${verdict.blocking.join('; ')})`,
        {
          file: stored.path,
          line: node.pos.line,
          blocking: verdict.blocking,
          hint: 'criteria are verified by their verifiers or signed off by an approver; run pulser_run_checks to record fresh verdicts, or report progress and leave the task open',
        },
      );
    }
  }
  const result = await setStatus(ws, ref, status, agent);
  let released = false;
  if (node.kind === 'task' && (status === 'done' || status === 'deferred')) {
    const claim = await ws.store.claims.release({
      planId: stored.id,
      taskId: node.id,
      agent,
      reason: status === 'done' ? 'done' : 'released',
    });
    released = claim !== null;
  }
  return { ...result, released };
}

/**
 * Checks (or unchecks) checklist item `ref` for `agent`. Refused for criteria, and for items
 * of a task another agent holds.
 */
export async function agentCheckItem(
  ws: Workspace,
  ref: string,
  checked: boolean,
  agent: string,
): Promise<WriteResult> {
  const { stored, node, task } = await resolveNode(ws, ref);
  if (node.kind === 'criterion') {
    throw new StateError(`${node.id} is a criterion; an agent cannot check it`, {
      file: stored.path,
      line: node.pos.line,
      hint: 'criteria are decided by their verifiers or signed off by an approver',
    });
  }
  if (node.kind !== 'item') {
    throw new UsageError(`${ref} is a ${node.kind}, not a checklist item`, {
      hint: node.kind === 'task' ? 'use pulser_set_status for tasks' : 'give a checklist item ID',
    });
  }
  if (task !== null) await assertNotClaimedByOther(ws, stored.id, task.id, agent);
  return checked ? checkItem(ws, ref, agent) : uncheckItem(ws, ref, agent);
}
