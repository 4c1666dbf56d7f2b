/**
 * Tables: metric tables (a "Target" column, optional pass rule and baseline) become metric
 * targets; other tables under a criteria heading become criteria, one per row.
 */
import type { Builder } from './builder.js';
import { findComparison, parseComparison } from './comparison.js';
import { inlineLines } from './markdown.js';
import { WORD_END, WORD_START } from './patterns.js';
import { statusMark, statusWordAt } from './status.js';
import { matchPhase } from './phase-words.js';
import { withoutLeadingNoise } from './patterns.js';
import { slug as slugify } from './slug.js';
import type { TaskStatus } from '../ir/index.js';
import type { Token } from './token.js';

interface Row {
  readonly cells: string[];
  readonly line0: number;
}

/** A header naming the target column of a metric table. */
export const TARGET_RE = new RegExp(
  `target|goal|objetivo|objectif|${WORD_START}ziel|目標|${WORD_START}meta${WORD_END}|threshold`,
  'iu',
);
const PASS_RE = /pass|fail|rule|crit[ée]rio|r[èe]gle|regel|判定|合否/iu;
const BASELINE_RE = /baseline|current|before|atual|actuel|aktuell|現状/iu;

function clean(text: string): string {
  const bare = text.indexOf('**') === -1 && text.indexOf('__') === -1;
  return (bare ? text : text.replace(/\*\*|__/gu, '')).trim();
}

/** Parse a pass rule such as `✅ if ≥5%` or `✅ if 0`. */
export function parsePassRule(rule: string) {
  const body = rule
    .replace(/^[^\p{L}\p{N}<>≥≤=+-]+/u, '')
    .replace(/^(?:if|se|si|wenn|when)\s+/iu, '');
  return findComparison(body)?.comparison ?? parseComparison(body);
}

function collectRows(
  b: Builder,
  tokens: readonly Token[],
  start: number,
): { rows: Row[]; end: number } {
  const rows: Row[] = [];
  let cells: string[] = [];
  let line0 = 0;
  let j = start + 1;
  for (; j < tokens.length; j++) {
    const t = tokens[j] as Token;
    if (t.type === 'table_close') break;
    if (t.type === 'tr_open') {
      cells = [];
      line0 = t.map?.[0] ?? line0;
    } else if (t.type === 'inline') {
      const lines = inlineLines(t, b.mentions);
      cells.push(lines.map((l) => l.text).join(' '));
    } else if (t.type === 'tr_close') rows.push({ cells, line0 });
  }
  return { rows, end: j };
}

function metricsTable(
  b: Builder,
  rows: readonly Row[],
  header: readonly string[],
  targetCol: number,
): void {
  const nameCol = targetCol === 0 ? 1 : 0;
  const passCol = header.findIndex((h, i) => i !== targetCol && i !== nameCol && PASS_RE.test(h));
  const baseCol = header.findIndex(
    (h, i) => i !== targetCol && i !== nameCol && BASELINE_RE.test(h),
  );
  for (const row of rows.slice(1)) {
    const name = clean(row.cells[nameCol] ?? '');
    const target = clean(row.cells[targetCol] ?? '');
    if (name === '' || target === '') continue;
    const pos = b.pos(row.line0, target);
    const comparison = parseComparison(target) ?? findComparison(target)?.comparison;
    if (!comparison) {
      b.diag(
        'compile/unparsable-target',
        'warning',
        `The target "${target}" of metric "${name}" is not a comparison Pulser understands (such as ≥5%, <2% CPU, 0 new failures); write an operator and a number, or the metric can only be checked by hand.`,
        pos,
      );
    }
    const passRule = passCol >= 0 ? clean(row.cells[passCol] ?? '') : '';
    const passComparison = passRule ? parsePassRule(passRule) : undefined;
    const baseline = baseCol >= 0 ? clean(row.cells[baseCol] ?? '') : '';
    b.addMetric({
      name,
      target,
      comparison,
      passRule: passRule || undefined,
      passComparison,
      baseline: baseline || undefined,
      pos,
    });
  }
}

/** A header naming a status column. */
const STATUS_COL_RE =
  /^(?:status|state|estado|statut|[ée]tat|zustand|stand|状态|狀態|状態|ステータス|進捗|상태|статус|состояние)$/iu;
/** A header naming the column that says what the work is. */
const WORK_COL_RE =
  /^(?:tasks?|title|items?|work|features?|milestones?|deliverables?|descriptions?|names?|tareas?|tarefas?|t[âa]ches?|aufgaben?|任务|任務|タスク|작업|задачи|задача|описание|beschreibung|descripci[óo]n)$/iu;
/** A header naming an owner or estimate column: rows of such a table are work. */
const WORK_META_RE =
  /^(?:owners?|assignees?|estimates?|effort|hours|horas|stunden|heures|часы|工时|工時|priority|prioridad|prioridade|priorit[äé]t|priorité|优先级|優先度|우선순위|приоритет|responsable|respons[áa]vel|verantwortlich|担当者?|负责人|담당자?|ответственный)$/iu;
