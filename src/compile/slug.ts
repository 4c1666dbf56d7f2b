/**
 * A fast slug for IDs: ASCII letters and digits, accented Latin letters folded to ASCII,
 * everything else a separator. Deterministic; at most `max` characters, cut at a dash.
 */

const folded = new Map<number, string>();

function fold(c: number): string {
  let f = folded.get(c);
  if (f === undefined) {
    f = String.fromCharCode(c)
      .normalize('NFKD')
      .replace(/[^A-Za-z0-9]/gu, '')
      .toLowerCase();
    folded.set(c, f);
  }
  return f;
}

function isLatinLetter(c: number): boolean {
  return (c >= 0xc0 && c <= 0x24f) || (c >= 0x1e00 && c <= 0x1eff);
}

function isAsciiAlnum(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
}

/** Character codes of the slug being built, reused from call to call (never shrunk). */
const buf: number[] = [];
/** Arrays of each exact length, reused to hand the codes to `String.fromCharCode`. */
const byLength: number[][] = [];
const DASH = 45;

/** The string of the first `len` codes of `buf` (copied into a reused array of that length). */
function codesToString(len: number): string {
  let codes = byLength[len];
  if (codes === undefined) {
    codes = new Array<number>(len).fill(0);
    byLength[len] = codes;
  }
  for (let k = 0; k < len; k++) codes[k] = buf[k] ?? 0;
  return String.fromCharCode.apply(null, codes);
}

/** Lowercase ASCII slug of `text` (letters, digits, single dashes), at most `max` characters. */
export function slug(text: string, max = 48): string {
  // Built as character codes and turned into one flat one-byte string at the end: IDs made
  // of slugs are hashed for uniqueness, and such strings hash much faster than concatenations
  // of slices of a two-byte source.
  let len = 0;
  let pending = false;
  const n = text.length;
  for (let i = 0; i < n && len <= max; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      if (c >= 65 && c <= 90) c += 32;
      if (!isAsciiAlnum(c)) {
        pending = true;
        continue;
      }
      if (pending && len > 0) buf[len++] = DASH;
      pending = false;
      buf[len++] = c;
    } else if (isLatinLetter(c)) {
      const piece = fold(c);
      if (piece === '') continue;
      if (pending && len > 0) buf[len++] = DASH;
      pending = false;
      for (let k = 0; k < piece.length; k++) buf[len++] = piece.charCodeAt(k);
    } else if (c < 0x300 || c > 0x36f) {
      pending = true;
    }
  }
  let end = len;
  if (len > max) {
    end = max;
    let dash = max - 1;
    while (dash >= 0 && buf[dash] !== DASH) dash--;
    if (dash > max / 2) end = dash;
    while (end > 0 && buf[end - 1] === DASH) end--;
  }
  return codesToString(end);
}
