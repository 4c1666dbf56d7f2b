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

/** Lowercase ASCII slug of `text` (letters, digits, single dashes), at most `max` characters. */
export function slug(text: string, max = 48): string {
  let out = '';
  let pending = false;
  const n = text.length;
  for (let i = 0; i < n && out.length <= max; i++) {
    let c = text.charCodeAt(i);
    let piece: string;
    if (c < 0x80) {
      if (c >= 65 && c <= 90) c += 32;
      if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57))) {
        pending = true;
        continue;
      }
      piece = String.fromCharCode(c);
    } else if (isLatinLetter(c)) {
      piece = fold(c);
      if (piece === '') continue;
    } else if (c >= 0x300 && c <= 0x36f) {
      continue;
    } else {
      pending = true;
      continue;
    }
    if (pending && out !== '') out += '-';
    pending = false;
    out += piece;
  }
  if (out.length <= max) return out;
  const cut = out.slice(0, max);
  const dash = cut.lastIndexOf('-');
  return (dash > max / 2 ? cut.slice(0, dash) : cut).replace(/-+$/u, '');
}
