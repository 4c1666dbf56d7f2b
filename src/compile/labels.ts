/**
 * Label lines (`**Owner:** @FLUX`, `Exit criteria:`, `Status: Completed.`) and bold sub-task
 * lines (`**1.1: Release Notes Content** (1 hour)`).
 */
import type { Builder } from './builder.js';
import { findComparison, parseComparison } from './comparison.js';
import { slugOrHash, type DecisionDraft } from './drafts.js';
import { parseEstimate } from './estimate.js';
import { fileFromItem } from './files.js';
import { applyTitle } from './headings.js';
import { collectMentions, type InlineLine } from './markdown.js';
import {
  LABEL_RE,
  PRIORITY_RE,
  RECOMMENDED_OPTION_RE,
  SUBTASK_LABEL_RE,
  labelKindOf,
  matchesOf,
  withoutLeadingNoise,
  type LabelKind,
} from './patterns.js';
import { addInlineSteps } from './steps-attach.js';
import { isNonWork } from './work-items.js';
import { statusWordAt } from './status.js';
import { slug as slugify } from './slug.js';

/** A label line split into its label, classification and value. */
export interface Label {
  readonly label: string;
  readonly kind: LabelKind | undefined;
  readonly value: string;
}

const IF_RE = /^(?:if|se|si|falls|wenn|もし)\b/iu;
const REF_RE =
  /\b(?:task\s+)?(\d+(?:\.\d+)+|[A-Z][A-Z0-9]{0,9}-\d+|[a-z][a-z0-9]*(?:-[a-z][a-z0-9]*)+-\d+)\b/gu;

/** The task references (`T-022`, `Task 1.2`, `lift-sys-62`) in a text. */
export function refsIn(text: string): string[] {
  return matchesOf(REF_RE, text)
    .map((m) => m[1] ?? '')
    .filter((r) => r !== '');
}

/** Split a line into a label, or undefined when it is not one. */
export function parseLabel(line: InlineLine): Label | undefined {
  if (line.text.indexOf(':') === -1 && line.text.indexOf('：') === -1) return undefined;
  const core = withoutLeadingNoise(line.text);
  const m = LABEL_RE.exec(core);
  if (!m) return undefined;
  const label = (m[1] ?? '').trim();
  const value = (m[2] ?? '').trim();
  // More than seven words needs at least 15 characters: count words only past that length.
  if (label === '' || (label.length >= 15 && label.split(/\s+/u).length > 7)) return undefined;
  if (/https?$/iu.test(label)) return undefined;
  const kind = labelKindOf(label);
  if (value !== '' && line.boldText === undefined && kind === undefined) return undefined;
  return { label, kind, value };
}

/** Whether a line is a bold title on its own (`**Day 1: Research** (4 hours)`), not a label. */
export function isBoldTitle(line: InlineLine): boolean {
  const bold = line.boldText;
  if (bold === undefined || bold === '' || bold.length > 100 || /[:：]$/u.test(bold)) return false;
  const after = line.text.slice(line.text.indexOf(bold) + bold.length);
  return !/[:：]/u.test(after) && /^\s*(?:\([^)]*\))?[^\p{L}\p{N}]*$/u.test(after);
}

/** Start a bold sub-task of the current heading's task or phase. */
export function startBoldTask(b: Builder, line: InlineLine, line0: number): void {
  const bold = line.boldText ?? line.text;
  const m = SUBTASK_LABEL_RE.exec(bold);
  const label = m?.[1];
  const slug = label
    ? /^[\d.]+$/u.test(label)
      ? `task-${slugify(label)}`
      : slugify(label)
    : slugOrHash(bold);
  const f = b.frame;
  const task = b.addTask(f.phase, {
    title: line.text,
    label,
    slug,
    parent: f.task?.id,
    pos: b.pos(line0),
  });
  applyTitle(task, line.text);
  b.boldTask = task;
  b.labelSection = undefined;
}

/** A label whose items are not work (goals, rationale, notes): neither bullets nor checkboxes are tasks. */
const NOTES: LabelKind = { kind: 'notes' };

function bareMark(text: string | undefined): boolean {
  return text !== undefined && !/[\p{L}\p{N}]/u.test(text);
}
/** A label Pulser does not know: its checkboxes are tasks, its bullets are not. */
const OTHER_LABEL: LabelKind = { kind: 'label' };

