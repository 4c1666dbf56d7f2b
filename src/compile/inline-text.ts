/**
 * A light, linear reading of inline markdown into plain text: code spans, strong and
 * emphasis markers, links, images, autolinks, HTML tags, escapes and common entities.
 * markdown-it's own inline parser is switched off (it is half of its parse time and the
 * compiler needs only this much).
 */
import { MENTION_RE, matchesOf } from './patterns.js';

/** One line of an inline run, as plain text. */
export interface InlineLine {
  readonly text: string;
  /** Text of the strong emphasis the line starts with, if it does. */
  readonly boldText: string | undefined;
  /** Content of the inline code span the line starts with, if it does. */
  readonly leadingCode: string | undefined;
  readonly codes: readonly string[];
}

const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  '#39': "'",
};
const PUNCT = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

function isSpace(ch: string | undefined): boolean {
  return ch === undefined || ch === ' ' || ch === '\t' || PUNCT.includes(ch);
}

/** Collect `@NAME` mentions of `text` into `into`, in order of first appearance. */
export function collectMentions(text: string, into: Set<string>): void {
  if (text.indexOf('@') === -1) return;
  for (const m of matchesOf(MENTION_RE, text)) into.add(`@${m[1] ?? ''}`);
}

/** ASCII characters that may start inline markup (`\\`*_~![<&`): 1, others 0. */
const SPECIAL = new Uint8Array(0x80);
for (const ch of '\\`*_~![<&') SPECIAL[ch.charCodeAt(0)] = 1;
/** What `trim()` keeps: a character that is neither white space nor a line terminator. */
const NON_BLANK_RE = /\S/u;
/** Shared by every line without code spans (never mutated: the first code replaces it). */
const NO_CODES = Object.freeze([]) as unknown as string[];

/** Reads one line at a time; a single instance is reused so that reading allocates little. */
class LineReader {
  private line = '';
  private out = '';
  private prose = '';
  private started = false;
  private boldOpen = -1;
  private boldText: string | undefined;
  private leadingCode: string | undefined;
  private codes: string[] = NO_CODES;
  /** Whether the line holds an `@` at all: only then is `prose` built and searched for mentions. */
  private mentionable = false;
  /** Next `]`, `)`, `>` found at or after some point (-2: not searched yet), to stay linear. */
  private nextClose = [-2, -2, -2];
  /** Backtick run lengths with no closing run later on the line (bit n-1 for length n ≤ 31). */
  private noCloser = 0;

  read(line: string, mentions: Set<string>): InlineLine {
    this.line = line;
    this.out = '';
    this.prose = '';
    this.started = false;
    this.boldOpen = -1;
    this.boldText = undefined;
    this.leadingCode = undefined;
    this.codes = NO_CODES;
    this.mentionable = line.indexOf('@') !== -1;
    this.nextClose[0] = this.nextClose[1] = this.nextClose[2] = -2;
    this.noCloser = 0;
    const n = line.length;
    let start = 0;
    let i = 0;
    while (i < n) {
      const c = line.charCodeAt(i);
      if (c >= 0x80 || SPECIAL[c] === 0) {
        i++;
        continue;
      }
      if (i > start) this.emit(line.slice(start, i));
      i += this.special(i);
      start = i;
    }
    if (start < n) this.emit(line.slice(start, n));
    if (this.mentionable) collectMentions(this.prose, mentions);
    return {
      text: this.out.trim(),
      boldText: this.boldText,
      leadingCode: this.leadingCode,
      codes: this.codes,
    };
  }

  private emit(s: string): void {
    this.out += s;
    if (this.mentionable) this.prose += s;
    if (!this.started && NON_BLANK_RE.test(s)) this.started = true;
  }

  private indexOf(slot: number, c: string, from: number): number {
    const known = this.nextClose[slot] ?? -2;
    if (known === -1 || known >= from) return known;
    const found = this.line.indexOf(c, from);
    this.nextClose[slot] = found;
    return found;
  }

  /** Handle the special character at `i`; returns how many characters it consumed. */
  private special(i: number): number {
    const line = this.line;
    const ch = line[i] as string;
    switch (ch) {
      case '\\':
        if (i + 1 < line.length && PUNCT.includes(line[i + 1] as string)) {
          this.emit(line[i + 1] as string);
          return 2;
        }
        break;
      case '`':
        return this.code(i);
      case '*':
      case '_':
        return this.emphasis(i, ch);
      case '~':
        if (line[i + 1] === '~') return 2;
        break;
      case '!':
        if (line[i + 1] === '[') return 1;
        break;
      case '[':
        return this.link(i);
      case '<':
        return this.angle(i);
      case '&':
        return this.entity(i);
      default:
        break;
    }
    this.emit(ch);
    return 1;
  }

