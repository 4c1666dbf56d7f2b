/**
 * The state of the single pass over markdown-it's tokens: the heading stack, the current
 * task and section, and everything collected so far.
 */
import type {
  Criterion,
  Diagnostic,
  MetricTarget,
  SourcePos,
  Step,
  TaskStatus,
} from '../ir/index.js';
import { findAnnotation } from '../ir/annotation.js';
import { lineText } from '../source/index.js';
import { findComparison } from './comparison.js';
import {
  IdAllocator,
  metricTarget,
  newTask,
  slugOrHash,
  type DecisionDraft,
  type ItemDraft,
  type MetricFields,
  type Mutable,
  type OwnerDraft,
  type PhaseDraft,
  type TaskDraft,
} from './drafts.js';
import type { CriteriaSection, LabelKind } from './patterns.js';
import type { PhasePlan } from './phase-plan.js';
import type { OutlineHeading } from './outline.js';

/** What the current label or heading introduces, including decision-only sections. */
export type Section =
  LabelKind | { readonly kind: 'if-option'; readonly option: { label: string; text: string } };

/** One open heading. Fields are inherited from the enclosing heading when the frame is pushed. */
export interface Frame {
  readonly level: number;
  readonly title: string;
  phase: PhaseDraft | undefined;
  task: TaskDraft | undefined;
  lane: string | undefined;
  section: Section | undefined;
  decision: DecisionDraft | undefined;
  /** A plain heading inside a phase: becomes a task when checkboxes or steps appear under it. */
  plain: boolean;
  /** Under a heading whose items are not work (goals, rationale, notes…). */
  nonWork: boolean;
  readonly line: number;
}

/** One open list item. Every field is present from the start, so all frames share one shape. */
export interface ItemFrame {
  readonly line: number;
  seen: boolean;
  item: ItemDraft | undefined;
  /** Scope prefix for IDs of checkboxes nested under this item. */
  itemScope: string | undefined;
  criterion: CriteriaSection | undefined;
  critOwner: OwnerDraft | undefined;
  task: TaskDraft | undefined;
  consumed: boolean;
}

/** A new frame for the list item that starts on 0-based line `line`. */
export function itemFrame(line: number): ItemFrame {
  return {
    line,
    seen: false,
    item: undefined,
    itemScope: undefined,
    criterion: undefined,
    critOwner: undefined,
    task: undefined,
    consumed: false,
  };
}

/** Where the original (decoded, unrepaired) text is, for positions and diagnostics. */
export interface SourceText {
  readonly original: string;
  readonly starts: readonly number[];
  readonly file: string;
}

/** Mutable state of one compile. */
export class Builder {
  readonly ids = new IdAllocator();
  readonly phases: PhaseDraft[] = [];
  readonly phasesByKey = new Map<string, PhaseDraft>();
  readonly planTasks: TaskDraft[] = [];
  readonly planChecklist: ItemDraft[] = [];
  readonly planCriteria: Criterion[] = [];
  readonly planSteps: Step[] = [];
  readonly metrics: MetricTarget[] = [];
  readonly decisions: DecisionDraft[] = [];
  readonly mentions = new Set<string>();
  readonly diagnostics: Diagnostic[] = [];
  readonly frames: Frame[] = [];
  readonly items: ItemFrame[] = [];
  title: string | undefined;
  boldTask: TaskDraft | undefined;
  labelSection: Section | undefined;
  lastText = '';
  lastDecision: DecisionDraft | undefined;
  pendingRecommendation: DecisionDraft | undefined;
  anyPhaseHeading = false;
  /** Which headings are phases, decided from the whole outline before the pass. */
  phasePlan: PhasePlan | undefined;
  /** Phases by the 0-based line of their heading. */
  readonly phaseByLine = new Map<number, PhaseDraft>();
  /** Outline headings by 0-based line. */
  outlineByLine: ReadonlyMap<number, OutlineHeading> = new Map();
  /** Phase statuses given by rows of an overview table, applied at freeze to phases that say nothing. */
  readonly phaseRowStatus: {
    label: string;
    status: TaskStatus;
    text: string;
    pos: SourcePos;
  }[] = [];
  /** The last task made from a checkbox item, for flat Kiro `N.M` steps. */
  lastItemTask: TaskDraft | undefined;
  /** The phase of {@link lastItemTask}. */
  lastItemTaskPhase: PhaseDraft | undefined;

  constructor(readonly src: SourceText) {
    this.frames.push({
      level: 0,
      title: '',
      phase: undefined,
      task: undefined,
      lane: undefined,
      section: undefined,
      decision: undefined,
      plain: false,
      nonWork: false,
      line: 0,
    });
  }

