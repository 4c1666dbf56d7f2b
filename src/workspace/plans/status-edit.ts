/**
 * Where and how to write a checkbox state or a status into a plan's text. Pure: it proposes
 * candidate edits; the write-back keeps the first one that compiles to what was asked.
 */
import type { Phase, Plan, Task, TaskStatus } from '../../ir/schema.js';
import { asMojibake, lineBounds, offsetOf, type TextEdit } from './source-edit.js';

/** The decoded text of a plan and what is needed to place edits in it. */
export interface EditContext {
  readonly text: string;
  readonly starts: ReadonlyArray<number>;
  readonly repairedFrom: Plan['repairedFrom'];
}

const BOX_RE = /^\[[ xX]\]/u;
const LIST_BOX_RE = /^(\s*(?:[-*+]|\d+[.)])\s+)\[[ xX]\]/u;

/** Offset of the `[` of the checkbox at `pos` (or of the list item on that line), or -1. */
export function checkboxAt(ctx: EditContext, line: number, column: number): number {
  const at = offsetOf(ctx.starts, line, column);
  if (at >= 0 && BOX_RE.test(ctx.text.slice(at, at + 3))) return at;
  const [start, end] = lineBounds(ctx.text, ctx.starts, line);
  const m = LIST_BOX_RE.exec(ctx.text.slice(start, end));
  return m === null ? -1 : start + (m[1]?.length ?? 0);
}

/** The edit that sets the checkbox whose `[` is at `at`; null when it already is. */
export function boxEdit(ctx: EditContext, at: number, checked: boolean): TextEdit | null {
  const from = ctx.text.charAt(at + 1);
  const isChecked = from === 'x' || from === 'X';
  if (isChecked === checked) return null;
  return { offset: at + 1, from, to: checked ? 'x' : ' ' };
}

const WORDS: Readonly<Record<TaskStatus, string>> = {
  open: 'Open',
  in_progress: 'In progress',
  done: 'Done',
  blocked: 'Blocked',
  deferred: 'Deferred',
};

const MARKS: Readonly<Partial<Record<TaskStatus, string>>> = {
  done: '✅',
  blocked: '❌',
  in_progress: '⏳',
};

/** `word` in the letter case of `sample` (`DONE`, `done`, `Done`). */
function caseLike(word: string, sample: string): string {
  if (/\p{L}/u.test(sample) && sample === sample.toUpperCase()) return word.toUpperCase();
  if (sample === sample.toLowerCase()) return word.toLowerCase();
  return word;
}

interface Found {
  readonly offset: number;
  /** The status text as it stands in the source (mojibake included). */
  readonly raw: string;
  /** The status text as the compiler read it (mojibake repaired). */
  readonly text: string;
}

function lineRange(node: Task | Phase, ctx: EditContext): number[] {
  const last = Math.min(ctx.starts.length, node.pos.endLine ?? node.pos.line + 30);
  return Array.from({ length: Math.max(1, last - node.pos.line + 1) }, (_, i) => node.pos.line + i);
}

function findStatusText(node: Task | Phase, ctx: EditContext): Found | null {
  const wanted = node.statusText;
  if (wanted === undefined) return null;
  const forms = [...new Set([asMojibake(wanted, ctx.repairedFrom), wanted])];
  for (const line of lineRange(node, ctx)) {
    const [start, end] = lineBounds(ctx.text, ctx.starts, line);
    const text = ctx.text.slice(start, end);
    for (const raw of forms) {
      const i = text.lastIndexOf(raw);
      if (i >= 0) return { offset: start + i, raw, text: wanted };
    }
  }
  return null;
}

const LABEL_RE = /(?:status|estado|statut)\**\s*[:：]\**\s*/iu;
const WORD_RUN_RE = /\p{L}[\p{L}\p{M}]*(?:[ -]\p{L}[\p{L}\p{M}]*)?/u;

/** The status word after a `Status:` label on the node's lines, when there is one. */
function findLabelWord(node: Task | Phase, ctx: EditContext): TextEdit | null {
  for (const line of lineRange(node, ctx)) {
    const [start, end] = lineBounds(ctx.text, ctx.starts, line);
    const text = ctx.text.slice(start, end);
    const label = LABEL_RE.exec(text);
    if (label === null) continue;
    const after = label.index + label[0].length;
    const word = WORD_RUN_RE.exec(text.slice(after));
    if (word === null || word.index !== 0) continue;
    return { offset: start + after, from: word[0], to: word[0] };
  }
  return null;
}

