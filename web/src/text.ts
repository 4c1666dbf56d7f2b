// Text from documents and processes, made safe to show: control and bidi characters become
// visible marks instead of hiding, overwriting or reordering what a person reads.

/**
 * Characters that hide or reorder text: C0 controls except tab and newline, DEL, C1 controls,
 * bidi embeddings, overrides, isolates and marks, zero-width spaces, word joiners, the BOM.
 */
/* eslint-disable no-control-regex -- finding control characters is the point */
const HIDDEN =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/gu;
const SGR = /\u001b\[[0-9;]*m/gu;
/* eslint-enable no-control-regex */
/** In JSON text: an escaped C0 control other than \n and \t, or a raw hidden character. */
const IN_JSON =
  /\\u00[01][0-9a-fA-F]|\\[rbf]|[\u007f-\u009f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/u;

function mark(c: string): string {
  const code = c.codePointAt(0)!;
  if (code < 0x20) return String.fromCodePoint(0x2400 + code); // ␛ ␍ ␀ …
  if (code === 0x7f) return '\u2421'; // ␡
  return `[U+${code.toString(16).toUpperCase().padStart(4, '0')}]`;
}

/**
 * `text` with every hidden character shown as a mark: `␛[2K␍` for terminal escapes,
 * `[U+202E]` for a right-to-left override. A CR that ends a line (CRLF) is kept.
 *
 * @example
 * visible('echo \u202Eevil'); // 'echo [U+202E]evil'
 */
export function visible(text: string): string {
  return text.replace(HIDDEN, (c, at: number) =>
    c === '\r' && text[at + 1] === '\n' ? c : mark(c),
  );
}

/** Process output: colour codes (not rendered yet) dropped, every other hidden character shown. */
export function visibleOutput(text: string): string {
  return visible(text.replace(SGR, ''));
}

function deep(v: unknown, show: (s: string) => string): unknown {
  if (typeof v === 'string') return show(v);
  if (Array.isArray(v)) return v.map((x) => deep(x, show));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = deep(x, show);
    return out;
  }
  return v;
}

/**
 * Parses a JSON body and makes every string in it visible (see {@link visible}); `output`
 * for bodies of process output. Bodies without a hidden character (the usual case, decided on
 * the raw text) are returned as parsed.
 */
export function parseVisible(text: string, output = false): unknown {
  const json: unknown = JSON.parse(text);
  if (!IN_JSON.test(text)) return json;
  return deep(json, output ? visibleOutput : visible);
}