  private code(i: number): number {
    const line = this.line;
    let k = i;
    while (line[k] === '`') k++;
    const len = k - i;
    const fence = line.slice(i, k);
    const known = len <= 31 && (this.noCloser & (1 << (len - 1))) !== 0;
    const close = known ? -1 : line.indexOf(fence, k);
    if (close === -1 && len <= 31) this.noCloser |= 1 << (len - 1);
    if (close === -1 || line[close + len] === '`') {
      this.emit(fence);
      return len;
    }
    let code = line.slice(k, close);
    if (code.length > 1 && code.startsWith(' ') && code.endsWith(' ') && code.trim() !== '') {
      code = code.slice(1, -1);
    }
    if (!this.started) this.leadingCode = code;
    this.started = true;
    this.out += code;
    if (this.mentionable) this.prose += ' ';
    if (this.codes === NO_CODES) this.codes = [code];
    else this.codes.push(code);
    return close + len - i;
  }

  private emphasis(i: number, ch: string): number {
    const line = this.line;
    const before = line[i - 1];
    if (line[i + 1] === ch) {
      let k = i;
      while (line[k] === ch) k++;
      const after = line[k];
      const opens = after !== undefined && after !== ' ' && (ch === '*' || isSpace(before));
      const closes = before !== undefined && before !== ' ' && (ch === '*' || isSpace(after));
      if (opens || closes) {
        if (!this.started && opens && this.boldOpen === -1 && this.boldText === undefined) {
          this.boldOpen = this.out.length;
          this.started = true;
        } else if (closes && this.boldOpen !== -1) {
          this.boldText = this.out.slice(this.boldOpen).trim();
          this.boldOpen = -1;
        }
        return k - i;
      }
    }
    const after = line[i + 1];
    const flanking =
      (isSpace(before) && after !== undefined && after !== ' ') ||
      (before !== undefined && before !== ' ' && isSpace(after));
    if (flanking && !(ch === '_' && !isSpace(before) && !isSpace(after))) return 1;
    this.emit(ch);
    return 1;
  }

  private link(i: number): number {
    const line = this.line;
    const end = this.indexOf(0, ']', i + 1);
    const next = end === -1 ? undefined : line[end + 1];
    if (end !== -1 && (next === '(' || next === '[')) {
      const close = next === '(' ? this.indexOf(1, ')', end + 2) : this.indexOf(0, ']', end + 2);
      if (close !== -1) {
        this.emit(line.slice(i + 1, end).replace(/\*\*|__/gu, ''));
        return close + 1 - i;
      }
    }
    this.emit('[');
    return 1;
  }

  private angle(i: number): number {
    const line = this.line;
    // An HTML comment ends at `-->`, not at the first `>` (`<!-- verify: command \`a > b\` -->`).
    const comment = line.startsWith('<!--', i) ? line.indexOf('-->', i + 4) : -1;
    if (comment !== -1) return comment + 3 - i;
    const close = this.indexOf(2, '>', i + 1);
    const inner = close === -1 ? '' : line.slice(i + 1, close);
    if (/^[a-z][a-z0-9+.-]*:[^\s<>]*$/iu.test(inner)) {
      this.emit(inner);
      return close + 1 - i;
    }
    if (/^\/?[a-z][a-z0-9-]*(?:\s[^<>]*)?\/?$|^!--.*--$/iu.test(inner)) return close + 1 - i;
    this.emit('<');
    return 1;
  }

  private entity(i: number): number {
    const m = /^&(#?[a-z0-9]{2,8});/iu.exec(this.line.slice(i, i + 10));
    const decoded = m ? ENTITIES[(m[1] ?? '').toLowerCase()] : undefined;
    if (m && decoded !== undefined) {
      this.emit(decoded);
      return m[0].length;
    }
    this.emit('&');
    return 1;
  }
}

const reader = new LineReader();

function stripHardBreak(line: string): string {
  const last = line.charCodeAt(line.length - 1);
  if (last === 92) return line.slice(0, -1);
  return last === 32 ? line.trimEnd() : line;
}

const PLAIN_RE = /[\\`*_~![<&\n@]/u;
const PLAIN_FROM_RE = /[\\`*_~![<&\n@]/gu;

/**
 * Whether `content` is a checkbox (`[ ] `, `[x] `) followed by plain text. The reader turns
 * such a line into itself: the `[` is no link (its `]` is not followed by `(` or `[`) and
 * nothing after it is markup, so the reading can be skipped.
 */
function plainCheckbox(content: string): boolean {
  if (content.charCodeAt(0) !== 91 || content.charCodeAt(2) !== 93) return false;
  const next = content.charCodeAt(3);
  if (next === 40 || next === 91 || content.charCodeAt(1) === 93) return false;
  PLAIN_FROM_RE.lastIndex = 1;
  return !PLAIN_FROM_RE.test(content);
}

/** Split inline markdown into plain-text lines; mentions in prose (not code) go to `mentions`. */
export function readInline(content: string, mentions: Set<string>): InlineLine[] {
  if (!PLAIN_RE.test(content) || plainCheckbox(content)) {
    const text = content.trim();
    return [{ text, boldText: undefined, leadingCode: undefined, codes: NO_CODES }];
  }
  if (content.indexOf('\n') === -1) return [reader.read(stripHardBreak(content), mentions)];
  return content.split('\n').map((line) => reader.read(stripHardBreak(line), mentions));
}