function withWord(edit: TextEdit, status: TaskStatus): TextEdit {
  return { ...edit, to: caseLike(WORDS[status], edit.from) };
}

/** Candidate edits replacing the status text the document already shows. */
function replaceCandidates(node: Task | Phase, status: TaskStatus, ctx: EditContext): TextEdit[][] {
  const out: TextEdit[][] = [];
  const found = findStatusText(node, ctx);
  const mark = MARKS[status];
  if (found !== null) {
    const { offset, raw, text } = found;
    const paren = /^\((.*)\)$/su.exec(text);
    const arrow = /^(?:→|->|=>|⇒)\s*\**(.*?)\**$/su.exec(text);
    const wordAt = (word: string): TextEdit | null => {
      const i = raw.lastIndexOf(word);
      return i < 0 || word === '' ? null : { offset: offset + i, from: word, to: '' };
    };
    if (paren !== null && raw.startsWith('(') && raw.endsWith(')')) {
      out.push([withWord({ offset: offset + 1, from: raw.slice(1, -1), to: '' }, status)]);
    } else if (arrow?.[1] !== undefined) {
      const edit = wordAt(arrow[1]);
      if (edit !== null) out.push([withWord(edit, status)]);
    } else if (!/\p{L}/u.test(text)) {
      if (mark !== undefined) {
        out.push([{ offset, from: raw, to: asMojibake(mark, ctx.repairedFrom) }]);
      }
      const before = ctx.text.charAt(offset - 1) === ' ' ? 1 : 0;
      const after = before === 0 && ctx.text.charAt(offset + raw.length) === ' ' ? 1 : 0;
      const span = ctx.text.slice(offset - before, offset + raw.length + after);
      if (status === 'open' || mark === undefined) {
        const word = status === 'open' ? '' : ` (${WORDS[status]})`;
        out.push([{ offset: offset - before, from: span, to: word }]);
      }
    } else {
      const word = WORD_RUN_RE.exec(text.replace(LABEL_RE, (m) => ' '.repeat(m.length)));
      const edit = word === null ? null : wordAt(word[0]);
      if (edit !== null) out.push([withWord(edit, status)]);
    }
  }
  const label = findLabelWord(node, ctx);
  if (label !== null) out.push([withWord(label, status)]);
  return out;
}

/** Candidate edits appending a status mark or word to the node's title line. */
function appendCandidates(node: Task | Phase, status: TaskStatus, ctx: EditContext): TextEdit[][] {
  const [start, end] = lineBounds(ctx.text, ctx.starts, node.pos.line);
  const line = ctx.text.slice(start, end);
  const closing = /\s+#+\s*$/u.exec(line);
  const trimmed = (closing === null ? line : line.slice(0, closing.index)).trimEnd();
  const at = start + trimmed.length;
  const mark = MARKS[status];
  const texts = [
    ...(mark === undefined ? [] : [` ${asMojibake(mark, ctx.repairedFrom)}`]),
    ` (${WORDS[status]})`,
  ];
  return texts.map((to) => [{ offset: at, from: '', to }]);
}

/**
 * Candidate edit sets, best first, that make the document state `status` for `node`: flip its
 * own checkbox, replace the status text it shows, or append a mark to its title line.
 */
export function statusCandidates(
  node: Task | Phase,
  status: TaskStatus,
  ctx: EditContext,
): TextEdit[][] {
  const out: TextEdit[][] = [];
  const box = node.kind === 'task' ? checkboxAt(ctx, node.pos.line, node.pos.column) : -1;
  const rest = [...replaceCandidates(node, status, ctx), ...appendCandidates(node, status, ctx)];
  if (box >= 0) {
    const edit = boxEdit(ctx, box, status === 'done');
    const flip = edit === null ? [] : [edit];
    if (flip.length > 0) out.push(flip);
    for (const r of rest) out.push([...flip, ...r]);
    return out;
  }
  return rest;
}
