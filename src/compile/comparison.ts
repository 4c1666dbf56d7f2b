/**
 * Target phrases parsed into a {@link Comparison}: `≥5%`, `>=5`, `<2% CPU`, `>4.0/5.0`,
 * `0 new failures`, `-30-50%`, `≥ 70%`, `at least 3`.
 */
import type { Comparison } from '../ir/index.js';
import { WORD_END, WORD_START } from './patterns.js';

type Op = Comparison['op'];

const OPS: Readonly<Record<string, Op>> = {
  '≥': '>=',
  '>=': '>=',
  '=>': '>=',
  '⩾': '>=',
  '≤': '<=',
  '<=': '<=',
  '=<': '<=',
  '⩽': '<=',
  '>': '>',
  '<': '<',
  '=': '==',
  '==': '==',
};
const WORD_OPS: ReadonlyArray<readonly [RegExp, Op]> = [
  [
    /^(?:at least|min(?:imum)?|no less than|pelo menos|au moins|al menos|mindestens|以上)\s*/iu,
    '>=',
  ],
  [
    /^(?:at most|max(?:imum)?|no more than|up to|under|below|no m[áa]ximo|au plus|como m[áa]ximo|h[öo]chstens|以下)\s*/iu,
    '<=',
  ],
  [/^(?:over|above|more than|mais de|plus de|m[áa]s de|mehr als)\s*/iu, '>'],
  [/^(?:less than|menos de|moins de|weniger als)\s*/iu, '<'],
];

const NUMBER = '\\d[\\d,]*(?:\\.\\d+)?';
const PHRASE_RE = new RegExp(
  `^(≥|>=|=>|⩾|≤|<=|=<|⩽|==|>|<|=)?\\s*([+\\-−])?\\s*(${NUMBER})(?:\\s*(?:[-–]|to|a|à|bis)\\s*([+\\-−])?\\s*(${NUMBER}))?(?:\\s*\\/\\s*(${NUMBER}))?(?:\\s*(%)|([a-zA-Zµ]+)(?=$|[\\s,;)(.]))?\\s*(.*)$`,
  'u',
);
/** What every comparison inside a text contains: one search instead of the full one. */
const MAYBE_RE = /[≥≤<>⩾⩽]|at (?:least|most)/i;
/** Where a comparison starts inside a longer text (an operator followed by a number). */
export const COMPARISON_START_RE = new RegExp(
  `(≥|>=|⩾|≤|<=|⩽|(?<![-=<])>(?!=)|<(?![-=])|${WORD_START}at least${WORD_END}|${WORD_START}at most${WORD_END})\\s*[+\\-−]?\\s*\\d`,
  'iu',
);

function num(text: string): number {
  return Number(text.replace(/,/g, ''));
}

function unitFrom(attached: string | undefined, rest: string): string | undefined {
  if (attached) return attached;
  const words = /^([a-zA-Z][a-zA-Z-]*(?:\s+[a-zA-Z][a-zA-Z-]*)?)/u.exec(rest);
  return words?.[1];
}

/** Parse a target phrase; undefined when it is not a comparison. */
export function parseComparison(input: string): Comparison | undefined {
  let text = input.replace(/\*\*|__|`/gu, '').trim();
  let op: Op | undefined;
  for (const [re, wordOp] of WORD_OPS) {
    const m = re.exec(text);
    if (m) {
      op = wordOp;
      text = text.slice(m[0].length);
      break;
    }
  }
  const m = PHRASE_RE.exec(text);
  if (!m) return undefined;
  const [, sym, sign, a, sign2, b, scale, percent, attached, rest = ''] = m;
  if (sym) op = OPS[sym];
  const negative = sign === '-' || sign === '−';
  const relative = sign !== undefined;
  const v = num(a ?? '') * (negative ? -1 : 1);
  const result: { -readonly [K in keyof Comparison]: Comparison[K] } = { op: op ?? '==', value: v };
  if (b !== undefined) {
    const w = num(b) * (negative || sign2 === '-' || sign2 === '−' ? -1 : 1);
    if (!op) {
      result.op = 'between';
      result.value = Math.min(v, w);
      result.max = Math.max(v, w);
    }
  } else if (!op && relative) {
    result.op = negative ? '<=' : '>=';
  }
  const unit = unitFrom(percent ?? attached, rest.trim());
  if (unit) result.unit = unit;
  if (scale !== undefined) result.scale = num(scale);
  if (relative) result.relative = true;
  if (!Number.isFinite(result.value)) return undefined;
  return result;
}

/** Find and parse the first comparison inside a longer text (`Eval coverage ≥ 70% of flows`). */
export function findComparison(
  text: string,
): { readonly phrase: string; readonly comparison: Comparison } | undefined {
  if (!MAYBE_RE.test(text)) return undefined;
  const m = COMPARISON_START_RE.exec(text);
  if (!m) return undefined;
  const phrase =
    text
      .slice(m.index)
      .split(/[,;()]|\s[-–]\s/u)[0]
      ?.trim() ?? '';
  const comparison = parseComparison(phrase);
  return comparison ? { phrase, comparison } : undefined;
}
