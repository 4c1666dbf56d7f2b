/**
 * Parsing of estimates: `(2 hours)`, `400 LOC, 2-3 days`, `1-2 days`, `1,300 LOC`, `30 min`.
 */
import type { Estimate, EstimatePart } from '../ir/index.js';
import { matchesOf } from './patterns.js';

type Unit = EstimatePart['unit'];

const UNITS: ReadonlyArray<readonly [Unit, RegExp]> = [
  ['minutes', /^(?:min(?:ute)?s?|minutos?|minuten?|分)$/iu],
  ['hours', /^(?:h|hrs?|hours?|horas?|heures?|stunden?|std|時間)$/iu],
  ['days', /^(?:d|days?|dias?|jours?|d[íi]as?|tage?n?|日間?|business days?|working days?)$/iu],
  ['weeks', /^(?:w|wks?|weeks?|semanas?|semaines?|wochen?|週間?)$/iu],
  ['months', /^(?:mos?|months?|meses|m[êe]s|mois|monate?n?|ヶ月|か月)$/iu],
  ['loc', /^(?:loc|lines?(?: of code)?|sloc)$/iu],
  ['points', /^(?:pts?|points?|sp|story points?)$/iu],
];

const PART_RE =
  /(\d[\d,]*(?:\.\d+)?)\s*(?:[-–]|to|a|à|bis|〜|~)?\s*(\d[\d,]*(?:\.\d+)?)?\s*(business days?|working days?|story points?|lines of code|[A-Za-zÀ-ÿ]+|時間|日間?|週間?|ヶ月|か月|分)/gu;

function num(text: string): number {
  return Number(text.replace(/,/g, ''));
}

/**
 * The unit words above as one anchored alternation, in their order (so the first unit whose
 * words match the whole word wins, as with one test per unit), each followed by an empty
 * group that names the unit.
 */
const UNIT_RE = new RegExp(
  `^(?:${UNITS.map(([, re]) => `(?:${re.source.slice(1, -1)})()`).join('|')})$`,
  'iu',
);

function unitOf(word: string): Unit | undefined {
  const m = UNIT_RE.exec(word);
  if (!m) return undefined;
  for (let g = 1; g < m.length; g++) if (m[g] !== undefined) return UNITS[g - 1]?.[0];
  return undefined;
}

/** Parse every `N unit` / `N-M unit` part of `text`; undefined when there is none. */
export function parseEstimate(text: string): Estimate | undefined {
  const parts: EstimatePart[] = [];
  for (const m of matchesOf(PART_RE, text)) {
    const unit = unitOf(m[3] ?? '');
    if (!unit) continue;
    const min = num(m[1] ?? '');
    const max = m[2] === undefined ? min : num(m[2]);
    if (!Number.isFinite(min) || !Number.isFinite(max)) continue;
    parts.push({ value: { min: Math.min(min, max), max: Math.max(min, max) }, unit });
  }
  if (parts.length === 0) return undefined;
  return { text: text.trim(), parts };
}

const ESTIMATE_START_RE = /^\s*[~≈]?\d/u;
const PAREN_40_RE = /\(([^()]{1,40})\)/gu;

/** An estimate given as a whole parenthetical in a title, such as `Session Archiving (2 hours)`. */
export function estimateInTitle(title: string): Estimate | undefined {
  if (title.indexOf('(') === -1) return undefined;
  for (const m of matchesOf(PAREN_40_RE, title)) {
    const inner = m[1] ?? '';
    if (!ESTIMATE_START_RE.test(inner)) continue;
    const estimate = parseEstimate(inner);
    if (estimate) return estimate;
  }
  return undefined;
}
