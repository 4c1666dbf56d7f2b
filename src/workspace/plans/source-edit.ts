/**
 * Byte-exact edits of a plan's source: an edit is expressed on the decoded text and applied to
 * the original bytes, so that everything outside the edited characters stays byte for byte as
 * it was (encoding, byte order mark, line endings, mojibake and all).
 */
import { ConflictError } from '../../errors/index.js';
import type { Plan } from '../../ir/index.js';
import { CODE_PAGES, encodeSource, type SourceEncoding } from '../../source/index.js';

/** One replacement in the decoded text: `from` at `offset` becomes `to`. */
export interface TextEdit {
  readonly offset: number;
  readonly from: string;
  readonly to: string;
}

/** How the file's bytes were decoded. */
export interface ByteLayout {
  readonly encoding: SourceEncoding;
  readonly bom: boolean;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Apply `edits` (non-overlapping, any order) to `bytes`, whose decoded text is `text`. The bytes
 * under each edit are checked to be exactly the encoding of its `from` text; a mismatch throws a
 * ConflictError and nothing is returned.
 */
export function applyTextEdits(
  bytes: Uint8Array,
  text: string,
  layout: ByteLayout,
  edits: ReadonlyArray<TextEdit>,
  file: string,
): Uint8Array {
  const sorted = [...edits].sort((a, b) => a.offset - b.offset);
  const encode = (t: string): Uint8Array =>
    encodeSource(t, { encoding: layout.encoding, bom: false });
  const parts: Uint8Array[] = [];
  let cursor = 0;
  let textAt = 0;
  let byteAt = layout.bom ? bomLength(layout.encoding) : 0;
  for (const edit of sorted) {
    if (edit.offset < textAt || text.startsWith(edit.from, edit.offset) === false) {
      throw new ConflictError('the text to edit is not where the plan says it is', { file });
    }
    byteAt += encode(text.slice(textAt, edit.offset)).length;
    const from = encode(edit.from);
    if (!sameBytes(bytes.subarray(byteAt, byteAt + from.length), from)) {
      throw new ConflictError(
        'the bytes of the file do not match its decoded text at the edit; nothing was written',
        { file, hint: 're-save the file in a standard encoding, then re-import it' },
      );
    }
    parts.push(bytes.subarray(cursor, byteAt), encode(edit.to));
    byteAt += from.length;
    cursor = byteAt;
    textAt = edit.offset + edit.from.length;
  }
  parts.push(bytes.subarray(cursor));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function bomLength(encoding: SourceEncoding): number {
  return encoding === 'utf-8' ? 3 : encoding === 'windows-1252' ? 0 : 2;
}

/**
 * `text` as it appears in a document whose UTF-8 was mis-read as `repairedFrom` (`✅` → `âœ…`
 * for Windows-1252, `‚úÖ` for Mac Roman, `вњ…` for Windows-1251); unchanged when
 * `repairedFrom` is null.
 */
export function asMojibake(text: string, repairedFrom: Plan['repairedFrom']): string {
  if (repairedFrom === null || !/[^ -~\t\r\n]/u.test(text)) return text;
  const high = CODE_PAGES[repairedFrom].high;
  let out = '';
  for (const b of Buffer.from(text, 'utf8'))
    out += b < 0x80 ? String.fromCharCode(b) : high[b - 0x80];
  return out;
}

/** Offset of 1-based `line`/`column` in `text`, given its line starts. */
export function offsetOf(starts: ReadonlyArray<number>, line: number, column: number): number {
  const start = starts[line - 1];
  if (start === undefined) return -1;
  return start + column - 1;
}

/** Start and end (before the line break) offsets of 1-based `line`. */
export function lineBounds(
  text: string,
  starts: ReadonlyArray<number>,
  line: number,
): [number, number] {
  const start = starts[line - 1] ?? text.length;
  let end = starts[line] ?? text.length;
  while (end > start && (text[end - 1] === '\n' || text[end - 1] === '\r')) end--;
  return [start, end];
}
