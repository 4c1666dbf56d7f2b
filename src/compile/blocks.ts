/**
 * List items and paragraphs: checklists, criteria, tasks with external IDs, files, inline
 * commands, statuses, decision options, labels and bold sub-tasks.
 */
import { itemFrame, type Builder, type ItemFrame } from './builder.js';
import {
  slugOrHash,
  type ItemDraft,
  type OwnerDraft,
  type PhaseDraft,
  type TaskDraft,
} from './drafts.js';
import { boldIsGrouping, kiroStepParent, kiroTaskNumber, specKitTask } from './work-items.js';

/** A list item whose text is struck through: `- ~~Done thing~~`. */
const STRUCK_RE = /^\s*(?:[-*+]|\d+[.)])\s+(?:\S+\s+)?~~/u;
import { fileFromItem } from './files.js';
import { applyTitle } from './headings.js';
import { isBoldTitle, onLabel, parseLabel, refsIn, startBoldTask } from './labels.js';
import type { InlineLine } from './markdown.js';
import {
  CHECKBOX_RE,
  EXTERNAL_ID_RE,
  OPTION_ITEM_RE,
  OPTION_RE,
  RECOMMENDED_OPTION_RE,
  RECOMMENDED_RE,
} from './patterns.js';
import { statusMark, statusWordAt } from './status.js';
import { addInlineSteps } from './steps-attach.js';
import { inlineCommands } from './commands.js';
import { slug as slugify } from './slug.js';

function addItem(
  b: Builder,
  list: ItemDraft[],
  scope: string,
  text: string,
  checked: boolean,
  line0: number,
): ItemDraft {
  const item: ItemDraft = {
    kind: 'item',
    id: b.ids.claim(`${scope}/${slugOrHash(text)}`),
    text,
    checked,
    pos: b.pos(line0, '['),
    children: [],
  };
  list.push(item);
  return item;
}

function onCheckbox(
  b: Builder,
  frame: ItemFrame,
  parent: ItemFrame | undefined,
  text: string,
  checked: boolean,
  line0: number,
): void {
  if (parent?.criterion && parent.itemScope !== undefined) {
    const owner = parent.critOwner;
    b.addCriterion(owner, text, parent.criterion, b.pos(line0, '['), { checked });
    frame.criterion = parent.criterion;
    frame.critOwner = owner;
    frame.itemScope = parent.itemScope;
    return;
  }
  if (parent?.item && parent.itemScope !== undefined) {
    frame.item = addItem(b, parent.item.children, parent.itemScope, text, checked, line0);
    frame.itemScope = parent.itemScope;
    return;
  }
  if (parent?.task) {
    frame.item = addItem(b, parent.task.checklist, parent.task.id, text, checked, line0);
    frame.itemScope = parent.task.id;
    return;
  }
  const section = b.section;
  // A checkbox with a task ID (`T041 Run the full suite`) under a heading named for checks
  // (`Final Validation`) is still a task of the phase; criteria do not carry task IDs.
  const idTask = section?.kind === 'criteria' && b.labelSection === undefined && specKitTask(text);
  if (section?.kind === 'criteria' && !idTask) {
    const owner = b.owner(false);
    b.addCriterion(owner, text, section.section, b.pos(line0, '['), { checked });
    frame.criterion = section.section;
    frame.critOwner = owner;
    frame.itemScope = b.scope(owner);
    return;
  }
  const owner: OwnerDraft | undefined = b.owner(true);
  if (owner && isPhase(owner) && !parent && (idTask || workHere(b, true))) {
    checkboxTask(b, frame, owner, text, checked, line0);
    return;
  }
  frame.item = addItem(
    b,
    owner ? owner.checklist : b.planChecklist,
    b.scope(owner),
    text,
    checked,
    line0,
  );
  frame.itemScope = b.scope(owner);
}

function isPhase(o: OwnerDraft): o is PhaseDraft {
  return (o as PhaseDraft).kind === 'phase';
}

/**
 * Whether items here are the phase's work (not under goals, notes, criteria, a task…). Under
 * a label Pulser does not know, checkboxes are work and plain bullets are not.
 */
function workHere(b: Builder, checkbox: boolean): boolean {
  if (b.frame.nonWork || b.boldTask) return false;
  const section = b.section;
  return (
    section === undefined || section.kind === 'tasks' || (checkbox && section.kind === 'label')
  );
}

/** A flat Kiro `N.M` item (checkbox or not) right after task `N` of this phase: a step of it. */
function kiroStepOfLast(b: Builder, phase: PhaseDraft, text: string): TaskDraft | undefined {
  const last = b.lastItemTask;
  if (!last || last.label === undefined || b.lastItemTaskPhase !== phase) return undefined;
  const stepOf = kiroStepParent(text.replace(/^\[[ xX~-]?\]\*?\s*/u, ''));
  return stepOf === last.label ? last : undefined;
}

