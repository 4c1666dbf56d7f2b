/**
 * Makes text from a document or a process safe to print for a person: control characters
 * (C0 but newline and tab, DEL, C1), bidirectional overrides and isolates, and invisible
 * format characters are shown as escapes (`\x1b`, `\r`, `\u202e`), so a terminal escape or a
 * right-to-left override in a command can neither hide nor reorder what is shown.
 */

// C0 (but \t \n), DEL, C1, ALM, zero-width and directional marks, LS/PS, bidi embeddings and
// overrides, bidi isolates, BOM. Matching control characters is this module's purpose.
/* eslint-disable no-control-regex */
const HIDDEN_RE =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/gu;
const HIDDEN_LINE_RE =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/gu;
/* eslint-enable no-control-regex */

const NAMED: Readonly<Record<string, string>> = {
  '\r': '\\r',
  '\n': '\\n',
  '\t': '\\t',
  '\u001b': '\\x1b',
};

function escapeOne(c: string): string {
  const named = NAMED[c];
  if (named !== undefined) return named;
  const code = c.charCodeAt(0);
  return code < 0x20
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * `text` with every control, bidi and invisible format character shown as an escape; newlines
 * and tabs are kept (multi-line commands stay readable).
 * @example visible('echo hi\x1b[2K\r') // 'echo hi\\x1b[2K\\r'
 */
export function visible(text: string): string {
  HIDDEN_RE.lastIndex = 0;
  return HIDDEN_RE.test(text) ? text.replace(HIDDEN_RE, escapeOne) : text;
}

/** Like {@link visible}, for a one-line field (a title, an ID): newlines and tabs are escaped too. */
export function visibleLine(text: string): string {
  HIDDEN_LINE_RE.lastIndex = 0;
  return HIDDEN_LINE_RE.test(text) ? text.replace(HIDDEN_LINE_RE, escapeOne) : text;
}
