/**
 * The one boundary every "mark done" made by an agent goes through. Today it reads the plan's
 * own checkboxes; the ledger's gate verdicts bind here (and nowhere else) once they exist.
 */
import type { Criterion, Phase, Task } from '../ir/schema.js';
import { phaseCriteria } from '../ir/walk.js';
import type { StoredPlan } from '../store/plan-store.js';
import type { Workspace } from './open.js';

/** Whether a task or phase may be marked done, and what holds it back. */
export interface DoneVerdict {
  readonly allowed: boolean;
  /** One line per blocking criterion: `phase-1/exit/ci-is-green: not checked`. */
  readonly blocking: ReadonlyArray<string>;
}

/** The node to mark done and the plan holding it. */
export interface DoneTarget {
  readonly stored: StoredPlan;
  readonly node: Task | Phase;
}

function blockingCriteria(criteria: Iterable<Criterion>): string[] {
  const out: string[] = [];
  for (const c of criteria) {
    if (c.checked === false) out.push(`${c.id}: not checked ("${c.text}")`);
    else if (c.status === 'blocked') out.push(`${c.id}: marked failing ("${c.text}")`);
  }
  return out;
}

/**
 * Decides whether `target` may be marked done: refused while any criterion of its gate (a
 * phase's exit, acceptance and task criteria; a task's own criteria) is unchecked or failing.
 *
 * @example
 * const { allowed, blocking } = await mayMarkDone(ws, { stored, node: phase });
 */
export function mayMarkDone(_ws: Workspace, target: DoneTarget): Promise<DoneVerdict> {
  const { node } = target;
  const blocking = blockingCriteria(node.kind === 'phase' ? phaseCriteria(node) : node.criteria);
  return Promise.resolve({ allowed: blocking.length === 0, blocking });
}
