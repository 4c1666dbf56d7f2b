/**
 * Mutable drafts the single token pass fills in, and their freezing into IR values with a
 * fixed key order (so the same input always gives byte-identical JSON).
 */
import type {
  ChecklistItem,
  Criterion,
  Decision,
  Estimate,
  FileRef,
  MetricTarget,
  Phase,
  PhaseKind,
  PhaseStatus,
  SourcePos,
  Step,
  Task,
  TaskStatus,
} from '../ir/index.js';
import { sha256Hex } from '../util/hash.js';
import { slug as slugify } from './slug.js';

/** An IR value being filled in field by field, in key order. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A checklist item being built. */
export interface ItemDraft {
  /** Drafts of checklist items already have the IR's shape and key order: freezing keeps them. */
  readonly kind: 'item';
  readonly id: string;
  readonly text: string;
  readonly checked: boolean;
  readonly pos: SourcePos;
  readonly children: ItemDraft[];
}

/** Anything that owns checklist items, criteria and steps: a task or a phase. */
export interface OwnerDraft {
  readonly id: string;
  readonly checklist: ItemDraft[];
  readonly criteria: Criterion[];
  readonly steps: Step[];
  status?: TaskStatus | PhaseStatus | undefined;
  statusText?: string | undefined;
  estimate?: Estimate | undefined;
  readonly owners: Set<string>;
}

/** A task being built. */
export interface TaskDraft extends OwnerDraft {
  readonly kind: 'task';
  readonly title: string;
  readonly label: string | undefined;
  readonly externalIds: string[];
  status?: TaskStatus | undefined;
  deadline?: string | undefined;
  priority?: string | undefined;
  readonly parent: string | undefined;
  readonly lane: string | undefined;
  readonly dependsOn: string[];
  readonly files: FileRef[];
  readonly pos: SourcePos;
}

/** A phase being built. */
export interface PhaseDraft extends OwnerDraft {
  readonly kind: 'phase';
  readonly title: string;
  readonly label: string | undefined;
  readonly phaseKind: PhaseKind;
  goal?: string | undefined;
  dates?: string | undefined;
  readonly lanes: string[];
  readonly tasks: TaskDraft[];
  readonly metrics: string[];
  readonly pos: SourcePos;
}

/** A decision being built. */
export interface DecisionDraft {
  readonly id: string;
  readonly title: string;
  question?: string;
  readonly options: { label: string; text: string }[];
  recommendation?: string;
  recommended?: string;
  readonly pos: SourcePos;
}

/** Hands out unique IDs in document order: `base`, then `base-2`, `base-3`, ... */
export class IdAllocator {
  private readonly used = new Set<string>();
  private readonly next = new Map<string, number>();

  /** A unique ID derived from `base` (amortised constant time, even for many equal bases). */
  claim(base: string): string {
    const size = this.used.size;
    if (this.used.add(base).size !== size) return base;
    let n = this.next.get(base) ?? 2;
    let id = `${base}-${n}`;
    while (this.used.has(id)) id = `${base}-${++n}`;
    this.next.set(base, n + 1);
    this.used.add(id);
    return id;
  }
}

/** Slug of `text`, or a short content hash when the text has no ASCII letters (CJK, emoji). */
export function slugOrHash(text: string, max = 40): string {
  const slug = slugify(text, max);
  return slug !== '' ? slug : `h${sha256Hex(text).slice(0, 8)}`;
}

/** A new, empty task draft. */
export function newTask(
  id: string,
  lane: string | undefined,
  fields: {
    readonly title: string;
    readonly label?: string | undefined;
    readonly externalIds?: string[] | undefined;
    readonly parent?: string | undefined;
    readonly pos: SourcePos;
  },
): TaskDraft {
  return {
    kind: 'task',
    id,
    title: fields.title,
    label: fields.label,
    externalIds: fields.externalIds ?? [],
    owners: new Set(),
    parent: fields.parent,
    lane,
    dependsOn: [],
    files: [],
    checklist: [],
    criteria: [],
    steps: [],
    pos: fields.pos,
    // Present from the start (as undefined), so that every task draft has one shape.
    status: undefined,
    statusText: undefined,
    estimate: undefined,
    deadline: undefined,
    priority: undefined,
  };
}