function decisionHere(b: Builder): DecisionDraft | undefined {
  return b.frame.decision ?? b.lastDecision;
}

/** Apply a label line on 0-based line `line0`. */
export function onLabel(b: Builder, l: Label, line: InlineLine, line0: number): void {
  const kind = l.kind;
  if (!kind) {
    // An unknown label inside a criteria (or other) section does not end it.
    b.labelSection = isNonWork(l.label)
      ? NOTES
      : b.frame.section === undefined
        ? OTHER_LABEL
        : undefined;
    const d = b.frame.decision;
    if (d && IF_RE.test(l.label)) {
      const option = { label: l.label, text: l.value };
      d.options.push(option);
      b.labelSection = { kind: 'if-option', option };
    }
    return;
  }
  switch (kind.kind) {
    case 'criteria':
      b.boldTask = undefined;
      b.labelSection = kind;
      if (l.value) b.addCriterion(b.owner(false), l.value, kind.section, b.pos(line0, l.value));
      return;
    case 'files': {
      b.labelSection = kind;
      const task = b.task(false);
      const file = l.value ? fileFromItem(l.value, line.codes, kind.action) : undefined;
      if (task && file) task.files.push(file);
      return;
    }
    case 'commands':
      b.labelSection = kind;
      if (line.codes.length > 0) addInlineSteps(b, line.codes, line0);
      return;
    case 'tasks':
    case 'options':
    case 'notes':
    case 'label':
      b.labelSection = kind;
      return;
    case 'status': {
      const owner = b.owner(false);
      const status = statusWordAt(l.value);
      if (!l.value) b.labelSection = kind;
      // A `Status:` line says more than a mark in the title (a decorative ✅ on every heading).
      else if (owner && status && (owner.status === undefined || bareMark(owner.statusText))) {
        owner.status = status;
        owner.statusText = line.text;
      }
      return;
    }
    case 'goal': {
      const phase = b.frame.phase;
      if (phase && !b.task(false) && phase.goal === undefined && l.value) phase.goal = l.value;
      b.labelSection = undefined;
      return;
    }
    case 'owner': {
      const owner = b.owner(false);
      const found = new Set<string>();
      collectMentions(l.value, found);
      if (found.size === 0 && l.value) found.add(l.value.replace(/\s*\(.*$/u, '').trim());
      if (owner) for (const o of found) owner.owners.add(o);
      return;
    }
    case 'estimate': {
      const owner = b.owner(false);
      const estimate = parseEstimate(l.value);
      if (owner && estimate) owner.estimate = estimate;
      return;
    }
    case 'deadline': {
      const task = b.task(false);
      if (task && l.value) task.deadline = l.value;
      return;
    }
    case 'priority': {
      const task = b.task(false);
      if (task && l.value)
        task.priority = PRIORITY_RE.exec(l.value)?.[1] ?? l.value.replace(/\s*\(.*$/u, '');
      return;
    }
    case 'depends': {
      const task = b.task(false);
      if (task) task.dependsOn.push(...refsIn(l.value));
      if (!l.value) b.labelSection = kind;
      return;
    }
    case 'dates': {
      const phase = b.frame.phase;
      if (phase && !b.task(false) && l.value) phase.dates ??= l.value;
      return;
    }
    case 'recommendation': {
      const d = decisionHere(b);
      b.labelSection = kind;
      if (!d) return;
      if (l.value) {
        d.recommendation ??= l.value;
        const option = RECOMMENDED_OPTION_RE.exec(l.value)?.[1];
        if (option) d.recommended ??= option;
      } else b.pendingRecommendation = d;
      return;
    }
    case 'question': {
      const d = decisionHere(b);
      if (d && l.value) d.question ??= l.value;
      return;
    }
    case 'target': {
      const comparison = findComparison(l.value)?.comparison ?? parseComparison(l.value);
      if (!comparison) return;
      const owner = b.owner(false);
      const name = owner && 'title' in owner ? `${owner.title}: ${l.label}` : l.label;
      b.addMetric({ name, target: l.value, comparison, pos: b.pos(line0, l.value) });
      return;
    }
    default: {
      const never: never = kind;
      void never;
    }
  }
}
