/**
 * High halves (bytes 0x80–0xFF) of the single-byte code pages that UTF-8 text is most often
 * mis-read as. Windows-1252 and Mac Roman are written out (Node's `TextDecoder` has no Mac
 * Roman); Windows-1250, -1251 and -1254 come from `TextDecoder`.
 */

/**
 * Windows-1252, bytes 0x80–0xFF. The five bytes the code page leaves undefined (0x81, 0x8D,
 * 0x8F, 0x90, 0x9D) map to the C1 control with the same value, as WHATWG decoders do.
 */
export const WINDOWS_1252_HIGH: readonly string[] = [
  ...'\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f',
  ...'\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178',
  ...Array.from({ length: 96 }, (_, i) => String.fromCharCode(0xa0 + i)),
];

/** Mac OS Roman, bytes 0x80–0xFF (0xDB is the euro sign, 0xF0 the Apple logo U+F8FF). */
export const MAC_ROMAN_HIGH: readonly string[] = [
  ...'ÄÅÇÉÑÖÜáàâäãåçéèêëíìîïñóòôöõúùûü',
  ...'†°¢£§•¶ß®©™´¨≠ÆØ∞±≤≥¥µ∂∑∏π∫ªºΩæø',
  ...'¿¡¬√ƒ≈∆«»…\u00a0ÀÃÕŒœ–—“”‘’÷◊ÿŸ⁄€‹›ﬁﬂ',
  ...'‡·‚„‰ÂÊÁËÈÍÎÏÌÓÔ\uf8ffÒÚÛÙıˆ˜¯˘˙˚¸˝˛ˇ',
];

/** The code pages whose mojibake is repaired (as recorded in the IR's `repairedFrom`). */
export type MojibakeEncoding =
  'windows-1252' | 'macintosh' | 'windows-1250' | 'windows-1251' | 'windows-1254';

/** A single-byte code page: its high half and the reverse map from character to byte. */
export interface CodePage {
  readonly name: MojibakeEncoding;
  readonly high: readonly string[];
  /** Character code → byte (0x80–0xFF), for characters of the high half only. */
  readonly toByte: ReadonlyMap<number, number>;
  /** The same map as a table indexed by UTF-16 code unit; 0 where there is no byte. */
  readonly byteOf: Uint8Array;
}

function codePage(name: CodePage['name'], high: readonly string[]): CodePage {
  if (high.length !== 128) throw new Error(`${name}: high half has ${high.length} entries`);
  const toByte = new Map<number, number>();
  const byteOf = new Uint8Array(0x10000);
  high.forEach((ch, i) => {
    toByte.set(ch.charCodeAt(0), 0x80 + i);
    byteOf[ch.charCodeAt(0)] = 0x80 + i;
  });
  return { name, high, toByte, byteOf };
}

/** Windows-1252 as a code page. */
export const WINDOWS_1252: CodePage = codePage('windows-1252', WINDOWS_1252_HIGH);
/** Mac OS Roman as a code page. */
export const MAC_ROMAN: CodePage = codePage('macintosh', MAC_ROMAN_HIGH);

/** The high half of a WHATWG single-byte encoding, decoded by Node (undefined bytes → C1). */
function decodedHigh(name: string): string[] {
  const bytes = Uint8Array.from({ length: 128 }, (_, i) => 0x80 + i);
  return [...new TextDecoder(name).decode(bytes)];
}

/** Windows-1250 (Central European: Czech, Polish, Hungarian…) as a code page. */
export const WINDOWS_1250: CodePage = codePage('windows-1250', decodedHigh('windows-1250'));
/** Windows-1251 (Cyrillic) as a code page. */
export const WINDOWS_1251: CodePage = codePage('windows-1251', decodedHigh('windows-1251'));
/** Windows-1254 (Turkish) as a code page. */
export const WINDOWS_1254: CodePage = codePage('windows-1254', decodedHigh('windows-1254'));

/** Every code page by name. */
export const CODE_PAGES: Readonly<Record<MojibakeEncoding, CodePage>> = {
  'windows-1252': WINDOWS_1252,
  macintosh: MAC_ROMAN,
  'windows-1250': WINDOWS_1250,
  'windows-1251': WINDOWS_1251,
  'windows-1254': WINDOWS_1254,
};
