/**
 * Tables: metric tables (a "Target" column, optional pass rule and baseline) become metric
 * targets; other tables under a criteria heading become criteria, one per row.
 */
import type { Builder } from './builder.js';
import { findComparison, parseComparison } from './comparison.js';
import { inlineLines } from './markdown.js';
import { WORD_END, WORD_START } from './patterns.js';
import { statusMark } from './status.js';
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

/** Handle the table starting at `tokens[start]`; returns the index of its `table_close`. */
export function onTable(b: Builder, tokens: readonly Token[], start: number): number {
  const { rows, end } = collectRows(b, tokens, start);
  const header = (rows[0]?.cells ?? []).map(clean);
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
