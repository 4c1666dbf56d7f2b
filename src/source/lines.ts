/**
 * Line splitting that agrees with the compiler's markdown-it (see `compile/markdown.ts`):
 * `\r\n`, a lone `\r` and `\n` each end a line, and so does `\r\r\n` in a file whose every
 * `\r` is part of `\r\n` or `\r\r\n` (a CRLF file converted to CRLF once more; see
 * {@link doubledCr}), so markdown-it's 0-based `map` line N starts at `lineStarts(text)[N]`.
 */

/** A `\r` that is neither part of `\r\n` nor the first of `\r\r\n`. */
const LONE_CR_RE = /\r(?!\r?\n)/u;

/**
 * Whether `\r\r\n` is one line end in `text`: it occurs, and no `\r` stands alone elsewhere
 * (in a file that also ends lines with a lone `\r`, `\r\r\n` is a line end and an empty line).
 */
export function doubledCr(text: string): boolean {
  return text.indexOf('\r\r\n') !== -1 && !LONE_CR_RE.test(text);
}

/** How the lines of a text end. */
export type LineEnding = 'lf' | 'crlf' | 'cr' | 'mixed' | 'none';

/** Start offset of every line of `text` (the first is always 0), in UTF-16 code units. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  if (text.indexOf('\r') === -1) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    return starts;
  }
  const n = text.length;
  const doubled = doubledCr(text);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      else if (doubled && text.charCodeAt(i + 1) === 13 && text.charCodeAt(i + 2) === 10) i += 2;
      starts.push(i + 1);
    }
  }
  return starts;
}

/** Text of line `index` (0-based) without its line terminator; '' past the end. */
export function lineText(text: string, starts: readonly number[], index: number): string {
  const start = starts[index];
  if (start === undefined) return '';
  let end = starts[index + 1] ?? text.length;
  if (end > start && text.charCodeAt(end - 1) === 10) {
    end--;
    // `\r\r\n` is one line end.
    if (end > start + 1 && text.charCodeAt(end - 1) === 13 && text.charCodeAt(end - 2) === 13)
      end--;
  }
  if (end > start && text.charCodeAt(end - 1) === 13) end--;
  return text.slice(start, end);
}

/** 0-based index of the line holding `offset` (binary search over `starts`). */
export function lineIndexAt(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The line ending used throughout `text`, `mixed` when more than one kind occurs. */
export function detectLineEnding(text: string): LineEnding {
  if (text.indexOf('\r') === -1) return text.indexOf('\n') === -1 ? 'none' : 'lf';
  let lf = false;
  let crlf = false;
  let cr = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) lf = true;
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) {
        crlf = true;
        i++;
      } else cr = true;
    }
  }
  const kinds = Number(lf) + Number(crlf) + Number(cr);
  if (kinds === 0) return 'none';
  if (kinds > 1) return 'mixed';
  return lf ? 'lf' : crlf ? 'crlf' : 'cr';
}
