/**
 * `diffPlans`: what changed between two compiled versions of a plan. IDs are derived from the
 * document's structure, so a node with the same ID in both versions is the same node.
 */
import type { Plan } from './schema.js';
import { allSteps, allTasks, flattenItems } from './walk.js';

/** The kinds of node a diff reports. */
export type DiffKind = 'phase' | 'task' | 'item' | 'criterion' | 'step' | 'metric' | 'decision';

/** The fields whose change a diff reports. */
export type DiffField =
  'title' | 'status' | 'checked' | 'digest' | 'language' | 'verifier' | 'target';

/** A node present in only one of the two versions. */
export interface DiffEntry {
  readonly id: string;
  readonly kind: DiffKind;
  readonly title: string;
}

/** One field of a node that differs between the versions. */
export interface FieldChange {
  readonly field: DiffField;
  readonly from: string | boolean | null;
  readonly to: string | boolean | null;
}

/** A node present in both versions whose reported fields differ. */
export interface ChangedEntry extends DiffEntry {
  readonly changes: ReadonlyArray<FieldChange>;
}

/** Counts of a {@link PlanDiff}, small enough for an event. */
export interface DiffSummary {
  readonly added: number;
  readonly removed: number;
  readonly changed: number;
  readonly unchanged: number;
}

/** What was added, removed and changed between two versions of a plan, in document order. */
export interface PlanDiff {
  readonly added: ReadonlyArray<DiffEntry>;
  readonly removed: ReadonlyArray<DiffEntry>;
  readonly changed: ReadonlyArray<ChangedEntry>;
  readonly unchanged: number;
}

interface Facts {
  readonly kind: DiffKind;
  readonly title: string;
  readonly fields: Readonly<Partial<Record<DiffField, string | boolean | null>>>;
}

/** Every node of the plan with the facts a diff compares, keyed by ID, in document order. */
function nodeFacts(plan: Plan): Map<string, Facts> {
  const out = new Map<string, Facts>();
  const add = (id: string, facts: Facts): void => {
    if (!out.has(id)) out.set(id, facts);
  };
  for (const phase of plan.phases) {
    add(phase.id, { kind: 'phase', title: phase.title, fields: { status: phase.status } });
  }
  for (const task of allTasks(plan)) {
    add(task.id, { kind: 'task', title: task.title, fields: { status: task.status } });
  }
  const lists = [
    plan.checklist,
    ...plan.tasks.map((t) => t.checklist),
    ...plan.phases.flatMap((p) => [p.checklist, ...p.tasks.map((t) => t.checklist)]),
  ];
  for (const list of lists) {
    for (const item of flattenItems(list)) {
      add(item.id, { kind: 'item', title: item.text, fields: { checked: item.checked } });
    }
  }
  const criteria = [
    ...plan.criteria,
    ...plan.tasks.flatMap((t) => t.criteria),
    ...plan.phases.flatMap((p) => [...p.criteria, ...p.tasks.flatMap((t) => t.criteria)]),
  ];
  for (const c of criteria) {
    add(c.id, {
      kind: 'criterion',
      title: c.text,
      fields: {
        checked: c.checked ?? null,
        status: c.status ?? null,
        verifier: c.annotation ?? (c.verifier === undefined ? null : JSON.stringify(c.verifier)),
      },
    });
  }
  for (const step of allSteps(plan)) {
    add(step.id, {
      kind: 'step',
      title: step.title,
      fields: { digest: step.digest, language: step.language },
    });
  }
  for (const m of plan.metrics) {
    add(m.id, { kind: 'metric', title: m.name, fields: { target: m.target } });
  }
  for (const d of plan.decisions) {
    add(d.id, {
      kind: 'decision',
      title: d.title,
      fields: { target: d.recommended ?? d.recommendation ?? null },
    });
  }
  return out;
}

function changesOf(before: Facts, after: Facts): FieldChange[] {
  const changes: FieldChange[] = [];
  if (before.title !== after.title) {
    changes.push({ field: 'title', from: before.title, to: after.title });
  }
  for (const field of ['status', 'checked', 'digest', 'language', 'verifier', 'target'] as const) {
    const from = before.fields[field] ?? null;
    const to = after.fields[field] ?? null;
    if (from !== to) changes.push({ field, from, to });
  }
  return changes;
}

/**
 * Compare two versions of a plan node by node (phases, tasks, checklist items, criteria, steps,
 * metrics, decisions). `before` null means a first import: everything is added.
 *
 * @example
 * const diff = diffPlans(stored.plan, compiled.plan);
 * diff.changed.map((c) => `${c.id}: ${c.changes.map((x) => x.field).join(', ')}`);
 */
export function diffPlans(before: Plan | null, after: Plan): PlanDiff {
  const old = before === null ? new Map<string, Facts>() : nodeFacts(before);
  const next = nodeFacts(after);
  const added: DiffEntry[] = [];
  const changed: ChangedEntry[] = [];
  let unchanged = 0;
  for (const [id, facts] of next) {
    const prior = old.get(id);
    if (prior === undefined) {
      added.push({ id, kind: facts.kind, title: facts.title });
      continue;
    }
    const changes = prior.kind === facts.kind ? changesOf(prior, facts) : [];
    if (changes.length > 0) changed.push({ id, kind: facts.kind, title: facts.title, changes });
    else unchanged++;
  }
  const removed: DiffEntry[] = [];
  for (const [id, facts] of old) {
    if (!next.has(id)) removed.push({ id, kind: facts.kind, title: facts.title });
  }
  return { added, removed, changed, unchanged };
}

/** The counts of a diff. */
export function summarizeDiff(diff: PlanDiff): DiffSummary {
  return {
    added: diff.added.length,
    removed: diff.removed.length,
    changed: diff.changed.length,
    unchanged: diff.unchanged,
  };
}

/** True when the two versions have the same nodes with the same reported fields. */
export function isEmptyDiff(diff: PlanDiff): boolean {
  return diff.added.length === 0 && diff.removed.length === 0 && diff.changed.length === 0;
}
