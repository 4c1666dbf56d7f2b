/**
 * Headings: phases (and re-entries into a phase), streams as lanes, tasks, decisions,
 * options, recommendation headings and section headings.
 */
import type { Builder, Frame } from './builder.js';
import { newPhase, slugOrHash, type DecisionDraft, type TaskDraft } from './drafts.js';
import { estimateInTitle } from './estimate.js';
import {
  DATES_RE,
  DECISION_HEADING_RE,
  EXTERNAL_ID_RE,
  OPTION_RE,
  RECOMMENDATION_HEADING_RE,
  RECOMMENDED_RE,
  TASK_HEADING_RE,
  criteriaSectionOf,
  labelKindOf,
  matchesOf,
  withoutLeadingNoise,
} from './patterns.js';
import { statusInTitle } from './status.js';
import { headingIsTask, isNonWork } from './work-items.js';
import { matchPhase, type PhaseMatch } from './phase-words.js';

export { matchPhase, type PhaseMatch } from './phase-words.js';
import { slug as slugify } from './slug.js';

/** Title text with its leading emoji and marks removed. */
export function coreOf(text: string): string {
  return withoutLeadingNoise(text);
}

const PAREN_60_RE = /\(([^()]{1,60})\)/gu;

function datesOf(title: string): string | undefined {
  if (title.indexOf('(') === -1) return undefined;
  for (const m of matchesOf(PAREN_60_RE, title)) {
    const inner = m[1] ?? '';
    if (
      DATES_RE.test(inner) &&
      !/^\s*\d+(?:\.\d+)?\s*(?:-\s*\d+\s*)?(?:hours?|days?|weeks?)\s*$/iu.test(inner)
    )
      return inner.trim();
  }
  return undefined;
}

function newDecision(
  b: Builder,
  title: string,
  label: string | undefined,
  line: number,
): DecisionDraft {
  const base = label
    ? `decision-${slugify(label.replace('#', ''))}`
    : `decision-${slugOrHash(title, 32)}`;
  const d: DecisionDraft = { id: b.ids.claim(base), title, options: [], pos: b.pos(line) };
  b.decisions.push(d);
  b.lastDecision = d;
  return d;
}

function onPhaseHeading(
  b: Builder,
  frame: Frame,
  parent: Frame,
  text: string,
  pm: PhaseMatch,
  line: number,
): void {
  const section = pm.rest ? criteriaSectionOf(pm.rest) : undefined;
  if (pm.kind === 'stream' && parent.phase) {
    const phase = parent.phase;
    const lane = pm.label ?? pm.rest;
    if (!phase.lanes.includes(lane)) phase.lanes.push(lane);
    frame.lane = lane;
    frame.phase = phase;
    const slug = pm.label
      ? `${slugify(pm.word).replace(/s$/u, '')}-${slugify(pm.label)}`
      : slugOrHash(pm.rest);
    const task = b.addTask(phase, { title: text, label: pm.label, slug, pos: b.pos(line) });
    applyTitle(task, text);
    frame.task = task;
    return;
  }
  const key = `${pm.kind}:${pm.label ?? pm.rest.toLowerCase()}`;
  const existing = pm.label !== undefined ? b.phasesByKey.get(key) : undefined;
  if (existing && (existing === parent.phase || section)) {
    frame.phase = existing;
    if (existing !== parent.phase) {
      frame.task = undefined;
      frame.lane = undefined;
    }
    frame.section = section ? { kind: 'criteria', section } : undefined;
    return;
  }
  b.anyPhaseHeading = true;
  const base = pm.label !== undefined ? `${pm.kind}-${slugify(pm.label)}` : slugOrHash(text);
  const phase = newPhase({
    id: b.ids.claim(base),
    title: text,
    label: pm.label,
    phaseKind: pm.kind,
    pos: b.pos(line),
  });
  const status = statusInTitle(text);
  if (status) {
    phase.status = status.status;
    phase.statusText = status.text;
  }
  const dates = datesOf(text);
  if (dates) phase.dates = dates;
  const estimate = estimateInTitle(text);
  if (estimate) phase.estimate = estimate;
  b.phases.push(phase);
  b.phaseByLine.set(line, phase);
  if (!b.phasesByKey.has(key)) b.phasesByKey.set(key, phase);
  frame.phase = phase;
  frame.task = undefined;
  frame.lane = undefined;
  frame.nonWork = false;
  frame.section = section ? { kind: 'criteria', section } : undefined;
}

