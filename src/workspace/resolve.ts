/**
 * Finding a node of an imported plan by ID (`phase-n4/task-2`, `plan:phase-n4`), by a task's
 * label (`T-022`, `lift-sys-62`), with close IDs suggested when nothing matches.
 */
import { NotFoundError, UsageError } from '../errors/index.js';
import type { ChecklistItem, Decision, MetricTarget, Phase, Plan, Task } from '../ir/schema.js';
import { indexPlan, type PlanNode } from '../ir/walk.js';
import type { PlanNodeRef, StoredPlan } from '../store/plan-store.js';
import type { Workspace } from './open.js';

/** Any node `resolveNode` can return. */
export type AnyNode = PlanNode | MetricTarget | Decision;

/** A node found in a stored plan, with the phase and task that hold it. */
export interface ResolvedNode {
  readonly stored: StoredPlan;
  readonly node: AnyNode;
  readonly phase: Phase | null;
  readonly task: Task | null;
}

function holders(plan: Plan, id: string): { phase: Phase | null; task: Task | null } {
  const inItems = (items: ReadonlyArray<ChecklistItem>): boolean =>
    items.some((i) => i.id === id || inItems(i.children));
  const inTask = (t: Task): boolean =>
    inItems(t.checklist) || t.criteria.some((c) => c.id === id) || t.steps.some((s) => s.id === id);
  for (const phase of plan.phases) {
    if (phase.id === id) return { phase: null, task: null };
    for (const t of phase.tasks) {
      if (t.id === id) return { phase, task: null };
      if (inTask(t)) return { phase, task: t };
    }
    if (
      inItems(phase.checklist) ||
      phase.criteria.some((c) => c.id === id) ||
      phase.steps.some((s) => s.id === id)
    ) {
      return { phase, task: null };
    }
  }
  for (const t of plan.tasks) if (t.id !== id && inTask(t)) return { phase: null, task: t };
  return { phase: null, task: null };
}

/** Every node of `plan` keyed by ID, metrics and decisions included. */
export function nodeIndex(plan: Plan): Map<string, AnyNode> {
  const index: Map<string, AnyNode> = indexPlan(plan);
  for (const m of plan.metrics) if (!index.has(m.id)) index.set(m.id, m);
  for (const d of plan.decisions) if (!index.has(d.id)) index.set(d.id, d);
  return index;
}

function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] ?? 0;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] ?? 0;
      prev[j] = Math.min(up + 1, (prev[j - 1] ?? 0) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length] ?? 0;
}

/** Up to `max` IDs close to `wanted`, best first. */
export function closeIds(wanted: string, refs: ReadonlyArray<PlanNodeRef>, max = 3): string[] {
  const w = wanted.toLowerCase();
  const scored = refs.map((r) => {
    const id = r.nodeId;
    const last = id.slice(id.lastIndexOf('/') + 1);
    let score = Math.min(distance(w, id), distance(w, last) + 1);
    if (id.includes(w) || (w.length >= 3 && w.includes(last))) score = Math.min(score, 1);
    return { id, score };
  });
  const limit = Math.max(2, Math.floor(w.length / 3));
  const seen = new Set<string>();
  return scored
    .filter((s) => s.score <= limit)
    .sort((a, b) => a.score - b.score || a.id.localeCompare(b.id))
    .filter((s) => !seen.has(s.id) && seen.add(s.id))
    .slice(0, max)
    .map((s) => s.id);
}

function byLabel(plans: ReadonlyArray<StoredPlan>, ref: string): PlanNodeRef[] {
  const key = ref.toLowerCase();
  const found: PlanNodeRef[] = [];
  for (const s of plans) {
    const tasks = [...s.plan.tasks, ...s.plan.phases.flatMap((p) => p.tasks)];
    for (const t of tasks) {
      if (t.label?.toLowerCase() === key || t.externalIds.some((x) => x.toLowerCase() === key)) {
        found.push({ planId: s.id, nodeId: t.id, kind: 'task', title: t.title });
      }
    }
    for (const p of s.plan.phases) {
      if (p.label !== undefined && `${p.phaseKind}-${p.label}`.toLowerCase() === key) {
        found.push({ planId: s.id, nodeId: p.id, kind: 'phase', title: p.title });
      }
    }
  }
  return found;
}

/**
 * Find the node `ref` names: a node ID, `planId:nodeId` when several plans are imported, or a
 * task's label. Throws NotFoundError (suggesting close IDs) or UsageError (ambiguous).
 */
export async function resolveNode(ws: Workspace, ref: string): Promise<ResolvedNode> {
  const trimmed = ref.trim();
  const colon = trimmed.indexOf(':');
  let planId: string | null = null;
  let nodeId = trimmed;
  if (colon > 0) {
    const candidate = trimmed.slice(0, colon);
    if ((await ws.store.plans.get(candidate)) !== null) {
      planId = candidate;
      nodeId = trimmed.slice(colon + 1);
    }
  }
  let refs = (await ws.store.plans.findNodes(nodeId)).filter(
    (r) => planId === null || r.planId === planId,
  );
  if (refs.length === 0) {
    const plans = await ws.store.plans.list();
    if (plans.length === 0) {
      throw new NotFoundError('no plan has been imported in this workspace yet', {
        hint: 'run `pulser import PLAN.md` first',
      });
    }
    refs = byLabel(
      plans.filter((p) => planId === null || p.id === planId),
      nodeId,
    );
  }
  const planIds = [...new Set(refs.map((r) => r.planId))];
  if (planIds.length > 1) {
    throw new UsageError(`${ref} exists in several plans: ${planIds.join(', ')}`, {
      hint: `name the plan: ${planIds.map((p) => `${p}:${nodeId}`).join(' or ')}`,
    });
  }
  const first = refs[0];
  if (first === undefined) {
    const close = closeIds(
      nodeId,
      (await ws.store.plans.nodeIds()).filter((r) => planId === null || r.planId === planId),
    );
    throw new NotFoundError(`no node with ID ${ref}`, {
      hint:
        close.length > 0
          ? `did you mean ${close.join(', ')}?`
          : 'run `pulser status` to see the IDs of phases, or `pulser show PHASE-ID` to see the IDs inside one',
    });
  }
  const stored = await ws.store.plans.get(first.planId);
  const node = stored === null ? undefined : nodeIndex(stored.plan).get(first.nodeId);
  if (stored === null || node === undefined) {
    throw new NotFoundError(`no node with ID ${ref}`, { hint: 're-import the plan' });
  }
  return { stored, node, ...holders(stored.plan, first.nodeId) };
}
