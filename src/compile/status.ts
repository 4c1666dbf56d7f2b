/**
 * Status words and marks: `(Completed)`, `(DONE)`, `→ Closed`, `✅`, `❌`, `⚠️`, `Concluído`,
 * `Terminé`, `完了`, `進行中`, `En cours`, ...
 */
import type { TaskStatus } from '../ir/index.js';
import { WORD_START, matchesOf } from './patterns.js';

const WORDS: ReadonlyArray<readonly [TaskStatus, string]> = [
  [
    'done',
    'done|completed?|closed|finished|shipped|resolved|delivered|merged|achieved|implemented|выполнено|сделано|готово|завершено|conclu[íi]d[oa]|feit[oa]|finalizad[oa]|termin[ée]e?|achev[ée]e?|fait|compl[ée]t[ée]e?|fini|completad[oa]|terminad[oa]|hecho|erledigt|abgeschlossen|fertig',
  ],
  [
    'in_progress',
    'in[ -]progress|ongoing|wip|started|underway|partial(?:ly)?(?: done)?|current focus|частично(?: сделано)?|в работе|в процессе|em andamento|em progresso|en cours|en progreso|en curso|in bearbeitung|in arbeit|l[äa]uft',
  ],
  ['blocked', 'blocked|bloquead[oa]|bloqu[ée]e?|blockiert'],
  [
    'deferred',
    'deferred|postponed|on hold|shelved|parked|deprioriti[sz]ed|future|later|long[- ]term|someday|removed|cancell?ed|dropped|zukunft|langfristig(?:es)?(?: ziel)?|futuro|отложено|adiad[oa]|report[ée]e?|diff[ée]r[ée]e?|diferid[oa]|pospuest[oa]|aplazad[oa]|zur[üu]ckgestellt|verschoben',
  ],
  [
    'open',
    'open|todo|to do|pending|not started|planned|next focus|remaining|ready|planificad[oa]|planead[oa]|siguiente|pr[óo]xim[oa]|geplant|запланировано|не начато|abert[oa]|pendente|ouverte?|[àa] faire|abiert[oa]|pendiente|offen',
  ],
];
const CJK: ReadonlyArray<readonly [TaskStatus, string]> = [
  ['done', '完了|済み|完成|終了|已完成|완료'],
  ['in_progress', '進行中|作業中|対応中|进行中|진행\\s*중'],
  ['blocked', 'ブロック'],
  ['deferred', '延期|保留'],
  ['open', '未着手|未完了|待开始|未开始|待办|예정|대기'],
];

/**
 * All status words as one anchored alternation, in the order of the lists above (so the first
 * status whose words match wins, as with one test per status), each followed by an empty group
 * that says which status matched. Leading marks and quotes are skipped: no status word starts
 * with one of them, so the skip never changes which word is found. It matches lower-cased text
 * (the words are written in lower case): a case-insensitive Unicode pattern this large costs a
 * command's start-up several times more to compile.
 */
const STATUS_WORD_RE = new RegExp(
  `^[^\\p{L}\\p{N}]*(?:${[
    ...WORDS.map(([, alt]) => `(?:${alt})(?![\\p{L}])()`),
    ...CJK.map(([, alt]) => `(?:${alt})()`),
  ].join('|')})`,
  'u',
);
const STATUS_BY_GROUP: readonly TaskStatus[] = [...WORDS, ...CJK].map(([status]) => status);

/** Status named by a word at the start of `text` (`Completed with …`, `DONE`, `Em andamento`). */
export function statusWordAt(text: string): TaskStatus | undefined {
  const m = STATUS_WORD_RE.exec(text.toLowerCase());
  if (!m) return undefined;
  for (let g = 1; g < m.length; g++) if (m[g] !== undefined) return STATUS_BY_GROUP[g - 1];
  return undefined;
}

const MARKS: ReadonlyArray<readonly [TaskStatus, RegExp]> = [
  ['done', /✅|✔|☑|\[x\]/iu],
  ['blocked', /❌|✖|⛔|🚫/u],
  ['in_progress', /⚠|⏳|🚧|🔄/u],
  ['open', /⚪|⏭|🔜/u],
];

/**
 * A code unit that every mark above contains: `[`, a symbol in U+2300–U+27BF or the lead
 * surrogate of the emoji (U+1F400–U+1F7FF). No `u` flag: it looks at code units.
 */
const MARK_HINT_RE = /[[\u2300-\u27bf\ud83d]/;

/** Status shown by a mark anywhere in `text` (`✅`, `❌`, `⚠️`). */
export function statusMark(
  text: string,
): { readonly status: TaskStatus; readonly text: string } | undefined {
  if (!MARK_HINT_RE.test(text)) return undefined;
  for (const [status, re] of MARKS) {
    const m = re.exec(text);
    if (m) return { status, text: m[0] };
  }
  return undefined;
}

/** Titles without any of these cannot state a status. */
const TITLE_HINT_RE = /[(（[→>⇒:：✅✔☑❌✖⛔🚫⚠⏳🚧🔄⚪⏭🔜]|\[x\]/iu;
/** `(Done)`, `[COMPLETE]`, full-width `（完了）`. */
const PAREN_60_RE = /[(（[]([^()（）[\]]{1,60})[)）\]]/gu;
/** `Status: Done` inside a title. */
export const STATUS_LABEL_RE = new RegExp(
  `${WORD_START}(?:status|estado|statut)\\s*[:：]\\s*(.+)$`,
  'iu',
);
const ARROW_RE = /(?:→|->|=>|⇒)\s*\**([^→]{1,30})$/u;

/**
 * Status a title states: `→ Closed`, `(Completed)`, `(DONE)`, `Status: Open`,
 * a `✅` mark. Undefined when the title says nothing.
 */
export function statusInTitle(
  title: string,
): { readonly status: TaskStatus; readonly text: string } | undefined {
  // Each search below needs a character the title may not have: look for it first.
  const arrow =
    title.indexOf('>') !== -1 || title.indexOf('→') !== -1 || title.indexOf('⇒') !== -1
      ? ARROW_RE.exec(title)
      : null;
  if (arrow) {
    if (!TITLE_HINT_RE.test(title)) return undefined;
    const s = statusWordAt(arrow[1] ?? '');
    if (s) return { status: s, text: arrow[0].trim() };
  }
  if (title.indexOf('(') !== -1 || title.indexOf('[') !== -1 || title.indexOf('（') !== -1) {
    for (const m of matchesOf(PAREN_60_RE, title)) {
      const s = statusWordAt(m[1] ?? '');
      if (s) return { status: s, text: m[0] };
    }
  }
  const label =
    title.indexOf(':') !== -1 || title.indexOf('：') !== -1 ? STATUS_LABEL_RE.exec(title) : null;
  if (label) {
    const s = statusWordAt(label[1] ?? '');
    if (s) return { status: s, text: label[0] };
  }
  return statusMark(title);
}
