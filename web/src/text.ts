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
const SGR = /\u001b\[[0-9;]*m/gu;
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

/** Process output: colour codes (not rendered yet) dropped, every other hidden character shown. */
export function visibleOutput(text: string): string {
  return visible(text.replace(SGR, ''));
}

/**
 * Parses a JSON body and makes every string in it visible (see {@link visible}); `output`
 * for bodies of process output. Bodies without a hidden character (the usual case, decided on
 * the raw text) are returned as parsed.
 */
export function parseVisible(text: string, output = false): unknown {
  if (!IN_JSON.test(text)) return JSON.parse(text);
  const show = output ? visibleOutput : visible;
  return JSON.parse(text, (_key, value: unknown) =>
    typeof value === 'string' ? show(value) : value,
  );
}
