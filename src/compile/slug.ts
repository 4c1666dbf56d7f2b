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
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
}

/** Lowercase ASCII slug of `text` (letters, digits, single dashes), at most `max` characters. */
export function slug(text: string, max = 48): string {
  // Runs of ASCII letters and digits are copied whole (a few flat pieces, not one string per
  // character): IDs built from slugs are hashed for uniqueness, and flat strings hash fast.
  let out = '';
  let pending = false;
  const n = text.length;
  let i = 0;
  while (i < n && out.length <= max) {
    const c = text.charCodeAt(i);
    let piece: string;
    if (c < 0x80) {
      if (!isAsciiAlnum(c)) {
        pending = true;
        i++;
        continue;
      }
      let j = i + 1;
      while (j < n && isAsciiAlnum(text.charCodeAt(j))) j++;
      piece = text.slice(i, j).toLowerCase();
      i = j;
    } else if (isLatinLetter(c)) {
      piece = fold(c);
      i++;
      if (piece === '') continue;
    } else if (c >= 0x300 && c <= 0x36f) {
      i++;
      continue;
    } else {
      pending = true;
      i++;
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