  /** The innermost open heading (the root frame when there is none). */
  get frame(): Frame {
    return this.frames[this.frames.length - 1] as Frame;
  }

  /** The section in force: the last label's, else the heading's. */
  get section(): Section | undefined {
    return this.labelSection ?? this.frame.section;
  }

  /** Text of 0-based line `line0` of the original text. */
  line(line0: number): string {
    return lineText(this.src.original, this.src.starts, line0);
  }

  /** Position of `needle` on line `line0` (first non-blank character when absent). */
  pos(line0: number, needle?: string, endLine0?: number): SourcePos {
    const text = this.line(line0);
    let col = needle === undefined ? -1 : text.indexOf(needle);
    if (col < 0) col = Math.max(0, text.search(/\S/u));
    return endLine0 !== undefined && endLine0 > line0 + 1
      ? { line: line0 + 1, column: col + 1, endLine: endLine0 }
      : { line: line0 + 1, column: col + 1 };
  }

  /** Record a diagnostic at a 1-based position. */
  diag(code: string, severity: Diagnostic['severity'], message: string, pos: SourcePos): void {
    this.diagnostics.push({
      code,
      severity,
      message,
      file: this.src.file,
      line: pos.line,
      column: pos.column,
    });
  }

  /** The task that owns what comes next: a bold sub-task, the heading's task, or one made from a plain heading. */
  task(materialize: boolean): TaskDraft | undefined {
    if (this.boldTask) return this.boldTask;
    const f = this.frame;
    if (f.task || !materialize || !f.plain || !f.phase) return f.task;
    f.task = this.addTask(f.phase, { title: f.title, pos: this.pos(f.line) });
    f.plain = false;
    return f.task;
  }

  /** The task or phase that owns what comes next. */
  owner(materialize = true): TaskDraft | PhaseDraft | undefined {
    return this.task(materialize) ?? this.frame.phase;
  }

  /** Scope prefix of IDs for items of `owner` (`plan` at top level). */
  scope(owner: OwnerDraft | undefined): string {
    return owner?.id ?? 'plan';
  }

  /** Create a task in `phase` (or at plan level). */
  addTask(
    phase: PhaseDraft | undefined,
    fields: {
      title: string;
      label?: string | undefined;
      slug?: string | undefined;
      externalIds?: string[] | undefined;
      parent?: string | undefined;
      pos: SourcePos;
    },
  ): TaskDraft {
    const base = fields.slug ?? slugOrHash(fields.title);
    const id = this.ids.claim(phase ? `${phase.id}/${base}` : base);
    const lane = this.frame.lane;
    const task = newTask(id, lane, fields);
    (phase ? phase.tasks : this.planTasks).push(task);
    return task;
  }

  /** Add a criterion to `owner` (or the plan); a target phrase in it becomes a metric. */
  addCriterion(
    owner: OwnerDraft | undefined,
    text: string,
    section: CriteriaSection,
    pos: SourcePos,
    extra: { checked?: boolean; status?: TaskStatus } = {},
  ): Criterion {
    const scope = this.scope(owner);
    const id = this.ids.claim(`${scope}/${section}/${slugOrHash(text)}`);
    const found = findComparison(text);
    let metric: string | undefined;
    if (found)
      metric = this.addMetric({
        name: text,
        target: found.phrase,
        comparison: found.comparison,
        pos,
      }).id;
    // Fields are added in the IR's key order, `pos` last (conditional spreads cost more than
    // the rest of this function).
    const criterion = { kind: 'criterion', id, text, section } as Mutable<Criterion>;
    if (extra.checked !== undefined) criterion.checked = extra.checked;
    if (extra.status !== undefined) criterion.status = extra.status;
    if (metric !== undefined) {
      criterion.metric = metric;
      criterion.verifier = { kind: 'metric', metric, target: found?.phrase ?? '' };
    }
    const annotation = findAnnotation(this.line(pos.line - 1));
    if (annotation !== undefined) criterion.annotation = annotation;
    criterion.pos = pos;
    (owner ? owner.criteria : this.planCriteria).push(criterion);
    return criterion;
  }

  /** Add a metric target to the current phase (or the plan). */
  addMetric(fields: MetricFields): MetricTarget {
    const phase = this.frame.phase;
    const id = this.ids.claim(`${phase?.id ?? 'plan'}/metric/${slugOrHash(fields.name, 32)}`);
    const comparison = fields.comparison ?? findComparison(fields.target)?.comparison;
    const metric = metricTarget(id, fields, comparison);
    this.metrics.push(metric);
    phase?.metrics.push(id);
    return metric;
  }
}