/**
 * A top-level checkbox in a phase's work list is a task (Spec Kit `T001 [P] [US1] …`, Kiro
 * `1. …`); its checkbox stays a checklist item of the task. A flat Kiro `N.M` item right after
 * task `N` is a step of it.
 */
function checkboxTask(
  b: Builder,
  frame: ItemFrame,
  phase: PhaseDraft,
  text: string,
  checked: boolean,
  line0: number,
): void {
  const last = kiroStepOfLast(b, phase, text);
  if (last) {
    const box = last.checklist[0];
    frame.item = addItem(b, box ? box.children : last.checklist, phase.id, text, checked, line0);
    frame.itemScope = phase.id;
    return;
  }
  // The checkbox keeps the ID it had as a checklist item of the phase; the task gets its own.
  const item = addItem(b, [], phase.id, text, checked, line0);
  const sk = specKitTask(text);
  const kiro = sk ? undefined : kiroTaskNumber(text);
  const task = b.addTask(phase, {
    title: text,
    label: sk?.id ?? kiro,
    slug: sk ? slugify(sk.id) : `task-${kiro ?? slugOrHash(text)}`,
    externalIds: sk ? [sk.id] : undefined,
    pos: item.pos,
  });
  task.checklist.push(item);
  frame.item = item;
  frame.itemScope = phase.id;
  b.lastItemTask = task;
  b.lastItemTaskPhase = phase;
}

function addItemTask(
  b: Builder,
  frame: ItemFrame,
  text: string,
  ext: string | undefined,
  mentions: readonly string[],
  line0: number,
): void {
  const f = b.frame;
  const task = b.addTask(f.phase, {
    title: text,
    label: ext,
    slug: ext ? slugify(ext) : undefined,
    externalIds: ext ? [ext] : undefined,
    parent: b.task(false)?.id,
    pos: b.pos(line0),
  });
  applyTitle(task, text);
  for (const m of mentions) task.owners.add(m);
  frame.task = task;
}

/** Steps for the code spans of `line` that the reader is told to run (not under a Commands label). */
function addToldCommands(b: Builder, line: InlineLine, line0: number): void {
  if (line.codes.length === 0 || b.section?.kind === 'commands') return;
  const told = inlineCommands(line.text, line.codes);
  if (told.length > 0) addInlineSteps(b, told, line0);
}

/** The first inline of a list item. */
export function onItem(
  b: Builder,
  frame: ItemFrame,
  parent: ItemFrame | undefined,
  lines: readonly InlineLine[],
  mentions: readonly string[],
  line0: number,
): void {
  readItem(b, frame, parent, lines, mentions, line0);
  lines.forEach((line, idx) => addToldCommands(b, line, line0 + idx));
}

function readItem(
  b: Builder,
  frame: ItemFrame,
  parent: ItemFrame | undefined,
  lines: readonly InlineLine[],
  mentions: readonly string[],
  line0: number,
): void {
  const first = lines[0];
  if (!first) return;
  const text =
    lines.length === 1
      ? first.text
      : lines
          .map((l) => l.text)
          .join(' ')
          .trim();
  const cb = CHECKBOX_RE.exec(text);
  // `text` starts with `first.text`, so a match that ends inside it is its match too.
  b.lastText = !cb
    ? first.text
    : cb[0].length < first.text.length
      ? first.text.slice(cb[0].length)
      : first.text.replace(CHECKBOX_RE, '');
  if (cb) {
    onCheckbox(b, frame, parent, text.slice(cb[0].length).trim(), cb[1] !== ' ', line0);
    return;
  }
  if (parent && (parent.criterion || parent.item || parent.task || parent.consumed)) {
    frame.consumed = true;
    return;
  }
  frame.consumed = true;
  const section = b.section;
  switch (section?.kind) {
    case 'criteria': {
      const owner = b.owner(false);
      const mark = statusMark(text);
      b.addCriterion(
        owner,
        text,
        section.section,
        b.pos(line0),
        mark ? { status: mark.status } : {},
      );
      return;
    }
    case 'files': {
      const task = b.task(false);
      const file = fileFromItem(text, first.codes, section.action);
      if (task && file) task.files.push(file);
      return;
    }
    case 'commands':
      if (first.leadingCode !== undefined) addInlineSteps(b, [first.leadingCode], line0);
      return;
    case 'status': {
      const owner = b.owner(false);
      const status = statusWordAt(text) ?? statusMark(text)?.status;
      if (owner && status && owner.status === undefined) {
        owner.status = status;
        owner.statusText = text;
      }
      return;
    }
    case 'options': {
      const d = b.frame.decision ?? b.lastDecision;
      const m = OPTION_ITEM_RE.exec(text) ?? OPTION_RE.exec(text);
      if (d && m) {
        d.options.push({ label: m[1] ?? '', text: (m[2] ?? '').trim() });
        if (RECOMMENDED_RE.test(text)) d.recommended ??= m[1] ?? '';
      }
      return;
    }
    case 'if-option':
      section.option.text = section.option.text ? `${section.option.text}; ${text}` : text;
      return;
    case 'depends': {
      const task = b.task(false);
      if (task) task.dependsOn.push(...refsIn(text));
      return;
    }
    case 'recommendation': {
      const d = b.pendingRecommendation;
      if (d && d.recommendation === undefined) setRecommendation(d, text);
      return;
    }
    case 'tasks':
      if (!b.boldTask) {
        addItemTask(b, frame, text, EXTERNAL_ID_RE.exec(text)?.[1], mentions, line0);
        return;
      }
      break;
    default:
      break;
  }
  const ext = EXTERNAL_ID_RE.exec(text)?.[1];
  if (ext) addItemTask(b, frame, text, ext, mentions, line0);
  else if (!parent && b.frame.phase && !b.task(false) && workHere(b, false)) {
    if (kiroStepOfLast(b, b.frame.phase, text)) return;
    addItemTask(b, frame, text, undefined, mentions, line0);
    if (frame.task && frame.task.status === undefined && STRUCK_RE.test(b.line(line0))) {
      frame.task.status = 'done';
      frame.task.statusText = '~~';
    }
  } else frame.consumed = false;
}