/** Status, estimate and priority a task's title states. */
export function applyTitle(task: TaskDraft, title: string): void {
  const status = statusInTitle(title);
  if (status) {
    task.status = status.status;
    task.statusText = status.text;
  }
  const estimate = estimateInTitle(title);
  if (estimate) task.estimate = estimate;
  const priority = title.indexOf('P') === -1 ? null : /[([](P[0-4])[)\]]/u.exec(title);
  if (priority?.[1]) task.priority = priority[1];
}

/** Handle a heading of `level` whose plain text is `text`, on 0-based line `line`. */
export function onHeading(
  b: Builder,
  level: number,
  text: string,
  line: number,
  mentions: readonly string[],
): void {
  while (b.frames.length > 1 && b.frame.level >= level) b.frames.pop();
  const parent = b.frame;
  b.boldTask = undefined;
  b.labelSection = undefined;
  b.pendingRecommendation = undefined;
  b.lastText = text;
  const isTitle = b.title === undefined && level === 1;
  if (isTitle) b.title = text;
  const frame: Frame = {
    level,
    title: text,
    phase: parent.phase,
    task: parent.task,
    lane: parent.lane,
    section: parent.phase === undefined && parent.task === undefined ? parent.section : undefined,
    decision: parent.decision,
    plain: false,
    nonWork: parent.nonWork,
    line,
  };
  b.frames.push(frame);
  const core = coreOf(text);

  const decision = DECISION_HEADING_RE.exec(core);
  if (decision && (decision[1] || decision[2] || decision[3])) {
    const rest = (decision[4] ?? '').trim();
    frame.decision = newDecision(
      b,
      rest === '' || rest.startsWith('(') ? core : rest,
      decision[2],
      line,
    );
    frame.section = undefined;
    return;
  }
  const option = OPTION_RE.exec(core);
  if (option) {
    const d = parent.decision ?? newDecision(b, parent.title || core, undefined, line);
    frame.decision = d;
    parent.decision ??= d;
    const label = option[1] ?? '';
    d.options.push({ label, text: (option[2] ?? '').trim() });
    if (RECOMMENDED_RE.test(core)) d.recommended = label;
    return;
  }
  if (RECOMMENDATION_HEADING_RE.test(core)) {
    b.pendingRecommendation = b.lastDecision;
    return;
  }
  const reading = b.phasePlan?.byLine.get(line);
  if (reading?.mentionOf !== undefined) {
    const named = b.phaseByLine.get(reading.mentionOf);
    if (named) {
      const section = criteriaSectionOf(core);
      frame.phase = named;
      frame.task = undefined;
      frame.lane = undefined;
      frame.section = section ? { kind: 'criteria', section } : undefined;
      return;
    }
  }
  let pm = reading ? reading.phase : matchPhase(core);
  if (reading && !pm && parent.phase) {
    const raw = matchPhase(core);
    if (raw?.kind === 'stream') pm = raw;
  }
  if (pm) {
    onPhaseHeading(b, frame, parent, text, pm, line);
    return;
  }
  // The document's title names the whole plan, not one task of it (`# PROJ-30 Rework`).
  const taskHead = isTitle ? null : TASK_HEADING_RE.exec(core);
  const ext = taskHead || isTitle ? undefined : EXTERNAL_ID_RE.exec(core);
  if (taskHead || ext) {
    const label = taskHead ? taskHead[1] : ext?.[1];
    const slug = label
      ? /^[\d.]+$/u.test(label)
        ? `task-${slugify(label)}`
        : slugify(label)
      : undefined;
    const task = b.addTask(parent.phase, {
      title: text,
      label,
      slug: slug || undefined,
      externalIds: ext?.[1] ? [ext[1]] : [],
      parent: parent.task?.id,
      pos: b.pos(line),
    });
    applyTitle(task, text);
    for (const m of mentions) task.owners.add(m);
    frame.task = task;
    return;
  }
  const kind = labelKindOf(
    core.indexOf(':') === -1 && core.indexOf('：') === -1 ? core : core.replace(/[:：]\s*$/u, ''),
  );
  if (kind) {
    frame.section = kind;
    return;
  }
  if (isNonWork(core)) {
    // Not even a `Tasks` section above makes the items of `Critical Dependencies` work.
    frame.nonWork = true;
    frame.section = undefined;
  }
  if (frame.phase === undefined || frame.task !== undefined || frame.nonWork) return;
  if (headingIsTask(core, b.outlineByLine.get(line)?.own)) {
    const task = b.addTask(frame.phase, { title: text, pos: b.pos(line) });
    applyTitle(task, text);
    for (const m of mentions) task.owners.add(m);
    frame.task = task;
  }
}
