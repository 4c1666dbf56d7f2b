/**
 * The words the compiler recognises, in English, Portuguese, French, Spanish, German and
 * Japanese. All regular expressions are compiled once, here.
 */
import type { Criterion, FileRef, PhaseKind } from '../ir/index.js';

/**
 * `\b` under the `i` and `u` flags, spelled out. With both flags, `\b` also counts `ſ` and the
 * Kelvin sign as word characters (they fold to `s` and `k`), and V8 then runs the whole search
 * about twenty times slower. Before a word that starts with a word character, `\b` is the
 * same test as {@link WORD_START}; after one that ends with one, the same as {@link WORD_END}.
 * boundary.test.ts checks each rewritten expression against its `\b` original.
 */
const WORD_CHAR = '[A-Za-z0-9_\\u017f\\u212a]';
/** No word character before this point (`\b` where a word character follows). */
export const WORD_START = `(?<!${WORD_CHAR})`;
/** No word character after this point (`\b` where a word character precedes). */
export const WORD_END = `(?!${WORD_CHAR})`;
/** A word character after this point (`\b` where a non-word character precedes). */
const WORD_NEXT = `(?=${WORD_CHAR})`;

/** A criteria section kind. */
export type CriteriaSection = Criterion['section'];

const PHASE_WORDS: ReadonlyArray<readonly [PhaseKind, string]> = [
  ['phase', 'phases?|fases?|フェーズ'],
  ['milestone', 'milestones?|marcos?|jalons?|hitos?|meilensteine?|マイルストーン'],
  ['week', 'weeks?|semaines?|semanas?|wochen?|週'],
  ['stream', 'work\\s?streams?|streams?|tracks?|lanes?|trilhas?|frentes?'],
  ['stage', 'stages?|etapas?|[ée]tapes?|stufen?|段階'],
  ['sprint', 'sprints?'],
  ['priority', 'priority|priorities|prioridades?|priorit[ée]s?|priorit[äa]t(?:en)?|優先度'],
];

const PHASE_WORD_KIND = new Map<string, PhaseKind>();
/** `(?:word)` alternation of every phase word, for the heading matcher. */
const PHASE_ALT = PHASE_WORDS.map(([, w]) => w).join('|');
const LABEL = '[A-Z]{0,2}\\d+(?:\\.\\d+)*[a-z]?|[A-Z]|[IVX]{1,4}';

/** `Phase N4: title`, `Milestone M0 — title`, `STREAM A: title`, `Week 1 Goals`, `フェーズ1：…`. */
export const PHASE_HEADING_RE = new RegExp(
  `^(${PHASE_ALT})\\s*(?:#\\s*)?(${LABEL})(?![\\p{L}\\p{N}_.])(?!\\s*[-–]\\s*\\d)\\s*[:：.)—–-]?\\s*(.*)$`,
  'iu',
);
/** A phase word with no label but a separator: `Milestone: Beta`. */
export const PHASE_UNLABELLED_RE = new RegExp(`^(${PHASE_ALT})\\s*[:：—–]\\s*(.+)$`, 'iu');
/** Japanese `第1週` / `第2段階`. */
export const JA_ORDINAL_RE = /^第\s*(\d+)\s*(週|段階|フェーズ)\s*[:：]?\s*(.*)$/u;

/** The phase kind a matched phase word stands for. */
export function phaseKindOf(word: string): PhaseKind {
  const key = word.toLowerCase();
  const cached = PHASE_WORD_KIND.get(key);
  if (cached) return cached;
  for (const [kind, alt] of PHASE_WORDS) {
    if (new RegExp(`^(?:${alt})$`, 'iu').test(word)) {
      PHASE_WORD_KIND.set(key, kind);
      return kind;
    }
  }
  return 'section';
}

/** `Task 1.1: title`, `Tarefa 2 — title`, `タスク3：…`. */
export const TASK_HEADING_RE =
  /^(?:task|tarefa|t[âa]che|tarea|aufgabe|タスク)\s*#?\s*([A-Za-z]?\d+(?:\.\d+)*|[A-Z]+-\d+)?\s*[:：.)—–-]\s*(.+)$/iu;