/** A new, empty phase draft. */
export function newPhase(fields: {
  id: string;
  title: string;
  label: string | undefined;
  phaseKind: PhaseKind;
  pos: SourcePos;
}): PhaseDraft {
  return {
    kind: 'phase',
    id: fields.id,
    title: fields.title,
    label: fields.label,
    phaseKind: fields.phaseKind,
    pos: fields.pos,
    owners: new Set(),
    lanes: [],
    tasks: [],
    checklist: [],
    criteria: [],
    steps: [],
    metrics: [],
    status: undefined,
    statusText: undefined,
    estimate: undefined,
    goal: undefined,
    dates: undefined,
  };
}

/** Freeze checklist items: their drafts already are IR checklist items (`kind` first). */
export function freezeItems(items: ItemDraft[]): ChecklistItem[] {
  return items;
}

function allChecks(items: readonly ItemDraft[], out: boolean[]): boolean[] {
  for (const i of items) {
    out.push(i.checked);
    allChecks(i.children, out);
  }
  return out;
}

function derivedFromChecks(checks: readonly boolean[]): TaskStatus | undefined {
  if (checks.length === 0) return undefined;
  const done = checks.filter(Boolean).length;
  return done === checks.length ? 'done' : done > 0 ? 'in_progress' : 'open';
}

/** Freeze a task; its status falls back to what its checkboxes show, else `open`. */
export function freezeTask(t: TaskDraft, resolve: (ref: string) => string | undefined): Task {
  const checks = allChecks(t.checklist, []);
  for (const c of t.criteria) if (c.checked !== undefined) checks.push(c.checked);
  const status = t.status ?? derivedFromChecks(checks) ?? 'open';
  const dependsOn = [
    ...new Set(t.dependsOn.map(resolve).filter((x): x is string => x !== undefined)),
  ];
  // Built field by field in the IR's key order: conditional spreads cost more than the rest.
  const task = { kind: 'task', id: t.id, title: t.title } as Mutable<Task>;
  if (t.label !== undefined) task.label = t.label;
  task.externalIds = t.externalIds;
  task.status = status;
  if (t.statusText !== undefined) task.statusText = t.statusText;
  task.owners = [...t.owners];
  if (t.estimate !== undefined) task.estimate = t.estimate;
  if (t.deadline !== undefined) task.deadline = t.deadline;
  if (t.priority !== undefined) task.priority = t.priority;
  if (t.parent !== undefined) task.parent = t.parent;
  if (t.lane !== undefined) task.lane = t.lane;
  task.dependsOn = dependsOn.filter((d) => d !== t.id);
  task.files = t.files;
  task.checklist = freezeItems(t.checklist);
  task.criteria = t.criteria;
  task.steps = t.steps;
  task.pos = t.pos;
  return task;
}

/**
 * Whether a task's status comes from the document (a mark, a word, a checkbox), not the
 * default, or the task is named work (an ID such as `T-022` or `Task 1.2`: planned, so open).
 * Ticks of its acceptance checklist say whether the checks pass, not how far the work is.
 */
export function signalled(t: TaskDraft): boolean {
  return (
    t.status !== undefined ||
    t.label !== undefined ||
    t.checklist.length > 0 ||
    t.criteria.some((c) => c.status !== undefined)
  );
}

