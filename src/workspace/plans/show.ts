/**
 * `showNode`: one node of an imported plan, where it stands, and what holds it.
 */
import type { Workspace } from '../open.js';
import {
  phaseBoxes,
  taskBoxes,
  taskProgress,
  taskState,
  type CheckboxProgress,
  type TaskProgress,
} from '../progress.js';
import { resolveNode, type AnyNode } from '../resolve.js';

/** What {@link showNode} returns. */
export interface ShowResult {
  readonly planId: string;
  readonly planTitle: string;
  /** `path:line:column` of the node in its document. */
  readonly location: string;
  readonly kind: AnyNode['kind'];
  readonly id: string;
  readonly phase: { readonly id: string; readonly title: string } | null;
  readonly task: { readonly id: string; readonly title: string } | null;
  /** For phases and tasks: checkbox and task progress. */
  readonly progress: {
    readonly checkboxes: CheckboxProgress;
    readonly tasks?: TaskProgress;
  } | null;
  /** The node as the IR holds it. */
  readonly node: AnyNode;
}

/**
 * Show the node `ref` names (any ID, `planId:nodeId`, or a task label).
 *
 * @example
 * const { node, location } = await showNode(ws, 'phase-n4');
 */
export async function showNode(ws: Workspace, ref: string): Promise<ShowResult> {
  const { stored, node, phase, task } = await resolveNode(ws, ref);
  const pos = node.kind === 'plan' ? { line: 1, column: 1 } : node.pos;
  let progress: ShowResult['progress'] = null;
  if (node.kind === 'phase') {
    progress = { checkboxes: phaseBoxes(node), tasks: taskProgress(node.tasks) };
  } else if (node.kind === 'task') {
    progress = {
      checkboxes: taskBoxes(node),
      tasks: { done: taskState(node) === 'done' ? 1 : 0, total: 1 },
    };
  }
  return {
    planId: stored.id,
    planTitle: stored.plan.title,
    location: `${stored.path}:${pos.line}:${pos.column}`,
    kind: node.kind,
    id: node.kind === 'plan' ? stored.id : node.id,
    phase: phase === null ? null : { id: phase.id, title: phase.title },
    task: task === null ? null : { id: task.id, title: task.title },
    progress,
    node,
  };
}