/**
 * An external task ID at the start of a line: `lift-sys-62:`, `T-022 Mission`, `PROJ-12 (P1)`.
 * An ID glued to more name (`API-01-guide.md - reference`) is a file name, not an ID.
 */
export const EXTERNAL_ID_RE =
  /^((?:[A-Z][A-Z0-9]{0,9}|[a-z][a-z0-9]*(?:-[a-z][a-z0-9]*)+)-\d+)(?=\s*[:：(—–]|\s+-|\s+[\p{Lu}\p{Lo}]|\s*$)/u;
/** A label at the start of a bold sub-task: `1.1: Release Notes`. */
export const SUBTASK_LABEL_RE = /^(?:task\s+)?(\d+(?:\.\d+)+|[A-Z]-?\d+)\s*[:.)—–-]\s*(.+)$/iu;

/** `Decision 1: …`, `Decision: …`, `Decision Point …`, `Décision 2 : …`. */
export const DECISION_HEADING_RE =
  /^(?:decision|decis[ãa]o|d[ée]cision|decisi[óo]n|entscheidung|決定|判断)(?![\p{L}])(?:\s+(point|ponto|punto)(?![\p{L}]))?\s*(#?\d+)?\s*([:：—–-])?\s*(.*)$/iu;
/** `Option A: …` as a heading or a list item. */
export const OPTION_RE = new RegExp(
  `^(?:option|op[çc][ãa]o|opci[óo]n)\\s+([A-Z0-9]{1,2})${WORD_END}\\s*[:：.)—–-]?\\s*(.*)$`,
  'iu',
);
/** `A) text`, `A. text`, `(A) text` as a list item under "Options:". */
export const OPTION_ITEM_RE = /^\(?([A-Z]|\d{1,2})[).:]\s+(.*)$/u;
/** `(Recommended)` and friends. */
export const RECOMMENDED_RE = new RegExp(
  // `recommandé` ends with a non-word character: `\b` after it wants a word character next.
  `${WORD_START}(?:recommended|recomendad[ao]|recommand[ée]?e|empfohlen)${WORD_END}|${WORD_START}recommandé${WORD_NEXT}|推奨`,
  'iu',
);
/** `Option A` inside a recommendation. */
export const RECOMMENDED_OPTION_RE = new RegExp(
  `${WORD_START}(?:option|op[çc][ãa]o|opci[óo]n)\\s+([A-Z0-9]{1,2})${WORD_END}`,
  'iu',
);
/** A heading that gives the recommendation of the preceding decision. */
export const RECOMMENDATION_HEADING_RE =
  /^(?:recommendation|recommended approach|recomenda[çc][ãa]o|recommandation|recomendaci[óo]n|empfehlung|推奨)/iu;

const CRITERIA: ReadonlyArray<readonly [CriteriaSection, RegExp]> = [
  [
    'evidence',
    /exit evidence|evid[êe]ncias? de sa[íi]da|preuves? de sortie|evidencias? de salida/iu,
  ],
  ['go-no-go', /go\s*[/-]?\s*no[\s-]*go/iu],
  [
    'exit',
    /exit criteria|exit conditions|completion criteria|(?:complete[d]?|done|finished) when|completad[ao]s? cuando|terminad[ao]s? cuando|conclu[íi]d[ao]s? quando|completo quando|abgeschlossen,? wenn|termin[ée]e? quand|crit[ée]rios? de sa[íi]da|crit[èe]res? de sortie|criterios? de salida|exit-?kriterien|austrittskriterien|終了(?:条件|基準)|完了(?:条件|基準)|完成(?:标准|條件|条件|標準)|완료\s?(?:기준|조건)|критерии\s+(?:завершения|готовности)/iu,
  ],
  [
    'acceptance',
    /acceptance|independent test|checkpoint|crit[ée]rios? de aceita[çc][ãa]o|crit[èe]res? d['’]acceptation|criterios? de aceptaci[óo]n|abnahmekriterien|akzeptanzkriterien|受け入れ(?:基準|条件)|验收(?:标准|条件)|驗收(?:標準|條件)|인수\s?(?:기준|조건)|수락\s?기준|критерии\s+приёмки|критерии\s+приемки/iu,
  ],
  [
    'success',
    /success criteria|success metrics|definition of done|done when|crit[ée]rios? de sucesso|crit[èe]res? de (?:succ[èe]s|r[ée]ussite)|criterios? de [ée]xito|erfolgskriterien|成功(?:基準|条件)/iu,
  ],
  ['validation', /validation|valida[çc][ãa]o|validaci[óo]n|validierung|検証/iu],
];

/** The criteria section a heading or label names, if any. */
const CRITERIA_ANY_RE = new RegExp(CRITERIA.map(([, re]) => `(${re.source})`).join('|'), 'iu');

export function criteriaSectionOf(text: string): CriteriaSection | undefined {
  const m = CRITERIA_ANY_RE.exec(text);
  if (!m) return undefined;
  for (let i = 0; i < CRITERIA.length; i++) if (m[i + 1] !== undefined) return CRITERIA[i]?.[0];
  return undefined;
}

/** What a label (`Owner:`, `Files to modify:`) or section heading introduces. */
export type LabelKind =
  | { readonly kind: 'criteria'; readonly section: CriteriaSection }
  | { readonly kind: 'files'; readonly action: FileRef['action'] }
  | {
      readonly kind:
        | 'commands'
        | 'tasks'
        | 'status'
        | 'goal'
        | 'owner'
        | 'estimate'
        | 'deadline'
        | 'priority'
        | 'depends'
        | 'dates'
        | 'options'
        | 'recommendation'
        | 'question'
        | 'target'
        | 'notes'
        | 'label';
    };

const FILES_RE = /^(?:files?|arquivos?|fichiers?|archivos?|dateien|ファイル)\b(.*)$/iu;
type SimpleKind = Exclude<LabelKind['kind'], 'criteria' | 'files' | 'notes' | 'label'>;
const LABELS: ReadonlyArray<readonly [SimpleKind, RegExp]> = [
  [
    'commands',
    /^(?:execution commands?|commands?( to run)?|run|how to run|comandos?( de execu[çc][ãa]o)?|commandes?( d['’]ex[ée]cution)?|befehle|ausf[üu]hrung|実行コマンド|コマンド)$/iu,
  ],
  [
    'tasks',
    /^(?:(?:sub-?)?tasks?|(?:likely |planned )?scope|deliverables|action items|to-?dos?|tarefas|t[âa]ches|tareas|aufgaben|entregables|livrables|entreg[áa]veis|タスク|作業)(?:\s*\(.*\))?$/iu,
  ],
  [
    'status',
    /^(?:status|state|estado|statut|[ée]tat|zustand|状態|状态|狀態|상태|статус|ステータス|進捗)$/iu,
  ],
  ['goal', /^(?:goals?|objective|objetivo|objectif|meta|ziel|目標|目的)$/iu],
  [
    'owner',
    /^(?:owners?|agent|assignees?|assigned to|lead|dri|respons[áa]vel|responsable|verantwortlich|担当者?)$/iu,
  ],
  [
    'estimate',
    /^(?:effort|estimate|estimated (?:time|effort)|time estimate|estimativa|esfor[çc]o|estimation|effort estim[ée]|estimaci[óo]n|esfuerzo|aufwand|sch[äa]tzung|見積もり|工数)$/iu,
  ],
  [
    'deadline',
    /^(?:deadline|due|due date|prazo|data limite|[ée]ch[ée]ance|date limite|fecha l[íi]mite|plazo|frist|f[äa]llig|期限|締め切り)$/iu,
  ],
  ['priority', /^(?:priority|prioridade|priorit[ée]|prioridad|priorit[äa]t|優先度)$/iu],
  [
    'depends',
    /^(?:depends on|dependencies|dependency|blocked by|requires|prerequisites?|depende de|depend[êe]ncias|d[ée]pend de|d[ée]pendances|dependencias|abh[äa]ngig(?:keiten| von)|依存|前提)$/iu,
  ],
  [
    'dates',
    /^(?:timeline|dates?|schedule|when|cronograma|calendrier|calendario|zeitplan|期間|日程)$/iu,
  ],
  ['options', /^(?:options|op[çc][õo]es|opciones|optionen|選択肢)$/iu],
  ['recommendation', RECOMMENDATION_HEADING_RE],
  ['question', /^(?:question|pergunta|questão|pregunta|frage|質問)$/iu],
  ['target', /target$|^(?:meta|objectif chiffr[ée]|zielwert)$/iu],
];

/** Classify a label or heading text (already stripped of marks and the trailing colon). */
export function labelKindOf(text: string): LabelKind | undefined {
  const known = labelCache.get(text);
  if (known !== undefined) return known === NOT_A_LABEL ? undefined : known;
  const kind = classifyLabel(text);
  if (labelCache.size > 4096) labelCache.clear();
  labelCache.set(text, kind ?? NOT_A_LABEL);
  return kind;
}

/** Cached for texts that are no label, so that one lookup answers both cases. */
const NOT_A_LABEL: LabelKind = { kind: 'question' };
const labelCache = new Map<string, LabelKind>();

function classifyLabel(text: string): LabelKind | undefined {
  const files = FILES_RE.exec(text);
  if (files) return { kind: 'files', action: fileActionOf(files[1] ?? '') };
  const section = criteriaSectionOf(text);
  if (section) return { kind: 'criteria', section };
  for (const [kind, re] of LABELS) if (re.test(text)) return { kind };
  return undefined;
}

/** The action a "Files to …" phrase names. */
export function fileActionOf(text: string): FileRef['action'] {
  const create = /creat|new|add|criar|cr[ée]er|crear|erstellen|neu|作成|新規/iu.test(text);
  const modify = /modif|updat|chang|edit|alterar|atualizar|changer|[äa]ndern|変更|修正/iu.test(
    text,
  );
  if (create && modify) return 'create-or-modify';
  if (create) return 'create';
  if (modify) return 'modify';
  if (/delet|remov|excluir|supprimer|eliminar|l[öo]schen|削除/iu.test(text)) return 'delete';
  return 'unknown';
}

/**
 * Every match of the global regular expression `re` in `text`, as `text.matchAll(re)` gives
 * them, without the copy of `re` that `matchAll` makes on each call (a measurable share of
 * compile time). `re` must be global and must not match the empty string.
 */
export function matchesOf(re: RegExp, text: string): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    out.push(m);
    if (m[0] === '') re.lastIndex++;
  }
  return out;
}

/** Leading characters that are not letters or digits (emoji, marks, bullets, quotes). */
export const LEADING_NOISE_RE = /^[^\p{L}\p{N}]+/u;

/** `text` without its leading noise ({@link LEADING_NOISE_RE}); an ASCII letter or digit first is kept as is. */
export function withoutLeadingNoise(text: string): string {
  const c = text.charCodeAt(0);
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57)) return text;
  return text.replace(LEADING_NOISE_RE, '');
}
/** A label at the start of a line: `Owner: …`, `Status: Completed.`, `Exit criteria:`. */
export const LABEL_RE = /^([^:：]{1,60}?)\s*[:：]\s*(.*)$/su;
/** `@NAME` mentions (not e-mail addresses, not npm scopes). */
export const MENTION_RE = /(?<![\w@./])@([A-Za-z][A-Za-z0-9_-]*[A-Za-z0-9]|[A-Za-z])(?![\w/@])/gu;
/** `P0`…`P4` priorities. */
export const PRIORITY_RE = /\b(P[0-4])\b/u;
/** A checkbox at the start of a list item. */
export const CHECKBOX_RE = /^\[([ xX])\]\s+/u;
/** Parentheticals. */
export const PAREN_RE = /\(([^()]{1,80})\)/gu;
/** A parenthetical that gives dates or a time window. */
export const DATES_RE = new RegExp(
  `${WORD_START}(?:weeks?|days?|months?|q[1-4]|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|end of|semanas?|semaines?|wochen?|mois|meses|\\d{4}-\\d{2}(?:-\\d{2})?)${WORD_END}|週|月`,
  'iu',
);
/** Shell fence languages. */
export const SHELL_LANGUAGES: ReadonlySet<string> = new Set([
  'bash',
  'sh',
  'shell',
  'zsh',
  'console',
  'shell-session',
  'shellsession',
  'terminal',
]);
