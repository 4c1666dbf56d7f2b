// Text from documents and processes, made safe to show: control and bidi characters become
// visible marks instead of hiding, overwriting or reordering what a person reads.

/**
 * Characters that hide or reorder text: C0 controls except tab and newline, DEL, C1 controls,
 * bidi embeddings, overrides, isolates and marks, zero-width spaces, word joiners, the BOM.
 */
/* eslint-disable no-control-regex -- finding control characters is the point */
const HIDDEN =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/gu;
const HAS_HIDDEN = new RegExp(HIDDEN.source, 'u');
/* eslint-enable no-control-regex */
/** In JSON text: an escaped C0 control other than \n and \t, or a raw hidden character. */
const IN_JSON =
  /\\u00[01][0-9a-fA-F]|\\[rbf]|[\u007f-\u009f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/u;

const NAMES: Readonly<Record<number, string>> = {
  0x00: 'NUL',
  0x07: 'BEL',
  0x08: 'BS',
  0x0b: 'VT',
  0x0c: 'FF',
  0x0d: 'CR',
  0x1b: 'ESC',
  0x7f: 'DEL',
};

/** `[ESC]`, `[CR]`, `[U+202E]`: plain ASCII, so that every font shows it. */
function mark(c: string): string {
  const code = c.codePointAt(0)!;
  return `[${NAMES[code] ?? `U+${code.toString(16).toUpperCase().padStart(4, '0')}`}]`;
}

/**
 * `text` with every hidden character shown as a mark: `[ESC][2K[CR]` for terminal escapes,
 * `[U+202E]` for a right-to-left override. A CR that ends a line (CRLF) is kept.
 *
 * @example
 * visible('echo \u202Eevil'); // 'echo [U+202E]evil'
 */
export function visible(text: string): string {
  if (!HAS_HIDDEN.test(text)) return text;
  return text.replace(HIDDEN, (c, at: number) =>
    c === '\r' && text[at + 1] === '\n' ? c : mark(c),
  );
}

/* eslint-disable no-control-regex -- an SGR sequence starts with ESC */
const SGR_AT = /\u001b\[[0-9;]{0,40}m/uy;
/* eslint-enable no-control-regex */

/**
 * Process output with its colour codes (SGR sequences) kept for {@link ansiRuns} to style, and
 * every other hidden character shown as a mark (cursor moves, erases, bidi overrides).
 */
export function visibleKeepingColour(text: string): string {
  if (!HAS_HIDDEN.test(text)) return text;
  return text.replace(HIDDEN, (c, at: number) => {
    if (c === '\r' && text[at + 1] === '\n') return c;
    if (c === '\u001b') {
      SGR_AT.lastIndex = at;
      if (SGR_AT.test(text)) return c;
    }
    return mark(c);
  });
}

/** A run of text in one style: `fg`/`bg` are CSS colours computed here, never taken from text. */
export interface Styled {
  readonly text: string;
  readonly fg: string | null;
  readonly bg: string | null;
  readonly bold: boolean;
  readonly dim: boolean;
  readonly italic: boolean;
  readonly underline: boolean;
}

/** The 16 terminal colours (xterm's defaults, readable on the log's dark background). */
const BASIC = [
  '#4d4d4d',
  '#ff6b6b',
  '#5fd75f',
  '#e5c07b',
  '#61afef',
  '#c678dd',
  '#56b6c2',
  '#d0d0d0',
  '#808080',
  '#ff8787',
  '#87ff87',
  '#ffff87',
  '#87afff',
  '#ff87ff',
  '#87ffff',
  '#ffffff',
];

function color256(n: number): string | null {
  if (!Number.isInteger(n) || n < 0 || n > 255) return null;
  if (n < 16) return BASIC[n]!;
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v},${v},${v})`;
  }
  const c = n - 16;
  const level = (x: number) => (x === 0 ? 0 : 55 + x * 40);
  return `rgb(${level(Math.floor(c / 36))},${level(Math.floor(c / 6) % 6)},${level(c % 6)})`;
}

type Style = Omit<Styled, 'text'>;
const PLAIN: Style = {
  fg: null,
  bg: null,
  bold: false,
  dim: false,
  italic: false,
  underline: false,
};

/** Applies one SGR sequence's parameters to `s`. */
function applySgr(s: Style, params: string): Style {
  const p = params === '' ? [0] : params.split(';').map((x) => (x === '' ? 0 : Number(x)));
  let out = { ...s };
  for (let i = 0; i < p.length; i++) {
    const n = p[i]!;
    if (n === 0) out = { ...PLAIN };
    else if (n === 1) out.bold = true;
    else if (n === 2) out.dim = true;
    else if (n === 3) out.italic = true;
    else if (n === 4) out.underline = true;
    else if (n === 22) out = { ...out, bold: false, dim: false };
    else if (n === 23) out.italic = false;
    else if (n === 24) out.underline = false;
    else if (n >= 30 && n <= 37) out.fg = BASIC[n - 30]!;
    else if (n >= 90 && n <= 97) out.fg = BASIC[n - 90 + 8]!;
    else if (n === 39) out.fg = null;
    else if (n >= 40 && n <= 47) out.bg = BASIC[n - 40]!;
    else if (n >= 100 && n <= 107) out.bg = BASIC[n - 100 + 8]!;
    else if (n === 49) out.bg = null;
    else if (n === 38 || n === 48) {
      let c: string | null = null;
      if (p[i + 1] === 5) {
        c = color256(p[i + 2]!);
        i += 2;
      } else if (p[i + 1] === 2) {
        const [r, g, b] = [p[i + 2], p[i + 3], p[i + 4]].map((x) =>
          Math.min(255, Math.max(0, x ?? 0)),
        );
        c = `rgb(${r},${g},${b})`;
        i += 4;
      }
      if (n === 38) out.fg = c;
      else out.bg = c;
    }
  }
  return out;
}

/* eslint-disable no-control-regex -- SGR sequences start with ESC */
const SGR_ONE = /\u001b\[([0-9;]{0,40})m/gu;
/* eslint-enable no-control-regex */

/**
 * Process output as styled runs: SGR colour codes become styles (bold, colours: computed CSS
 * values, never text from the output), every other control or bidi character is shown as a
 * mark by {@link visible}. Returns the style in effect at the end, to continue the next line.
 */
export function ansiRuns(text: string, start: Style = PLAIN): { runs: Styled[]; end: Style } {
  const runs: Styled[] = [];
  let style = start;
  let at = 0;
  const push = (chunk: string) => {
    if (chunk !== '') runs.push({ ...style, text: visible(chunk) });
  };
  for (const m of text.matchAll(SGR_ONE)) {
    push(text.slice(at, m.index));
    style = applySgr(style, m[1]!);
    at = m.index + m[0].length;
  }
  push(text.slice(at));
  return { runs, end: style };
}

/** The plain style (no colour, no weight). */
export const PLAIN_STYLE: Style = PLAIN;

/**
 * Parses a JSON body and makes every string in it visible (see {@link visible}); `output`
 * for bodies of process output, whose colour codes are kept for {@link ansiRuns}. Bodies without a hidden character (the usual case, decided on
 * the raw text) are returned as parsed.
 */
export function parseVisible(text: string, output = false): unknown {
  if (!IN_JSON.test(text)) return JSON.parse(text);
  const show = output ? visibleKeepingColour : visible;
  return JSON.parse(text, (_key, value: unknown) =>
    typeof value === 'string' ? show(value) : value,
  );
}