/** A header that names the task itself: a table with this column lists work, one task a row. */
const TASK_COL_RE =
  /^(?:tasks?|tareas?|tarefas?|t[âa]ches?|aufgaben?|任务|任務|タスク|작업|задачи|задача)$/iu;
/** A first column that names phases. */
const PHASE_COL_RE =
  /^(?:phases?|fases?|stages?|etapas?|[ée]tapes?|milestones?|sprints?|weeks?|versions?|releases?|阶段|階段|段階|フェーズ|단계|этап|фаза)$/iu;
const ID_COL_RE = /^(?:id|#|no\.?|nr\.?|n[º°])$/iu;

/** A status said by a table cell: a word first (`⏳ Pending` is pending), else a mark. */
export function cellStatus(cell: string): { status: TaskStatus; text: string } | undefined {
  const text = cell.replace(/~~/gu, '').trim();
  const word = statusWordAt(text.replace(/^[^\p{L}\p{N}]+/u, ''));
  if (word) return { status: word, text };
  const mark = statusMark(text);
  return mark ? { status: mark.status, text } : undefined;
}

/**
 * A table of work inside a phase (a task, status, owner, priority or estimate column): one
 * task per row,
 * its status from the status column.
 */
function taskTable(b: Builder, rows: readonly Row[], header: readonly string[]): boolean {
  const phase = b.frame.phase;
  if (!phase || b.task(false) || b.frame.nonWork) return false;
  const section = b.section;
  if (section !== undefined && section.kind !== 'tasks' && section.kind !== 'label') return false;
  const statusCol = header.findIndex((h) => STATUS_COL_RE.test(h));
  const taskCol = header.findIndex((h) => TASK_COL_RE.test(h));
  if (statusCol < 0 && taskCol < 0 && !header.some((h) => WORK_META_RE.test(h))) return false;
  const idCol = header.findIndex((h) => ID_COL_RE.test(h));
  let workCol = taskCol >= 0 ? taskCol : header.findIndex((h) => WORK_COL_RE.test(h));
  if (workCol < 0) workCol = header.findIndex((_, i) => i !== idCol && i !== statusCol);
  for (const row of rows.slice(1)) {
    const title = clean(row.cells[workCol] ?? '');
    if (title === '') continue;
    const label = idCol >= 0 ? clean(row.cells[idCol] ?? '') || undefined : undefined;
    const task = b.addTask(phase, {
      title,
      label,
      slug: label ? `task-${slugify(label)}` : undefined,
      pos: b.pos(row.line0),
    });
    const status = statusCol >= 0 ? cellStatus(clean(row.cells[statusCol] ?? '')) : undefined;
    if (status) {
      task.status = status.status;
      task.statusText = status.text;
    }
  }
  return true;
}

/**
 * A table that lists phases with a status column (an overview or progress table): each row's
 * status is that phase's own marker, applied when the phases are frozen.
 */
function phaseStatusTable(b: Builder, rows: readonly Row[], header: readonly string[]): boolean {
  const statusCol = header.findIndex((h) => STATUS_COL_RE.test(h));
  if (statusCol < 0 || !PHASE_COL_RE.test(header[0] ?? '')) return false;
  let found = false;
  for (const row of rows.slice(1)) {
    const first = clean(row.cells[0] ?? '').replace(/~~/gu, '');
    const named = matchPhase(withoutLeadingNoise(first));
    const label = named?.label ?? /^([0-9]+[A-Z]?(?:\.[0-9]+)?)$/u.exec(first)?.[1];
    if (label === undefined) continue;
    const status = cellStatus(clean(row.cells[statusCol] ?? ''));
    if (!status) continue;
    b.phaseRowStatus.push({
      label: label.toUpperCase(),
      status: status.status,
      text: status.text,
      pos: b.pos(row.line0),
    });
    found = true;
  }
  return found;
}

/** Handle the table starting at `tokens[start]`; returns the index of its `table_close`. */
export function onTable(b: Builder, tokens: readonly Token[], start: number): number {
  const { rows, end } = collectRows(b, tokens, start);
  const header = (rows[0]?.cells ?? []).map(clean);
  if (phaseStatusTable(b, rows, header)) return end;
  if (taskTable(b, rows, header)) return end;
  const targetCols = header.flatMap((h, i) => (TARGET_RE.test(h) ? [i] : []));
  if (targetCols.length === 1) {
    metricsTable(b, rows, header, targetCols[0] ?? 0);
    return end;
  }
  const section = b.section;
  if (targetCols.length === 0 && section?.kind === 'criteria') {
    const owner = b.owner(false);
    for (const row of rows.slice(1)) {
      const cells = row.cells.map(clean).filter((c) => c !== '');
      if (cells.length === 0) continue;
      const text =
        cells.length > 1 ? `${cells[0]}: ${cells.slice(1).join('; ')}` : (cells[0] ?? '');
      const mark = statusMark(text);
      b.addCriterion(
        owner,
        text,
        section.section,
        b.pos(row.line0),
        mark ? { status: mark.status } : {},
      );
    }
  }
  return end;
}
