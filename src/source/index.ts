export { decodeSource, encodeSource } from './decode.js';
export type { DecodedSource, DecodeOptions, EncodeOptions, SourceEncoding } from './decode.js';
export { lineStarts, lineText, lineIndexAt, detectLineEnding, doubledCr } from './lines.js';
export type { LineEnding } from './lines.js';
export { repairMojibake } from './mojibake.js';
export type { MojibakeRepair, UnrepairedMojibake } from './mojibake.js';
export {
  WINDOWS_1252,
  MAC_ROMAN,
  WINDOWS_1252_HIGH,
  MAC_ROMAN_HIGH,
  WINDOWS_1250,
  WINDOWS_1251,
  WINDOWS_1254,
  CODE_PAGES,
} from './code-tables.js';
export type { CodePage, MojibakeEncoding } from './code-tables.js';
export { firstInvalidUtf8 } from './utf8.js';