function setRecommendation(
  d: { recommendation?: string; recommended?: string },
  text: string,
): void {
  d.recommendation = text;
  const option = RECOMMENDED_OPTION_RE.exec(text)?.[1];
  if (option) d.recommended ??= option;
}

const NUMBERED_LINE_RE = /^(\d{1,3}[.)])\s+(?=\S)/u;

/** Whether every line after the first starts with a number: `5. Add the client`. */
function numberedLinesAfter(lines: readonly InlineLine[]): boolean {
  for (let i = 1; i < lines.length; i++)
    if (!NUMBERED_LINE_RE.test((lines[i] as InlineLine).text)) return false;
  return true;
}

/**
 * A bold name over numbered lines that continue an earlier list (`**Day 2**` then `5. …`,
 * `6. …`: CommonMark lets only a list starting at 1 interrupt a paragraph, so these lines stay
 * in the paragraph). The name is a grouping and each numbered line is an item of the list.
 */
function onNumberedParagraph(b: Builder, lines: readonly InlineLine[], line0: number): void {
  b.boldTask = undefined;
  b.labelSection = undefined;
  b.lastText = (lines[0] as InlineLine).text;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as InlineLine;
    const text = line.text.replace(NUMBERED_LINE_RE, '');
    const item: InlineLine = {
      text,
      boldText: undefined,
      leadingCode: undefined,
      codes: line.codes,
    };
    onItem(b, itemFrame(line0 + i), undefined, [item], [], line0 + i);
  }
}

/** The first non-blank line at or after 0-based line `from` (looking a few lines ahead). */
function nextLine(b: Builder, from: number): string | undefined {
  const last = Math.min(from + 3, b.src.starts.length - 1);
  for (let k = from; k <= last; k++) {
    const text = b.line(k);
    if (text.trim() !== '') return text;
  }
  return undefined;
}

/** A paragraph (or a later paragraph of a list item): labels, bold sub-tasks, recommendations. */
export function onParagraph(b: Builder, lines: readonly InlineLine[], line0: number): void {
  const first = lines[0];
  if (
    first &&
    lines.length > 1 &&
    (b.frame.phase || b.frame.task) &&
    isBoldTitle(first) &&
    numberedLinesAfter(lines) &&
    boldIsGrouping(first.text, nextLine(b, line0 + 1))
  ) {
    onNumberedParagraph(b, lines, line0);
    return;
  }
  lines.forEach((line, idx) => {
    if (line.text === '') return;
    if (idx === 0 && isBoldTitle(line) && (b.frame.phase || b.frame.task)) {
      if (lines.length === 1 && boldIsGrouping(line.text, nextLine(b, line0 + 1))) {
        b.boldTask = undefined;
        b.labelSection = undefined;
        b.lastText = line.text;
        return;
      }
      startBoldTask(b, line, line0);
      b.lastText = line.text;
      return;
    }
    const label = parseLabel(line);
    if (label) {
      onLabel(b, label, line, line0 + idx);
      if (label.kind?.kind !== 'commands') addToldCommands(b, line, line0 + idx);
      return;
    }
    addToldCommands(b, line, line0 + idx);
    const d = b.pendingRecommendation;
    if (d && d.recommendation === undefined) {
      setRecommendation(d, line.text);
      b.pendingRecommendation = undefined;
    }
    b.lastText = line.text;
  });
}
