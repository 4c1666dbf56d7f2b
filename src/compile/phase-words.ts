/**
 * Phase vocabulary: `Phase 2`, `Milestone M0`, `Sprint 3`, `Week 1`, `Day 2`, `Version 0.4`,
 * `v0.3`, `2026 Q1`, `M2 —`, `F1 —`, `阶段 1`, `단계 2`, `Этап 3`, in the languages the compiler
 * reads. A match says which kind of container the heading names and its label.
 */
import type { PhaseKind } from '../ir/index.js';
import { JA_ORDINAL_RE, PHASE_HEADING_RE, PHASE_UNLABELLED_RE, phaseKindOf } from './patterns.js';

/** A heading that names a phase: its kind, the word, the label and the rest of the title. */
export interface PhaseMatch {
  readonly kind: PhaseKind;
  readonly word: string;
  readonly label: string | undefined;
  readonly rest: string;
}

/** Phase words of other scripts and day stages: `阶段 1`, `단계 2`, `Этап 3`, `Day 2`, `DÍA 1`. */
const MORE_RE =
  /^(阶段|階段|단계|этап|стадия|фаза|спринт|неделя|день|day|d[íi]a|jour|tag|dia)\s*(\d+(?:\.\d+)?[A-Za-z]?)(?![\p{L}\p{N}])(?!\s*[-–]\s*\d)\s*[:：.)—–-]?\s*(.*)$/iu;
/** `第1阶段`, `第2周`. */
const ZH_ORDINAL_RE = /^第\s*(\d+)\s*(阶段|周|天|步)\s*[:：]?\s*(.*)$/u;
/** `Version 0.4.1 - title`, `Versión 2`, `Release 1.2`, `v0.3: title`. */
const VERSION_RE =
  /^(?:(version|versi[óo]n|vers[ãa]o|release)\s+v?(\d+(?:\.\d+)*(?:\.x)?\+?)|v(\d+\.\d+(?:\.\d+)?(?:\.x)?))(?![\p{L}\p{N}])\s*[:：.)—–-]?\s*(.*)$/iu;
/** `2026 Q1 Milestones`, `Q3 2026: title`. */
const QUARTER_RE = /^(?:(\d{4})\s+)?(Q[1-4])(?:\s+(\d{4}))?(?![\p{L}\p{N}])\s*[:：.)—–-]?\s*(.*)$/u;
/** `M2 — title`, `F1 — title` (a letter and a number, then a dash or colon). */
const LETTER_STEP_RE = /^([MF]\d{1,2})\s*[—–:：-]\s*(.+)$/u;

/** The phase word, label and remaining title of a heading's core text, if it names a phase. */
/** Whether a match names a day (`Day 2`, `DÍA 1`, `День 3`): a time box like a week. */
export function isDay(pm: PhaseMatch): boolean {
  return /^(?:day|d[íi]a|jour|tag|день|天)$/iu.test(pm.word);
}

export function matchPhase(core: string): PhaseMatch | undefined {
  const m = PHASE_HEADING_RE.exec(core);
  // `Phases & Verification`, `Fases de Desarrollo`: a plural, not a phase labelled “s”.
  if (m && /^s$/iu.test(m[2] ?? '') && /^s(?![\p{L}\p{N}])/iu.test(core.slice((m[1] ?? '').length)))
    return undefined;
  if (m) {
    const word = m[1] ?? '';
    return {
      kind: phaseKindOf(word),
      word,
      label: (m[2] ?? '').toUpperCase(),
      rest: (m[3] ?? '').trim(),
    };
  }
  const ja = JA_ORDINAL_RE.exec(core);
  if (ja) {
    const word = ja[2] ?? '';
    return { kind: phaseKindOf(word), word, label: ja[1], rest: (ja[3] ?? '').trim() };
  }
  const u = PHASE_UNLABELLED_RE.exec(core);
  if (u)
    return {
      kind: phaseKindOf(u[1] ?? ''),
      word: u[1] ?? '',
      label: undefined,
      rest: (u[2] ?? '').trim(),
    };
  return matchMore(core);
}

function matchMore(core: string): PhaseMatch | undefined {
  const more = MORE_RE.exec(core);
  if (more) {
    const word = more[1] ?? '';
    const lower = word.toLowerCase();
    const kind: PhaseKind = lower === 'спринт' ? 'sprint' : lower === 'неделя' ? 'week' : 'stage';
    return { kind, word, label: (more[2] ?? '').toUpperCase(), rest: (more[3] ?? '').trim() };
  }
  const zh = ZH_ORDINAL_RE.exec(core);
  if (zh) {
    const kind: PhaseKind = zh[2] === '周' ? 'week' : 'stage';
    return { kind, word: zh[2] ?? '', label: zh[1], rest: (zh[3] ?? '').trim() };
  }
  const v = VERSION_RE.exec(core);
  if (v)
    return {
      kind: 'milestone',
      word: v[1] ?? 'v',
      label: (v[2] ?? v[3] ?? '').toUpperCase(),
      rest: (v[4] ?? '').trim(),
    };
  const q = QUARTER_RE.exec(core);
  if (q)
    return {
      kind: 'milestone',
      word: 'quarter',
      label: `${q[1] ?? q[3] ?? ''}${(q[1] ?? q[3]) ? '-' : ''}${q[2] ?? ''}`,
      rest: (q[4] ?? '').trim(),
    };
  const s = LETTER_STEP_RE.exec(core);
  if (s) return { kind: 'milestone', word: '', label: s[1], rest: (s[2] ?? '').trim() };
  return undefined;
}