function derivedPhaseStatus(tasks: readonly Task[], p: PhaseDraft, silent: boolean): PhaseStatus {
  // In a plan whose tasks never say their status, tasks tell nothing of a phase's status.
  if (tasks.length > 0 && silent) {
    const checks = allChecks(p.checklist, []);
    for (const c of p.criteria) if (c.checked !== undefined) checks.push(c.checked);
    for (const t of tasks)
      for (const c of t.criteria) if (c.checked !== undefined) checks.push(c.checked);
    return derivedFromChecks(checks) ?? 'unknown';
  }
  if (tasks.length > 0) {
    const statuses = tasks.map((t) => t.status);
    if (statuses.every((s) => s === 'done')) return 'done';
    if (statuses.every((s) => s === 'deferred')) return 'deferred';
    if (statuses.some((s) => s === 'done' || s === 'in_progress')) return 'in_progress';
    // One blocked task does not block a phase whose other work can go on.
    if (statuses.every((s) => s === 'blocked' || s === 'deferred')) return 'blocked';
    return 'open';
  }
  const checks = allChecks(p.checklist, []);
  for (const c of p.criteria) if (c.checked !== undefined) checks.push(c.checked);
  return derivedFromChecks(checks) ?? 'unknown';
}

/** Freeze a phase: tasks, status (explicit, else derived from tasks or checkboxes), gate. */
export function freezePhase(
  p: PhaseDraft,
  resolve: (ref: string) => string | undefined,
  silent = false,
): Phase {
  const tasks = p.tasks.map((t) => freezeTask(t, resolve));
  const owners = new Set(p.owners);
  for (const t of tasks) for (const o of t.owners) owners.add(o);
  const criteria = [...p.criteria.map((c) => c.id)];
  for (const t of tasks) for (const c of t.criteria) criteria.push(c.id);
  const phase = { kind: 'phase', id: p.id, title: p.title } as Mutable<Phase>;
  if (p.label !== undefined) phase.label = p.label;
  phase.phaseKind = p.phaseKind;
  phase.status = p.status ?? derivedPhaseStatus(tasks, p, silent);
  if (p.statusText !== undefined) phase.statusText = p.statusText;
  if (p.goal !== undefined) phase.goal = p.goal;
  phase.owners = [...owners];
  if (p.dates !== undefined) phase.dates = p.dates;
  if (p.estimate !== undefined) phase.estimate = p.estimate;
  phase.lanes = p.lanes;
  phase.tasks = tasks;
  phase.checklist = freezeItems(p.checklist);
  phase.criteria = p.criteria;
  phase.steps = p.steps;
  phase.metrics = p.metrics;
  phase.gate = { kind: 'gate', id: `${p.id}/gate`, criteria, metrics: p.metrics };
  phase.pos = p.pos;
  return phase;
}

/** Freeze a decision. */
export function freezeDecision(d: DecisionDraft): Decision {
  return {
    kind: 'decision',
    id: d.id,
    title: d.title,
    ...(d.question !== undefined ? { question: d.question } : {}),
    options: d.options.map((o) => ({ label: o.label, text: o.text })),
    ...(d.recommendation !== undefined ? { recommendation: d.recommendation } : {}),
    ...(d.recommended !== undefined ? { recommended: d.recommended } : {}),
    pos: d.pos,
  };
}

/** What a metric target is made of (optional fields may be given as `undefined`). */
export interface MetricFields {
  readonly name: string;
  readonly target: string;
  readonly comparison?: MetricTarget['comparison'] | undefined;
  readonly passRule?: string | undefined;
  readonly passComparison?: MetricTarget['passComparison'] | undefined;
  readonly baseline?: string | undefined;
  readonly pos: SourcePos;
}

/** A metric target, frozen with a fixed key order; `comparison` wins over `m.comparison`. */
export function metricTarget(id: string, m: MetricFields, comparison = m.comparison): MetricTarget {
  const metric = { kind: 'metric', id, name: m.name, target: m.target } as Mutable<MetricTarget>;
  if (comparison !== undefined) metric.comparison = comparison;
  if (m.passRule !== undefined) metric.passRule = m.passRule;
  if (m.passComparison !== undefined) metric.passComparison = m.passComparison;
  if (m.baseline !== undefined) metric.baseline = m.baseline;
  metric.pos = m.pos;
  return metric;
}
